"""The trusted oracle: least squares in closed form, in float64, and the scores built on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LeastSquares:
    """The best possible linear fit: ``targets ≈ inputs @ weight.T + bias``."""

    weight: np.ndarray  # (K, D) float64
    bias: np.ndarray  # (K,) float64
    loss: float  # mean squared error over all N·K cells: the floor training can reach


def mse(predictions: np.ndarray, targets: np.ndarray) -> float:
    """Mean of squared differences over every cell, the seed's ``sum(d * d) / d.numel()``."""
    diff = np.asarray(predictions, dtype=np.float64) - np.asarray(targets, dtype=np.float64)
    return float(np.mean(diff * diff)) if diff.size else float("nan")


def least_squares(inputs: np.ndarray, targets: np.ndarray) -> LeastSquares:
    """Solve for the optimal weight (K, D) and bias (K,) from inputs (N, D) and targets (N, K).

    Works on centred data (better conditioned), then recovers the bias from the means.
    Rank-deficient inputs (a constant or repeated column) get the minimum-norm solution,
    whose loss is still the optimum.
    """
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    x_mean, y_mean = x.mean(axis=0), y.mean(axis=0)
    with np.errstate(all="ignore"):
        solution, *_ = np.linalg.lstsq(x - x_mean, y - y_mean, rcond=None)  # (D, K)
        weight = solution.T.copy()
        bias = y_mean - weight @ x_mean
        loss = mse(x @ weight.T + bias, y)
    return LeastSquares(weight=weight, bias=bias, loss=loss)


def r2_score(targets: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """Coefficient of determination per target, (K,). A constant target scores 1 if fitted exactly, else 0."""
    y = np.asarray(targets, dtype=np.float64)
    p = np.asarray(predictions, dtype=np.float64)
    with np.errstate(all="ignore"):
        ss_res = np.sum((y - p) ** 2, axis=0)
        ss_tot = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
        r2 = 1.0 - ss_res / ss_tot
    constant = ss_tot == 0
    r2[constant] = np.where(ss_res[constant] == 0, 1.0, 0.0)
    return r2
