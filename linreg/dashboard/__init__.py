"""The dashboard's model: plain Python the page draws from, no Streamlit."""
