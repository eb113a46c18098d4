"""The live views drawn in the browser: a ``st.components.v2`` component (no iframe).

The browser holds the run's numbers and draws them with plotly.js; the server answers its
events (Step, Run, Play, Pause, Reset, look back) with payloads from
``linreg.dashboard.live.LiveSession``. Assets: ``assets/live.js`` (an ES module),
``assets/live.css`` and ``assets/plotly-basic.min.js`` (plotly.js's npm partial bundle with
the scatter traces the views draw, fetched by ``make``; git-ignored; without it, the plotly
package's full ``plotly.min.js`` is copied there and served instead), served by Streamlit at
``/_stcore/bidi-components/linreg.live/<file>`` and cached by the browser.

The component is declared the documented way, in pyproject.toml's
``[[tool.streamlit.component.components]]`` (name "live", asset_dir under the ``linreg``
package): at start-up Streamlit scans the installed distributions that depend on streamlit,
finds linreg's pyproject.toml (for an editable install, ``pip install -e .`` as ``make``
does, beside the imported package) and registers "linreg.live". linreg must therefore be
installed, not only importable.
"""

from __future__ import annotations

import functools
import logging
import shutil
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

import streamlit as st
from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager

from linreg.dashboard.live import LiveSession
from linreg.dashboard.live_message import LivePayload

NAME = "linreg.live"  # "<project>.<component>" of pyproject's [tool.streamlit.component]
ASSET_PATH = f"_stcore/bidi-components/{NAME}/"  # where Streamlit serves ASSETS, from the root
ASSETS = Path(__file__).resolve().parent / "assets"
PLOTLY_JS = ASSETS / "plotly-basic.min.js"  # live.js loads it from beside itself
PLOTLY_FULL_JS = ASSETS / "plotly.min.js"  # the plotly package's own bundle, where it is missing
_renderers: dict[int, object] = {}
log = logging.getLogger(__name__)


@functools.cache
def plotly_bundle() -> str:
    """The file name of the plotly.js that live.js loads: the partial bundle ``make`` fetches,
    or, in an install made without make (``pip install -r requirements.txt``), the plotly
    package's full bundle copied beside live.js (4.6 MB instead of 1.2 MB; same drawings)."""
    if PLOTLY_JS.is_file():
        return PLOTLY_JS.name
    source = resources.files("plotly") / "package_data" / "plotly.min.js"
    with resources.as_file(source) as path:
        if not PLOTLY_FULL_JS.is_file() or PLOTLY_FULL_JS.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, PLOTLY_FULL_JS)
    log.warning(
        "plotly.js's partial bundle is missing at %s; serving the plotly package's full bundle "
        "(%.1f MB) instead. `make linreg/page/component/assets/plotly-basic.min.js` (run by "
        "`make run`) fetches the lighter one.",
        PLOTLY_JS,
        PLOTLY_FULL_JS.stat().st_size / 1e6,
    )
    return PLOTLY_FULL_JS.name


def _renderer():
    """The component's mounting command, made once per Streamlit runtime."""
    manager = get_bidi_component_manager()
    renderer = _renderers.get(id(manager))
    if renderer is None:
        if manager.get_component_asset_root(NAME) is None:
            raise RuntimeError(
                f"Streamlit did not register the component {NAME!r}: linreg is not installed "
                "in this Python environment. Install it with `pip install --no-deps -e .` "
                "from the repository (`make run` and `make test` do)."
            )
        renderer = st.components.v2.component(
            NAME,
            html=f'<div class="linreg-live" data-plotly="{plotly_bundle()}"></div>',
            css="live.css",
            js="live.js",
            isolate_styles=False,
        )
        _renderers[id(manager)] = renderer
    return renderer


def live_views(
    session: LiveSession,
    labels: Mapping[str, str],
    *,
    key: str = "live_views",
    on_payload: Callable[[LivePayload], None] | None = None,
) -> None:
    """Mount the live views of ``session`` with ``labels`` (``live.labels(t, lang)``).

    Call it inside an ``st.fragment``: a click in the views reruns only the fragment. The
    browser's event (``{"id", "kind", "run", "have", "shown", "prefs", ...}``, see
    ``LiveSession.handle``) is answered in the component's callback, before the fragment's
    body mounts the answer. ``session`` is anything with ``LiveSession``'s ``handle(event,
    labels)`` (a room's follower too). ``on_payload(message)`` is called after every
    ``handle`` (the event's and the mount's) with the payload as built (``session.message``),
    e.g. to publish it to a room.
    """

    def on_event() -> None:
        state = st.session_state.get(key)
        event = state.get("event") if state is not None else None
        if event:
            payload = session.handle(event, labels)
            if on_payload is not None and payload:
                on_payload(session.message)

    payload = session.handle(None, labels)
    if on_payload is not None and payload:
        on_payload(session.message)
    _renderer()(key=key, data=payload, on_event_change=on_event, height="content")


def room_views(url: str, context: str, words: Mapping[str, str], *, key: str) -> None:
    """Mount read-only live views fed by a room's stream at ``url`` (relative to the app's
    root; ``linreg.page.stream``): the browser draws what arrives, nothing reruns per frame.
    ``context``: the digest of what the page shows beside the views now; a stream message with
    another one (or the room's end) reruns the enclosing fragment once. ``words``: the
    stream's own notes ("reconnecting", "ended")."""
    data = {"stream": {"url": url, "context": context, "words": dict(words)}}
    _renderer()(key=key, data=data, on_event_change=lambda: None, height="content")
