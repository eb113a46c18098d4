"""The least-squares floor against NIST's certified values, and the stable learning rate
against PyTorch's own Hessian and against training itself."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from linreg import TrainConfig, Trainer
from linreg.data import load_sample, select
from linreg.reference import least_squares, mse, stable_learning_rate

NIST = Path(__file__).resolve().parent / "data" / "nist"
CERTIFIED = json.loads((NIST / "certified.json").read_text())
WITH_INTERCEPT = [name for name, entry in CERTIFIED.items() if entry["intercept"]]
WITHOUT_INTERCEPT = [name for name, entry in CERTIFIED.items() if not entry["intercept"]]


def nist(name: str) -> tuple[np.ndarray, np.ndarray, dict]:
    """Inputs (N, D) and target (N, 1) of a NIST StRD CSV, read as numbers, and its entry."""
    entry = CERTIFIED[name]
    frame = pd.read_csv(NIST / f"{name}.csv", dtype=np.float64)
    inputs = frame[entry["inputs"]].to_numpy(copy=True)
    target = frame[[entry["target"]]].to_numpy(copy=True)
    return inputs, target, entry


def certified(entry: dict) -> tuple[np.ndarray, float]:
    """Certified weight (1, D) and bias from NIST's text, in the CSV's column order."""
    params = entry["params"]
    weight = np.array([[float(params[name]) for name in entry["inputs"]]])
    return weight, float(params["(intercept)"])


def correct_digits(estimate: np.ndarray, exact: np.ndarray) -> np.ndarray:
    """Log relative error (McCullough 1998): the number of correct significant digits."""
    with np.errstate(divide="ignore"):
        return -np.log10(np.abs(estimate - exact) / np.abs(exact))


def test_the_nist_folder_is_found_beside_the_checkout():
    assert len(WITH_INTERCEPT) == 9 and set(WITHOUT_INTERCEPT) == {"NoInt1", "NoInt2"}


@pytest.mark.parametrize("name", [name for name in WITH_INTERCEPT if name != "Filip"])
def test_every_parameter_to_seven_certified_digits(name):
    inputs, target, entry = nist(name)
    fit = least_squares(inputs, target)
    weight, bias = certified(entry)
    assert correct_digits(fit.weight, weight).min() >= 7
    assert correct_digits(fit.bias, np.array([bias])).min() >= 7


def test_filip_reaches_the_certified_loss_its_csv_allows():
    """Filip.csv carries its powers rounded to float64 (7.6 digits of the certified solution):
    the floor must be as low as the certified coefficients' loss on the same numbers."""
    inputs, target, entry = nist("Filip")
    fit = least_squares(inputs, target)
    weight, bias = certified(entry)
    certified_loss = mse(inputs @ weight.T + bias, target)
    assert fit.loss <= certified_loss * (1 + 1e-6)
    assert correct_digits(fit.weight, weight).min() >= 7  # measured 7.6: all the CSV holds


@pytest.mark.parametrize("name", WITHOUT_INTERCEPT)
def test_no_intercept_data_fitted_with_a_bias_like_numpy(name):
    """NoInt1/2 certify a line through the origin, which linreg never fits (it always has a
    bias); the fit with a bias is checked against numpy's float64 lstsq on [1, x] instead,
    a well-conditioned problem (x = 60…70 and 4…6) that lstsq solves to ~14 digits."""
    inputs, target, _ = nist(name)
    fit = least_squares(inputs, target)
    design = np.hstack([np.ones((len(inputs), 1)), inputs])
    theta, *_ = np.linalg.lstsq(design, target, rcond=None)
    np.testing.assert_allclose(fit.bias, theta[0], rtol=1e-10)
    np.testing.assert_allclose(fit.weight, theta[1:].T, rtol=1e-10)


def test_rank_deficient_inputs_still_reach_the_optimum():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(30, 2))
    inputs = np.hstack([base, base[:, :1] * 2.0, np.full((30, 1), 7.0)])  # repeated, constant
    targets = base @ [[1.0, -2.0], [0.5, 3.0]] + rng.normal(scale=0.1, size=(30, 2))
    fit = least_squares(inputs, targets)
    design = np.hstack([np.ones((30, 1)), base])
    theta, *_ = np.linalg.lstsq(design, targets, rcond=None)
    assert fit.loss == pytest.approx(mse(design @ theta, targets), rel=1e-12)


# --- the stable learning rate ----------------------------------------------------------------


def hessian_rate(inputs: np.ndarray, targets: np.ndarray, standardize: bool) -> float:
    """2 / λmax of the Hessian of linreg's loss in all of (weight, bias), by torch.autograd."""
    x = torch.from_numpy(inputs.copy())
    if standardize:
        x = (x - x.mean(0)) / x.std(0, unbiased=False)
    y = torch.from_numpy(targets.copy())
    n_targets, n_inputs = targets.shape[1], inputs.shape[1]

    def loss(parameters: torch.Tensor) -> torch.Tensor:
        weight = parameters[: n_targets * n_inputs].reshape(n_targets, n_inputs)
        bias = parameters[n_targets * n_inputs :]
        diff = x @ weight.t() + bias - y
        return torch.sum(diff * diff) / diff.numel()

    zero = torch.zeros(n_targets * (n_inputs + 1), dtype=torch.float64)
    hessian = torch.autograd.functional.hessian(loss, zero)
    return 2.0 / float(torch.linalg.eigvalsh(hessian)[-1])


@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("n_targets", [1, 2, 3])
def test_stable_rate_is_two_over_the_largest_eigenvalue_of_torchs_hessian(standardize, n_targets):
    rng = np.random.default_rng(n_targets)
    inputs = rng.normal(size=(7, 3)) * [1.0, 30.0, 0.2] + [0.0, 100.0, 5.0]
    targets = rng.normal(size=(7, n_targets))
    expected = hessian_rate(inputs, targets, standardize)
    assert stable_learning_rate(inputs, standardize, n_targets) == pytest.approx(expected, rel=1e-9)


def seed_problem() -> tuple[np.ndarray, np.ndarray]:
    dataset = select(load_sample("sample5"), targets=["apples", "oranges"])
    return dataset.inputs, dataset.targets


@pytest.mark.parametrize("standardize", [False, True])
def test_gradient_descent_converges_below_the_stable_rate_and_diverges_above(standardize):
    inputs, targets = seed_problem()
    rate = stable_learning_rate(inputs, standardize, n_targets=targets.shape[1])
    floor = least_squares(inputs, targets).loss

    def train(factor: float) -> Trainer:
        config = TrainConfig(learning_rate=factor * rate, standardize=standardize, seed=1)
        trainer = Trainer(inputs, targets, config)
        trainer.run(3000)
        return trainer

    below = train(0.9)
    assert not below.diverged
    losses = np.asarray(below.history.loss)
    assert losses[-1] < losses[0] and np.all(np.isfinite(losses))
    if standardize:  # well conditioned: the floor is reached
        assert below.current_loss() == pytest.approx(floor, rel=1e-3)
    above = train(1.1)
    assert above.diverged
