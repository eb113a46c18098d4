"""The figure builders draw exactly the numbers they are given, escape every word, and stay light."""

import numpy as np
import plotly.graph_objects as go
import pytest

from linreg.formatting import equation
from linreg.formatting import number as _number
from linreg.page import figures
from linreg.page.figures import (
    _text,
    decimate,
    fitted_line,
    loss_curve,
    loss_landscape,
    parameters_heatmap,
    predicted_vs_actual,
)

HOSTILE = "<img src=x onerror=alert(1)> <b>bold</b> & $x^2$ %{y}"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt; &lt;b&gt;bold&lt;/b&gt; &amp; &#36;x^2&#36; &#37;{y}"
SPANISH = {"epoch": "Época", "loss": "Pérdida", "optimum": "Óptimo", "this_run": "Esta ejecución"}
MAX_JSON_BYTES = 200_000


def trace(fig: go.Figure, name: str) -> go.Scatter:
    (found,) = [t for t in fig.data if t.name == name]
    return found


def long_loss(n: int) -> tuple[np.ndarray, np.ndarray]:
    epochs = np.arange(1, n + 1)
    return epochs, 1000.0 / epochs + 3.0 + 0.01 * np.sin(epochs)


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


# -- decimate --------------------------------------------------------------------------------
def test_decimate_leaves_short_series_alone():
    x, y = np.arange(10), np.linspace(0, 1, 10)
    dx, dy = decimate(x, y, max_points=10)
    assert np.array_equal(dx, x) and np.array_equal(dy, y)


