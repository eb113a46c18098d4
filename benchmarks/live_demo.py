"""A standalone page with only the live views (issue 11), on linreg's Workbench and Trainer.

    streamlit run benchmarks/live_demo.py            # from the repository root (its config)
    …/live_demo.py?lang=es                          # Spanish words and sample columns

The browser tests and benchmarks/live.py drive it; ``?bare=1`` is the reference: one
Streamlit button and one st.metric, nothing else.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import streamlit as st  # noqa: E402

from linreg import trainer  # noqa: E402
from linreg.dashboard import live  # noqa: E402
from linreg.dashboard.settings import Settings  # noqa: E402
from linreg.dashboard.texts import t  # noqa: E402
from linreg.dashboard.workbench import Workbench  # noqa: E402
from linreg.page.component import live_views  # noqa: E402

trainer.warm_up()
st.set_page_config(page_title="linreg live views", layout="wide")
params = st.query_params

if params.get("bare"):
    if "count" not in st.session_state:
        st.session_state.count = 0

    def _count() -> None:
        st.session_state.count += 1

    st.button("Step", on_click=_count)
    st.metric("Epoch", st.session_state.count)
    st.stop()

lang = "es" if params.get("lang") == "es" else "en"
if "live" not in st.session_state:
    settings = Settings(
        lang=lang,
        engine=params.get("engine", "scratch"),
        opt=params.get("opt", "sgd"),
        lr=float(params.get("lr", 1e-5)),
        batch=int(params.get("batch", 0)),
        seed=int(params.get("seed", 0)),
    )
    st.session_state.live = live.LiveSession(Workbench(settings))
session = st.session_state.live


@st.fragment
def views() -> None:
    live_views(session, live.labels(t, lang))
    if params.get("debug"):
        # The server trainer's state after this run's event, for the browser tests.
        trainer = session.workbench.trainer
        state = {"epoch": trainer.epoch, "weight": trainer.weight.detach().numpy().tolist()}
        st.code(json.dumps(state), language=None)


views()
