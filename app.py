"""linreg's dashboard: ``streamlit run app.py``. The page's script is ``linreg/page/script.py``;
``linreg.page.server`` holds the HTTP routes and middleware served beside it."""

import streamlit as st

from linreg.page.server import MIDDLEWARE, ROUTES

app = st.App("linreg/page/script.py", routes=ROUTES, middleware=MIDDLEWARE)
