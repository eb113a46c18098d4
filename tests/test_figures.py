"""The server's figure (the loss landscape) draws exactly the numbers it is given, escapes every
word, and stays light. The live views are drawn in the browser (tests/test_live.py and
tests/browser/test_live_views.py)."""

import numpy as np
import plotly.graph_objects as go

from linreg.formatting import equation
from linreg.formatting import number as _number
from linreg.page import figures
from linreg.page.figures import _text, loss_landscape

HOSTILE = "<img src=x onerror=alert(1)> <b>bold</b> & $x^2$ %{y}"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt; &amp; &#36;x^2&#36; &#37;{y}"
MAX_JSON_BYTES = 200_000


def trace(fig: go.Figure, name: str) -> go.Scatter:
    (found,) = [t for t in fig.data if t.name == name]
    return found


# -- text and numbers ------------------------------------------------------------------------
def test_text_escapes_html_latex_and_template_fields():
    assert _text(HOSTILE) == ESCAPED
    assert _text("apples (kg)") == "apples (kg)"
    assert _text(2020) == "2020"


def test_numbers_have_four_significant_digits_and_short_exponents():
    assert [_number(v) for v in (0.123456, -4783.2, 12345.6, 1.23e-7, -0.0, 0.0)] == [
        "0.1235",
        "-4783",
        "1.235e4",
        "1.23e-7",
        "0",
        "0",
    ]
    assert [_number(v) for v in (np.nan, np.inf, -np.inf)] == ["–", "∞", "−∞"]


# -- loss landscape --------------------------------------------------------------------------
def test_loss_landscape_draws_contours_path_and_optimum():
    w1, w2 = np.linspace(-1, 1, 4), np.linspace(0, 2, 3)
    grid = np.array([[1.0, 10.0, 100.0, 0.0], [2.0, 20.0, 200.0, 2000.0], [3, 30, 300, 3000]])
    path1, path2 = np.array([0.9, 0.5, 0.1]), np.array([1.9, 1.0, 0.5])
    fig = loss_landscape(
        w1, w2, grid, path1, path2, (0.0, 0.4), names=("w₁₁ (apples · temp)", HOSTILE)
    )
    contour = fig.data[0]
    np.testing.assert_array_equal(contour.x, w1)
    np.testing.assert_array_equal(contour.y, w2)
    np.testing.assert_allclose(contour.z[:, :3], np.log10(grid[:, :3]), rtol=1e-6)
    assert np.isnan(contour.z[0, 3])  # a loss of 0 has no logarithm
    np.testing.assert_array_equal(contour.customdata, grid)
    assert "%{customdata" in contour.hovertemplate
    assert np.array_equal(trace(fig, "Training path").x, path1)
    assert list(trace(fig, "Start").x) == [0.9] and list(trace(fig, "Now").y) == [0.5]
    star = trace(fig, "Least-squares optimum")
    assert star.marker.symbol == "star" and list(star.x) == [0.0] and list(star.y) == [0.4]
    assert fig.layout.yaxis.title.text == ESCAPED


def test_loss_landscape_of_a_long_path_is_light():
    steps = 100_000
    path1 = np.linspace(0, 1, steps + 1) ** 0.3
    path2 = np.sqrt(path1)
    w1, w2 = np.linspace(-0.5, 1.5, 60), np.linspace(-0.5, 1.5, 60)
    grid = (w1[None, :] - 1) ** 2 + (w2[:, None] - 1) ** 2 + 0.01
    fig = loss_landscape(w1, w2, grid, path1, path2, None, names=("a", "b"))
    path = trace(fig, "Training path")
    assert len(path.x) <= 500 and path.x[0] == path1[0] and path.x[-1] == path1[-1]
    assert "Least-squares optimum" not in [t.name for t in fig.data]
    assert len(fig.to_json()) < MAX_JSON_BYTES


def test_module_has_no_streamlit():
    assert "streamlit" not in open(figures.__file__, encoding="utf-8").read()


def test_equations_write_signs_between_terms_with_one_kind_of_minus():
    assert equation([-0.5, 0.25], -3.0, ["a", "b"]) == "−0.5·a + 0.25·b − 3"
    assert equation([0.5, -0.25], 3.0, ["a", "b"]) == "0.5·a − 0.25·b + 3"
    assert equation([1e-9], float("nan"), ["x"], minus="-") == "1e-9·x + –"
