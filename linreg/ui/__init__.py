"""The Streamlit dashboard. The engine (the rest of ``linreg``) never imports this package."""