@pytest.mark.parametrize("n, max_points", [(100_000, 2000), (5001, 2000), (2001, 2000), (50, 7)])
def test_decimate_keeps_ends_extremes_and_spikes_within_budget(n, max_points):
    rng = np.random.default_rng(0)
    x = np.arange(n) * 2 + 5
    y = rng.normal(size=n)
    y[n // 3] = 50.0  # a spike
    y[2 * n // 3] = -40.0  # a dip
    dx, dy = decimate(x, y, max_points)
    assert len(dx) <= max_points
    assert dx[0] == x[0] and dx[-1] == x[-1]
    assert np.all(np.diff(dx) > 0)
    assert np.array_equal(dy, y[(dx - 5) // 2])  # pairs stay together
    assert dy.max() == 50.0 and dy.min() == -40.0


def test_decimate_with_tiny_budget_keeps_the_ends():
    dx, dy = decimate(np.arange(100), np.arange(100.0), max_points=3)
    assert list(dx) == [0, 99]


# -- loss curve ------------------------------------------------------------------------------
def test_loss_curve_draws_the_loss_and_the_optimum():
    epochs, loss = np.arange(1, 6), np.array([10.0, 5.0, 3.0, 2.5, 2.2])
    fig = loss_curve(epochs, loss, optimal_loss=2.0, log_scale=False)
    run, optimum = trace(fig, "This run"), trace(fig, "Least-squares optimum")
    assert np.array_equal(run.x, epochs) and np.array_equal(run.y, loss)
    assert list(optimum.y) == [2.0, 2.0] and list(optimum.x) == [1, 5]
    assert optimum.line.dash == "dash"
    assert "%{x}" in run.hovertemplate and "%{y" in run.hovertemplate
    assert fig.layout.yaxis.type == "linear"
    assert fig.layout.height == 340 and fig.layout.hovermode == "x"


def test_loss_curve_speaks_the_language_it_is_given():
    fig = loss_curve(np.arange(1, 4), np.ones(3), optimal_loss=0.5, log_scale=False, labels=SPANISH)
    assert fig.layout.xaxis.title.text == "Época" and fig.layout.yaxis.title.text == "Pérdida"
    assert "Época" in trace(fig, "Esta ejecución").hovertemplate
    assert trace(fig, "Óptimo").y[0] == 0.5


def test_loss_curve_log_scale_skips_what_a_log_axis_cannot_show():
    epochs, loss = np.arange(1, 7), np.array([4.0, np.nan, 2.0, 0.0, np.inf, 1.0])
    fig = loss_curve(epochs, loss, optimal_loss=0.0, log_scale=True)
    assert fig.layout.yaxis.type == "log"
    run = trace(fig, "This run")
    assert list(run.x) == [1, 3, 6] and list(run.y) == [4.0, 2.0, 1.0]
    assert [t.name for t in fig.data] == ["This run"]  # an optimum of 0 has no place on a log axis


def test_loss_curve_drops_non_finite_losses_on_a_linear_axis_too():
    fig = loss_curve(
        np.arange(1, 5), np.array([3.0, np.nan, 0.0, -np.inf]), optimal_loss=None, log_scale=False
    )
    assert list(trace(fig, "This run").y) == [3.0, 0.0]


def test_loss_curve_marks_the_epoch_looked_back_at():
    epochs, loss = long_loss(50)
    fig = loss_curve(epochs, loss, optimal_loss=None, log_scale=False, marker_epoch=20)
    marker = trace(fig, "Epoch shown")
    assert list(marker.x) == [20] and list(marker.y) == [loss[19]]
    assert fig.layout.shapes[0].x0 == 20
    fig = loss_curve(epochs, loss, optimal_loss=None, log_scale=False, marker_epoch=0)
    assert fig.layout.shapes[0].x0 == 0 and "Epoch shown" not in [t.name for t in fig.data]


def test_loss_curve_overlays_earlier_runs_faintly_with_escaped_names():
    epochs, loss = long_loss(30)
    fig = loss_curve(
        epochs,
        loss,
        optimal_loss=1.0,
        log_scale=True,
        others=[("lr = 1e-5", epochs[:10], loss[:10] * 2), (HOSTILE, epochs, loss * 3)],
    )
    assert [t.name for t in fig.data] == ["lr = 1e-5", ESCAPED, "This run", "Least-squares optimum"]
    assert np.array_equal(trace(fig, ESCAPED).y, loss * 3)
    assert trace(fig, ESCAPED).line.width < trace(fig, "This run").line.width
    assert trace(fig, "Least-squares optimum").x[-1] == 30


def test_loss_curve_of_100000_epochs_is_decimated_and_light():
    epochs, loss = long_loss(100_000)
    fig = loss_curve(
        epochs,
        loss,
        optimal_loss=3.0,
        log_scale=True,
        marker_epoch=77_777,
        others=[("before", epochs, loss * 1.1)],
    )
    run = trace(fig, "This run")
    assert len(run.x) <= 2000 and run.x[0] == 1 and run.x[-1] == 100_000
    assert run.y.max() == loss.max() and run.y.min() == loss.min()
    assert isinstance(run.y, np.ndarray)
    assert len(fig.to_json()) < MAX_JSON_BYTES


# -- heatmaps --------------------------------------------------------------------------------
def test_parameters_heatmap_shows_each_weight_and_bias_in_its_cell():
    weight = np.array([[0.123456, -4783.2, 1e-9], [2.0, -0.5, 12345.6]])
    bias = np.array([0.25, -3.0])
    fig = parameters_heatmap(
        weight,
        bias,
        ["temp", "rain", "2020"],
        ["apples", HOSTILE],
        weight_title="W",
        bias_title="b",
    )
    weights, biases = fig.data
    np.testing.assert_array_equal(weights.z, weight)
    assert weights.text.tolist() == [["0.1235", "-4783", "1e-9"], ["2", "-0.5", "1.235e4"]]
    assert weights.texttemplate == "%{text}"
    assert weights.zmid == 0 and weights.colorscale[0][1] != weights.colorscale[-1][1]
    np.testing.assert_array_equal(biases.z, [[0.25], [-3.0]])
    assert biases.text.tolist() == [["0.25"], ["-3"]]
    assert biases.xaxis == "x2" and biases.showscale is False  # one colour bar: the weights'
    assert list(fig.layout.xaxis.ticktext) == ["temp", "rain", "2020"]
    assert list(fig.layout.yaxis.ticktext) == ["apples", ESCAPED]
    assert fig.layout.yaxis.autorange == "reversed"  # first target on top
    assert weights.hovertext[1][0] == f"{ESCAPED} · temp: 2"
    assert fig.layout.title.text == "W" and list(fig.layout.xaxis2.ticktext) == ["b"]
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]  # side by side
    # The title pinned to the top of the figure, the column names in the margin below it.
    assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top"
    assert fig.layout.margin.t == 80 and fig.layout.xaxis.side == "top"


def test_gradient_heatmap_leaves_missing_gradients_blank():
    gradient = np.array([[np.nan, 1.5]])
    fig = parameters_heatmap(
        gradient, np.array([np.nan]), ["a", "b"], ["y"], weight_title="W.grad", bias_title="b.grad",
        zmid=None,
    )  # fmt: skip
    weights, biases = fig.data
    assert np.isnan(weights.z[0][0]) and weights.z[0][1] == 1.5
    assert weights.text.tolist() == [["–", "1.5"]] and biases.text.tolist() == [["–"]]
    assert weights.zmid is None


# -- predictions -----------------------------------------------------------------------------
def test_predicted_vs_actual_plots_each_target_and_the_identity_line():
    actual = np.array([[56.0, 70.0], [81.0, 101.0], [119.0, 133.0]])
    predicted = np.array([[50.0, 75.0], [90.0, 100.0], [110.0, 140.0]])
    fig = predicted_vs_actual(actual, predicted, ["apples", HOSTILE])
    apples, oranges = trace(fig, "apples"), trace(fig, ESCAPED)
    assert np.array_equal(apples.x, actual[:, 0]) and np.array_equal(apples.y, predicted[:, 0])
    assert np.array_equal(oranges.x, actual[:, 1]) and np.array_equal(oranges.y, predicted[:, 1])
    assert list(apples.customdata) == [0, 1, 2]
    assert "Row %{customdata}" in apples.hovertemplate
    assert apples.marker.color != oranges.marker.color
    identity = trace(fig, "y = x")
    assert list(identity.x) == [50.0, 140.0] and list(identity.y) == [50.0, 140.0]


def test_predicted_vs_actual_samples_big_data_deterministically():
    rng = np.random.default_rng(3)
    actual = rng.normal(size=(1_000_000, 1))
    predicted = actual + rng.normal(scale=0.1, size=actual.shape)
    predicted[123, 0] = np.inf
    fig = predicted_vs_actual(actual, predicted, ["y"])
    points = trace(fig, "y")
    assert len(points.x) == 5000
    rows = points.customdata
    assert np.all(np.diff(rows) > 0)
    assert np.array_equal(points.x, actual[rows, 0])
    again = trace(predicted_vs_actual(actual, predicted, ["y"]), "y")
    assert np.array_equal(again.customdata, rows)
    finite = predicted[np.isfinite(predicted)]
    assert trace(fig, "y = x").x[1] == max(actual.max(), finite.max())  # inf left out
    assert len(fig.to_json()) < MAX_JSON_BYTES


def test_fitted_line_spans_the_inputs():
    x = np.array([3.0, 1.0, 4.0, 1.5])
    targets = np.array([[2.0, 7.0], [1.0, 3.0], [3.0, 9.0], [1.2, 4.0]])
    fig = fitted_line(
        x, targets, np.array([0.5, 2.0]), np.array([1.0, -1.0]), "temp <°F>", ["apples", "oranges"]
    )
    assert fig.layout.xaxis.title.text == "temp &lt;°F&gt;"
    points, line = trace(fig, "apples"), trace(fig, "apples · fitted line")
    assert np.array_equal(points.x, x) and np.array_equal(points.y, targets[:, 0])
    assert list(line.x) == [1.0, 4.0] and list(line.y) == [1.5, 3.0]
    assert list(trace(fig, "oranges · fitted line").y) == [1.0, 7.0]
    assert points.marker.color == line.line.color


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


# -- a real browser: user strings render as text, never as HTML ------------------------------
def test_module_has_no_streamlit():
    assert "streamlit" not in open(figures.__file__, encoding="utf-8").read()


def test_equations_write_signs_between_terms_with_one_kind_of_minus():
    assert equation([-0.5, 0.25], -3.0, ["a", "b"]) == "−0.5·a + 0.25·b − 3"
    assert equation([0.5, -0.25], 3.0, ["a", "b"]) == "0.5·a − 0.25·b + 3"
    assert equation([1e-9], float("nan"), ["x"], minus="-") == "1e-9·x + –"
