"""The live views' plotly.js: the npm partial bundle the Makefile fetches, the version the plotly
package ships, and a clear message when it is missing (the trace types it must draw are tested
in a browser: tests/browser/test_screens.py)."""

from __future__ import annotations

import re
from pathlib import Path

import plotly
from plotly.offline import get_plotlyjs_version

from linreg.page import component

ROOT = Path(__file__).resolve().parent.parent


def _make_variable(name: str) -> str:
    text = (ROOT / "Makefile").read_text()
    return re.search(rf"^{name} := (\S+)$", text, re.MULTILINE).group(1)


def test_the_bundle_is_the_plotly_js_version_the_plotly_package_ships():
    assert _make_variable("PLOTLY_JS_VERSION") == get_plotlyjs_version()
    assert _make_variable("PLOTLY_JS") == str(component.PLOTLY_JS.relative_to(ROOT))


def test_the_fetched_bundle_is_that_version():
    head = component.PLOTLY_JS.read_text()[:300]
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}" in head, head


def test_without_the_partial_bundle_the_plotly_packages_own_is_served(
    monkeypatch, tmp_path, caplog
):
    """An install made without make (pip install -r requirements.txt) still draws."""
    monkeypatch.setattr(component, "PLOTLY_JS", tmp_path / "plotly-basic.min.js")
    monkeypatch.setattr(component, "PLOTLY_FULL_JS", tmp_path / "plotly.min.js")
    component.plotly_bundle.cache_clear()
    assert component.plotly_bundle() == "plotly.min.js"
    shipped = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert (tmp_path / "plotly.min.js").read_bytes() == shipped.read_bytes()
    assert "partial bundle is missing" in caplog.text and "make" in caplog.text
    (tmp_path / "plotly-basic.min.js").write_text("// the partial bundle")
    component.plotly_bundle.cache_clear()
    assert component.plotly_bundle() == "plotly-basic.min.js"
    component.plotly_bundle.cache_clear()
