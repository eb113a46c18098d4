"""The page's script, rerun by Streamlit for each session; ``app.py`` serves it."""

from linreg.page.main import main

main()
