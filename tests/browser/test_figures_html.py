"""The server's figure rendered by Plotly in Chromium: user strings stay text, never HTML,
LaTeX or fields (the live views' words: tests/browser/test_upload.py)."""

import numpy as np
import pytest

from linreg.page.figures import loss_landscape

pytestmark = pytest.mark.browser


def test_hostile_names_render_as_plain_text_in_chromium(browser, tmp_path):
    names = ["<img src=x onerror=alert(1)>", "<b>bold</b>", "$x^2$"]
    grid = np.arange(1.0, 10.0).reshape(3, 3)
    figs = [
        loss_landscape(np.arange(3.0), np.arange(3.0), grid, np.ones(2), np.ones(2), (1.0, 1.0),
                       names=(names[0], "%{y}"), labels={"path": names[1], "optimum": names[2]}),
    ]  # fmt: skip
    html = "".join(f.to_html(include_plotlyjs=i == 0, full_html=False) for i, f in enumerate(figs))
    page_file = tmp_path / "figures.html"
    page_file.write_text(f"<html><body>{html}</body></html>", encoding="utf-8")
    context = browser.new_context()
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(page_file.as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg")
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('.js-plotly-plot text')).map(t => t.textContent)"
    )
    injected = page.evaluate(
        "document.querySelectorAll('.js-plotly-plot img, .js-plotly-plot [style*=bold]').length"
    )
    context.close()
    assert injected == 0 and dialogs == []
    for name in [*names, "%{y}"]:
        assert name in shown
