"""The live views drawn in the browser: a ``st.components.v2`` component (no iframe).

The browser holds the run's numbers and draws them with plotly.js; the server answers its
events (Step, Run, Play, Pause, Reset, look back) with payloads from
``linreg.dashboard.live.LiveSession``. Assets: ``assets/live.js`` (an ES module),
``assets/live.css`` and ``assets/plotly.min.js`` (copied from the installed ``plotly``
package when this module is imported; git-ignored), served by Streamlit at
``/_stcore/bidi-components/linreg.live/<file>`` and cached by the browser.

The component is declared the documented way, in pyproject.toml's
``[[tool.streamlit.component.components]]`` (name "live", asset_dir under the ``linreg``
package): at start-up Streamlit scans the installed distributions that depend on streamlit,
finds linreg's pyproject.toml (for an editable install, ``pip install -e .`` as ``make``
does, beside the imported package) and registers "linreg.live". linreg must therefore be
installed, not only importable.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

import streamlit as st
from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager

from linreg.dashboard.live import LiveSession

NAME = "linreg.live"  # "<project>.<component>" of pyproject's [tool.streamlit.component]
ASSETS = Path(__file__).resolve().parent / "assets"
HTML = '<div class="linreg-live"></div>'


def _plotly_bundle() -> None:
    """Put the plotly package's own plotly.min.js beside live.js (Streamlit serves only
    files inside the component's asset_dir, symlinks resolved)."""
    source = resources.files("plotly") / "package_data" / "plotly.min.js"
    target = ASSETS / "plotly.min.js"
    with resources.as_file(source) as path:
        if not target.exists() or target.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, target)


_plotly_bundle()
_renderers: dict[int, object] = {}


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
            NAME, html=HTML, css="live.css", js="live.js", isolate_styles=False
        )
        _renderers[id(manager)] = renderer
    return renderer


def live_views(
    session: LiveSession,
    labels: Mapping[str, str],
    *,
    key: str = "live_views",
    on_payload: Callable[[dict], None] | None = None,
) -> None:
    """Mount the live views of ``session`` with ``labels`` (``live.labels(t, lang)``).

    Call it inside an ``st.fragment``: a click in the views reruns only the fragment. The
    browser's event (``{"id", "kind", "run", "have", "shown", "prefs", ...}``, see
    ``LiveSession.handle``) is answered in the component's callback, before the fragment's
    body mounts the answer. ``session`` is anything with ``LiveSession``'s ``handle(event,
    labels)`` (a room's follower too). ``on_payload(payload)`` is called after every
    ``handle`` (the event's and the mount's), e.g. to publish the payload to a room.
    """

    def on_event() -> None:
        state = st.session_state.get(key)
        event = state.get("event") if state is not None else None
        if event:
            payload = session.handle(event, labels)
            if on_payload is not None and payload:
                on_payload(payload)

    payload = session.handle(None, labels)
    if on_payload is not None and payload:
        on_payload(payload)
    _renderer()(key=key, data=payload, on_event_change=on_event, height="content")
