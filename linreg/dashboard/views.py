"""The numbers each view shows, for the epoch on screen; the page only draws them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linreg.dashboard import landscape
from linreg.dashboard.landscape import Param
from linreg.dashboard.workbench import Workbench
from linreg.formatting import equation

STEP_ROWS = 10  # rows whose predictions "Inside one step" shows
LANDSCAPE_RESOLUTION = 60  # grid points along each axis of the loss landscape
LANDSCAPE_PATH_POINTS = 400  # at most this many epochs of the path are drawn


def equations(weight: np.ndarray, bias: np.ndarray, input_names, target_names) -> list[str]:
    """Each target written out: apples = 0.1·temperature − 0.2·rainfall + … + 0.5.

    weight (K, D) and bias (K,) in original units.
    """
    return [
        f"{name} = {equation(row, b, input_names)}"
        for name, row, b in zip(target_names, weight, bias, strict=True)
    ]


@dataclass(frozen=True)
class StepView:
    """Epoch ``epoch`` taken apart into the seed's five steps, in training units."""

    epoch: int
    predictions: np.ndarray  # (rows, K) step 1 on the first rows, with the weights before it
    loss: float  # step 2, over all N·K cells
    cells: int
    learning_rate: float
    parameter_names: list[str]  # W[target, input] row by row, then b[target]
    old: np.ndarray  # (K·D + K,) weights then biases before the epoch
    grad: np.ndarray  # the gradients that produced the update
    new: np.ndarray  # after it


def step_view(wb: Workbench, epoch: int) -> StepView | None:
    """The numbers of ``epoch`` (≥ 1); None when the history kept only some epochs' weights."""
    trainer, ds = wb.trainer, wb.dataset
    before, after = trainer.history.snapshot(epoch - 1), trainer.history.snapshot(epoch)
    if before.epoch != epoch - 1 or after.epoch != epoch:
        return None
    rows = min(ds.n_rows, STEP_ROWS)
    x = (ds.inputs[:rows] - trainer.input_mean) / trainer.input_scale
    names = [f"W[{tn}, {xn}]" for tn in ds.target_names for xn in ds.input_names]
    names += [f"b[{tn}]" for tn in ds.target_names]
    return StepView(
        epoch=epoch,
        predictions=x @ before.weight.astype(np.float64).T + before.bias,
        loss=float(trainer.history.loss[epoch - 1]),
        cells=ds.n_rows * ds.n_targets,
        learning_rate=after.learning_rate,
        parameter_names=names,
        old=np.concatenate([before.weight.ravel(), before.bias]),
        grad=np.concatenate([after.weight_grad.ravel(), after.bias_grad]),
        new=np.concatenate([after.weight.ravel(), after.bias]),
    )


def landscape_params(wb: Workbench) -> dict[Param, str]:
    """Every parameter the landscape can put on an axis, with its name: W[apples, rainfall]."""
    ds = wb.dataset
    params: dict[Param, str] = {}
    for k, target in enumerate(ds.target_names):
        for d, name in enumerate(ds.input_names):
            params[("weight", k, d)] = f"W[{target}, {name}]"
    for k, target in enumerate(ds.target_names):
        params[("bias", k, 0)] = f"b[{target}]"
    return params


@dataclass(frozen=True)
class LandscapeView:
    """The loss over two parameters, the others held at the epoch's values."""

    xs: np.ndarray  # (R,) values of parameter a
    ys: np.ndarray  # (R,) values of parameter b
    loss: np.ndarray  # (R, R) loss at (ys[i], xs[j]) in [i, j]
    path_a: np.ndarray  # the path training took so far, up to the epoch
    path_b: np.ndarray
    optimum: tuple[float, float]  # the least-squares point


def landscape_view(wb: Workbench, epoch: int, a: Param, b: Param) -> LandscapeView:
    trainer, ds = wb.trainer, wb.dataset
    weight, bias = trainer.parameters(epoch)
    kept = trainer.history.snapshot_epochs
    kept = kept[kept <= epoch]
    stride = max(1, len(kept) // LANDSCAPE_PATH_POINTS)
    path = [trainer.parameters(int(e)) for e in kept[::stride]] + [(weight, bias)]
    path_a = np.array([landscape.param_value(w, b_, a) for w, b_ in path])
    path_b = np.array([landscape.param_value(w, b_, b) for w, b_ in path])
    optimum = tuple(
        landscape.param_value(wb.reference.weight, wb.reference.bias, p) for p in (a, b)
    )
    span_a = landscape.default_span(landscape.param_value(weight, bias, a), optimum[0], path_a)
    span_b = landscape.default_span(landscape.param_value(weight, bias, b), optimum[1], path_b)
    grid = landscape.loss_grid(
        ds.inputs, ds.targets, weight, bias, a, b, span_a, span_b, LANDSCAPE_RESOLUTION
    )
    return LandscapeView(
        landscape.grid_values(span_a, LANDSCAPE_RESOLUTION),
        landscape.grid_values(span_b, LANDSCAPE_RESOLUTION),
        grid,
        path_a,
        path_b,
        optimum,
    )
