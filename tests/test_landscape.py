"""The loss landscape grid checked against brute force: set the two parameters, compute the MSE."""

import numpy as np
import pytest

from linreg import least_squares, mse
from linreg.dashboard.landscape import default_span, grid_values, loss_grid, param_value


def brute_force(inputs, targets, weight, bias, a, b, span_a, span_b, resolution):
    """The MSE recomputed from scratch at every grid point."""
    grid = np.empty((resolution, resolution))
    for i, value_b in enumerate(grid_values(span_b, resolution)):
        for j, value_a in enumerate(grid_values(span_a, resolution)):
            w, c = weight.copy(), bias.copy()
            for (kind, k, d), value in ((a, value_a), (b, value_b)):
                if kind == "weight":
                    w[k, d] = value
                else:
                    c[k] = value
            grid[i, j] = mse(inputs @ w.T + c, targets)
    return grid


@pytest.fixture
def problem():
    rng = np.random.default_rng(7)
    inputs = rng.normal(50, 20, size=(40, 3))
    targets = inputs @ rng.normal(size=(3, 2)) + rng.normal(size=2) + rng.normal(size=(40, 2))
    return inputs, targets, rng.normal(size=(2, 3)), rng.normal(size=2)


@pytest.mark.parametrize(
    "a, b",
    [
        (("weight", 0, 0), ("weight", 0, 2)),  # same target: the cross term counts
        (("weight", 0, 1), ("weight", 1, 1)),  # different targets: no cross term
        (("weight", 1, 2), ("bias", 1, 0)),
        (("bias", 0, 0), ("weight", 1, 0)),
        (("bias", 0, 0), ("bias", 1, 0)),
    ],
)
def test_loss_grid_equals_brute_force(problem, a, b):
    inputs, targets, weight, bias = problem
    span_a, span_b = (-2.0, 3.0), (-1.5, 0.5)
    grid = loss_grid(inputs, targets, weight, bias, a, b, span_a, span_b, resolution=9)
    expected = brute_force(inputs, targets, weight, bias, a, b, span_a, span_b, 9)
    assert grid.shape == (9, 9)
    np.testing.assert_allclose(grid, expected, rtol=1e-9)


def test_loss_grid_at_the_current_values_is_the_current_loss(problem):
    inputs, targets, weight, bias = problem
    a, b = ("weight", 0, 1), ("bias", 0, 0)
    span_a = (param_value(weight, bias, a) - 1, param_value(weight, bias, a) + 1)
    span_b = (param_value(weight, bias, b) - 1, param_value(weight, bias, b) + 1)
    grid = loss_grid(inputs, targets, weight, bias, a, b, span_a, span_b, resolution=3)
    assert grid[1, 1] == pytest.approx(mse(inputs @ weight.T + bias, targets), rel=1e-12)


def test_loss_grid_reaches_the_least_squares_floor_at_the_optimum(problem):
    inputs, targets, *_ = problem
    best = least_squares(inputs, targets)
    a, b = ("weight", 1, 0), ("weight", 1, 2)
    span_a = (best.weight[1, 0] - 0.1, best.weight[1, 0] + 0.1)
    span_b = (best.weight[1, 2] - 0.1, best.weight[1, 2] + 0.1)
    grid = loss_grid(inputs, targets, best.weight, best.bias, a, b, span_a, span_b, resolution=5)
    assert grid[2, 2] == pytest.approx(best.loss, rel=1e-9)
    assert grid.min() == grid[2, 2]


def test_loss_grid_samples_rows_of_huge_data(problem):
    rng = np.random.default_rng(1)
    inputs = rng.normal(size=(5000, 2))
    targets = inputs @ np.array([[2.0], [-1.0]]) + 0.5 + rng.normal(scale=0.1, size=(5000, 1))
    weight, bias = np.zeros((1, 2)), np.zeros(1)
    args = (inputs, targets, weight, bias, ("weight", 0, 0), ("bias", 0, 0), (-1, 3), (-1, 2))
    sampled = loss_grid(*args, resolution=7, max_rows=1000)
    assert np.array_equal(sampled, loss_grid(*args, resolution=7, max_rows=1000))
    np.testing.assert_allclose(sampled, loss_grid(*args, resolution=7), rtol=0.15)


def test_loss_grid_needs_two_different_parameters(problem):
    with pytest.raises(ValueError, match="two different"):
        loss_grid(*problem, ("bias", 0, 0), ("bias", 0, 0), (0, 1), (0, 1))
    with pytest.raises(ValueError, match="'weight' or 'bias'"):
        loss_grid(*problem, ("scale", 0, 0), ("bias", 0, 0), (0, 1), (0, 1))


def test_default_span_covers_center_optimum_and_path_with_margin():
    lo, hi = default_span(0.5, -2.0, np.array([0.5, 0.1, -1.0, np.nan]))
    assert lo < -2.0 and hi > 0.5
    assert hi - lo == pytest.approx(2.5 * 1.5)
    lo, hi = default_span(3.0, None, np.array([3.0]))  # one point: a window around it
    assert lo < 3.0 < hi
    assert default_span(np.nan, None, np.array([])) == (-1.0, 1.0)
