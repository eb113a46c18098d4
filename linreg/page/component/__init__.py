"""The live views drawn in the browser: a ``st.components.v2`` component (no iframe).

The browser holds the run's numbers and draws them with plotly.js; the server answers its
events (Step, Run, Play, Pause, Reset, look back) with payloads from
``linreg.dashboard.live.LiveSession``. Assets: ``assets/live.js`` (an ES module),
``assets/live.css`` and ``assets/plotly.min.js`` (copied from the installed ``plotly``
package on first use; git-ignored), served by Streamlit at
``/_stcore/bidi-components/linreg.live/<file>`` and cached by the browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import streamlit as st
from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager
from streamlit.components.v2.manifest_scanner import ComponentConfig, ComponentManifest

from linreg.dashboard.live import LiveSession

NAME = "linreg.live"  # "<project>.<component>", as pyproject's [tool.streamlit.component] would say
PACKAGE_ROOT = Path(__file__).resolve().parent
ASSETS = "assets"  # asset_dir, relative to this package
HTML = '<div class="linreg-live"></div>'

_renderers: dict[int, object] = {}


def _plotly_bundle() -> None:
    """Put the plotly package's own plotly.min.js beside live.js (Streamlit serves only
    files inside the component's asset_dir, symlinks resolved)."""
    source = resources.files("plotly") / "package_data" / "plotly.min.js"
    target = PACKAGE_ROOT / ASSETS / "plotly.min.js"
    with resources.as_file(source) as path:
        if not target.exists() or target.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, target)


def _renderer():
    """The component's mounting command, registered once per Streamlit runtime.

    Streamlit finds a component's asset_dir in the ``[tool.streamlit.component]`` table of an
    installed package's pyproject.toml; linreg runs from its source tree, so the same
    declaration is registered here through the runtime's component manager.
    """
    manager = get_bidi_component_manager()
    renderer = _renderers.get(id(manager))
    if renderer is None:
        _plotly_bundle()
        if manager.get_component_asset_root(NAME) is None:
            manifest = ComponentManifest(
                name="linreg",
                version="0",
                components=[ComponentConfig(name="live", asset_dir=ASSETS)],
            )
            manager.register_from_manifest(manifest, PACKAGE_ROOT)
        renderer = st.components.v2.component(
            NAME, html=HTML, css="live.css", js="live.js", isolate_styles=False
        )
        _renderers[id(manager)] = renderer
    return renderer


def live_views(session: LiveSession, labels: Mapping[str, str], *, key: str = "live_views") -> None:
    """Mount the live views of ``session`` with ``labels`` (``live.labels(t, lang)``).

    Call it inside an ``st.fragment``: a click in the views reruns only the fragment. The
    browser's event (``{"id", "kind", "run", "have", "shown", ...}``, see
    ``LiveSession.handle``) is answered in the component's callback, before the fragment's
    body mounts the answer.
    """

    def on_event() -> None:
        state = st.session_state.get(key)
        event = state.get("event") if state is not None else None
        if event:
            session.handle(event, labels)

    _renderer()(
        key=key, data=session.handle(None, labels), on_event_change=on_event, height="content"
    )
