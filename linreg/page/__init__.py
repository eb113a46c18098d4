"""The page: the only layer that imports Streamlit. It turns widgets into calls on the
dashboard's model (``linreg.dashboard``) and draws what the model says."""
