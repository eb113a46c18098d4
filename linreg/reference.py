"""The trusted oracle: least squares in closed form, in float64, and the scores built on it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_EPS = float(np.finfo(np.float64).eps)
_ACCURATE_ENOUGH = 1e-12  # refine unless eps·cond² (the large-residual error bound) is below
_BLOCK_ROWS = 65536
_REFINEMENT_STEPS = (
    3  # each multiplies the error by about eps·cond([1 Z]); 3 reach float64's limit on NIST StRD
)


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

    The design [1, X] is solved as [1, (X − mean) / std] (centred and scaled columns, a
    constant column only centred) by SVD in float64; when that is ill-conditioned enough to
    lose digits, the solution is refined with the scaled design's QR: the residuals of the
    augmented system (r + [1 X]θ = y, [1 X]ᵀr = 0) are computed from the raw numbers in
    extended precision (np.longdouble) and corrected with the same QR, so that rounding the
    scaled design costs no digits (NIST StRD: ≥ 13 correct digits on Longley and Wampler1–5;
    Filip to the 7.6 its CSV holds).
    Rank-deficient inputs (a constant or repeated column, fewer rows than parameters) get the
    minimum-norm solution in the scaled columns, whose loss is still the optimum.
    """
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(targets, dtype=np.float64)
    with np.errstate(all="ignore"):
        weight, bias = _ScaledDesign(x).solve(y)
        loss = mse(x @ weight.T + bias, y)
    return LeastSquares(weight=weight, bias=bias, loss=loss)


class _ScaledDesign:
    """The design [1, X] of inputs X (N, D) as [1, Z] with Z = (X − mean) / scale.

    Parameters θ = (bias, weight) of the raw design and φ of the scaled one are tied by
    φ₀ = bias + mean·weight, φ_rest = scale ∘ weight.
    """

    def __init__(self, x: np.ndarray) -> None:
        self.x = x
        self.mean, self.scale = standardization(x)
        self.design = np.hstack([np.ones((len(x), 1)), (x - self.mean) / self.scale])  # (N, D+1)

    def solve(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight (K, D) and bias (K,) minimising ‖y − [1 X]θ‖ for targets y (N, K)."""
        phi, _, rank, singular = np.linalg.lstsq(self.design, y, rcond=None)
        weight, bias = self._raw(phi)
        if rank < self.design.shape[1]:
            return weight, bias  # minimum norm in the scaled columns
        condition = singular[0] / singular[-1]
        if _EPS * condition * condition < _ACCURATE_ENOUGH:
            return weight, bias  # already ~12 digits even with a large residual
        self.q, self.r = np.linalg.qr(self.design)  # (N, D+1), (D+1, D+1)
        residual = y - self.design @ phi
        for _ in range(_REFINEMENT_STEPS):
            f, u = self._misfit(y, residual, weight, bias)
            d_residual, d_phi = self._augmented(f, u)
            d_weight, d_bias = self._raw(d_phi)
            residual, weight, bias = residual + d_residual, weight + d_weight, bias + d_bias
        return weight, bias

    def _misfit(
        self, y: np.ndarray, residual: np.ndarray, weight: np.ndarray, bias: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """How far (residual r, θ) is from solving r + [1 X]θ = y, [1 X]ᵀr = 0, from the raw
        numbers in np.longdouble (row blocks bound the memory): f (N, K), and u (D+1, K)
        expressed for the scaled design."""
        weight_t, bias_long = weight.T.astype(np.longdouble), bias.astype(np.longdouble)
        f = np.empty_like(residual)
        g_bias = np.zeros(len(bias), dtype=np.longdouble)  # (K,)
        g_weight = np.zeros(weight_t.shape, dtype=np.longdouble)  # (D, K)
        for start in range(0, len(y), _BLOCK_ROWS):
            rows = slice(start, start + _BLOCK_ROWS)
            x = self.x[rows].astype(np.longdouble)
            r = residual[rows].astype(np.longdouble)
            f[rows] = y[rows] - r - (x @ weight_t + bias_long)
            g_bias -= r.sum(axis=0)
            g_weight -= x.T @ r
        u = np.vstack(
            [g_bias[None], (g_weight - self.mean[:, None] * g_bias) / self.scale[:, None]]
        )
        return f, u.astype(np.float64)

    def _augmented(self, f: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """r (N, K) and φ (D+1, K) with r + [1 Z]φ = f and [1 Z]ᵀr = u, through the QR."""
        h = np.linalg.solve(self.r.T, u)
        qf = self.q.T @ f
        residual = f - self.q @ (qf - h)
        return residual, np.linalg.solve(self.r, qf - h)

    def _raw(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weight (K, D) and bias (K,) of the raw design from φ (D+1, K) of the scaled one."""
        weight = (phi[1:] / self.scale[:, None]).T
        return weight, phi[0] - weight @ self.mean


def standardization(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean (C,) and scale (C,) of the columns of ``values`` (N, C) for z-scores: the population
    standard deviation, or 1 for a constant column (centred, not scaled). Trainer standardizes
    inputs and targets with it."""
    x = np.asarray(values, dtype=np.float64)
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def stable_learning_rate(inputs: np.ndarray, standardize: bool, n_targets: int = 1) -> float:
    """The largest learning rate at which plain full-batch gradient descent converges.

    linreg's loss ``sum(diff²) / (N·K)`` has, for each target's (weight, bias), the Hessian
    (2 / (N·K))·[X 1]ᵀ[X 1] (the same block for every target), so gradient descent is stable
    below 2 / λmax = N·K / λmax([X 1]ᵀ[X 1]); computed in float64 from inputs X (N, D),
    z-scored first (see ``standardization``) when ``standardize`` is true.
    """
    x = np.asarray(inputs, dtype=np.float64)
    if standardize:
        mean, scale = standardization(x)
        x = (x - mean) / scale
    design = np.hstack([x, np.ones((len(x), 1))])
    largest = float(np.linalg.eigvalsh(design.T @ design)[-1])
    return len(x) * n_targets / largest


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
