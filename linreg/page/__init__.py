"""The page: the only layer that imports Streamlit."""
