"""The loss as a function of two chosen parameters, the others held fixed: a grid for a contour.

A parameter is named ``("weight", k, d)`` (target k, input d) or ``("bias", k, 0)``. Moving
one parameter by δ adds ``δ·f`` to column k of the residuals, where ``f`` is input column d
(a weight) or ones (a bias). The mean squared error is therefore a quadratic in the two
chosen parameters; its coefficients are a few dot products over the rows, computed once.
"""

from __future__ import annotations

import numpy as np

Param = tuple[str, int, int]

MAX_ROWS = 200_000


def param_value(weight: np.ndarray, bias: np.ndarray, param: Param) -> float:
    """The current value of ``param`` in weight (K, D) and bias (K,)."""
    kind, k, d = param
    return float(weight[k, d] if kind == "weight" else bias[k])


def grid_values(span: tuple[float, float], resolution: int = 60) -> np.ndarray:
    """(resolution,) evenly spaced values across ``span``: one axis of ``loss_grid``."""
    return np.linspace(span[0], span[1], resolution)


def loss_grid(
    inputs: np.ndarray,
    targets: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    a: Param,
    b: Param,
    span_a: tuple[float, float],
    span_b: tuple[float, float],
    resolution: int = 60,
    max_rows: int = MAX_ROWS,
) -> np.ndarray:
    """(resolution, resolution) MSE over all N·K cells; row i sets ``b``, column j sets ``a``.

    inputs (N, D), targets (N, K), weight (K, D), bias (K,). The grid values are
    ``grid_values(span_a, resolution)`` for ``a`` and likewise for ``b``; every other
    parameter keeps its value. Past ``max_rows`` rows, a fixed random sample of rows
    (seed 0) estimates the loss.
    """
    if _key(a) == _key(b):
        raise ValueError(f"choose two different parameters, found {a} twice")
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64)
    if len(x) > max_rows:
        rows = np.sort(np.random.default_rng(0).choice(len(x), max_rows, replace=False))
        x, y = x[rows], y[rows]
    residual = x @ weight.T + bias - y  # (N, K) at the current parameters
    f_a, f_b = _direction(x, a), _direction(x, b)
    r_a, r_b = residual[:, a[1]], residual[:, b[1]]
    delta_a = grid_values(span_a, resolution) - param_value(weight, bias, a)
    delta_b = grid_values(span_b, resolution) - param_value(weight, bias, b)
    da, db = delta_a[None, :], delta_b[:, None]
    # ‖r + δa·fa + δb·fb‖² expanded; fa and fb only share a column when they share a target.
    sse = (
        np.sum(residual * residual)
        + 2 * da * (r_a @ f_a)
        + da * da * (f_a @ f_a)
        + 2 * db * (r_b @ f_b)
        + db * db * (f_b @ f_b)
    )
    if a[1] == b[1]:
        sse = sse + 2 * da * db * (f_a @ f_b)
    return sse / residual.size


def default_span(
    center: float, optimum: float | None, path_values: np.ndarray, margin: float = 0.25
) -> tuple[float, float]:
    """A range covering the current value, the optimum and the path, widened by ``margin`` each side."""
    values = np.concatenate(
        [[center], [np.nan if optimum is None else optimum], np.ravel(path_values)]
    ).astype(np.float64)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return (-1.0, 1.0)
    lo, hi = float(values.min()), float(values.max())
    width = hi - lo
    if width <= 1e-12 * max(abs(lo), abs(hi), 1.0):
        width = max(abs(hi), 1.0)  # a single point: show a window around it
    return (lo - margin * width, hi + margin * width)


def _key(param: Param) -> tuple[str, int, int]:
    kind, k, d = param
    return (kind, int(k), int(d) if kind == "weight" else 0)


def _direction(inputs: np.ndarray, param: Param) -> np.ndarray:
    """(N,) change in column k of the residuals per unit change of ``param``."""
    kind, _, d = param
    if kind == "weight":
        return inputs[:, d]
    if kind == "bias":
        return np.ones(len(inputs))
    raise ValueError(f"a parameter is 'weight' or 'bias', found {kind!r}")
