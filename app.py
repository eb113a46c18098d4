"""linreg's dashboard: ``streamlit run app.py``. The page lives in ``linreg.page``."""

from linreg.page.main import main

main()
