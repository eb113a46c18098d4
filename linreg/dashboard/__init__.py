"""The dashboard's model: one person's workbench, its settings, the page's words and the numbers
each view shows. Plain Python: nothing here imports Streamlit or ``linreg.page``."""
