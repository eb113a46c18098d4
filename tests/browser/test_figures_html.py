"""Figures rendered by Plotly in Chromium: user strings stay text, never HTML, LaTeX or fields."""

import numpy as np
import pytest

from linreg.page.figures import loss_curve, parameters_heatmap

pytestmark = pytest.mark.browser


def test_hostile_names_render_as_plain_text_in_chromium(browser, tmp_path):
    names = ["<img src=x onerror=alert(1)>", "<b>bold</b>", "$x^2$"]
    figs = [
        parameters_heatmap(np.ones((1, 3)), np.ones(1), names, ["%{y}"], weight_title=names[0],
                           bias_title=names[2]),
        loss_curve(np.arange(1, 4), np.ones(3), optimal_loss=None, log_scale=False,
                   others=[(names[1], np.arange(1, 3), np.ones(2))]),
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
