"""linreg's dashboard: ``streamlit run app.py``. The page lives in ``linreg.ui``."""

from linreg.ui.page import main

main()
