"""The dashboard's model in plain Python (no Streamlit): settings, workbench, views, live room."""
