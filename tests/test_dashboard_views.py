"""The numbers each view shows (linreg.dashboard.views), against the trainer and closed forms."""

import numpy as np
import pytest
import torch

from linreg import History, TrainConfig, Trainer, least_squares, r2_score
from linreg.dashboard import landscape, live, views
from linreg.dashboard.settings import Settings
from linreg.dashboard.workbench import Workbench
from linreg.formatting import number


@pytest.fixture
def wb():
    bench = Workbench(Settings())
    bench.run(5)
    return bench


def test_readouts_read_the_loss_after_each_epoch(wb):
    """The live views' readouts (``live.frame``): loss, its change and R² of each epoch."""
    trainer = wb.trainer
    assert wb.optimum == least_squares(wb.dataset.inputs, wb.dataset.targets).loss
    for epoch in range(trainer.epoch + 1):
        shown = live.frame(trainer, wb.dataset, epoch)
        weight, bias = trainer.parameters(epoch)
        predictions = wb.dataset.inputs @ weight.T + bias
        # The loss after an epoch, recomputed from its weights in float32 as the trainer does.
        x = torch.tensor(wb.dataset.inputs, dtype=torch.float32)
        y = torch.tensor(wb.dataset.targets, dtype=torch.float32)
        w32 = torch.tensor(trainer.history.snapshot(epoch).weight)
        b32 = torch.tensor(trainer.history.snapshot(epoch).bias)
        diff = x @ w32.t() + b32 - y
        loss = (diff * diff).mean().item()
        assert trainer.loss_after(epoch) == pytest.approx(loss, rel=1e-6)
        assert shown.loss_text == number(trainer.loss_after(epoch))
        np.testing.assert_allclose(shown.r2, r2_score(wb.dataset.targets, predictions), rtol=1e-6)
        if epoch == 0:
            assert shown.change_text is None
        else:
            change = trainer.loss_after(epoch) - trainer.loss_after(epoch - 1)
            assert shown.change_text == number(change)


def test_the_loss_after_the_last_epoch_is_the_current_loss(wb):
    trainer = wb.trainer
    assert trainer.loss_after(trainer.epoch) == trainer.current_loss()
    np.testing.assert_array_equal(
        trainer.losses_after(), [trainer.loss_after(e) for e in range(trainer.epoch + 1)]
    )


def test_step_view_repeats_the_seeds_update_by_hand(wb):
    trainer, ds = wb.trainer, wb.dataset
    epoch = 3
    step = views.step_view(wb, epoch)
    before, after = trainer.history.snapshot(epoch - 1), trainer.history.snapshot(epoch)
    # Step 1 by hand: the first rows' predictions with the weights before the epoch.
    expected = ds.inputs[: views.STEP_ROWS] @ before.weight.T.astype(np.float64) + before.bias
    np.testing.assert_allclose(step.predictions, expected, rtol=1e-6)
    # Step 2: the loss measured before the update, over N·K cells.
    assert step.loss == trainer.history.loss[epoch - 1]
    assert step.cells == ds.n_rows * ds.n_targets
    # Steps 3–4: the gradient of the MSE at the old weights, and old − lr · grad = new.
    x, y = ds.inputs, ds.targets
    residual = x @ before.weight.T.astype(np.float64) + before.bias - y
    grad_w = 2 * residual.T @ x / residual.size
    grad_b = 2 * residual.sum(axis=0) / residual.size
    np.testing.assert_allclose(step.grad, np.concatenate([grad_w.ravel(), grad_b]), rtol=1e-4)
    np.testing.assert_allclose(step.new, step.old - step.learning_rate * step.grad, rtol=1e-6)
    assert step.parameter_names[0] == "W[apples, temperature]"
    assert step.parameter_names[-1] == "b[oranges]"
    np.testing.assert_array_equal(step.new, np.concatenate([after.weight.ravel(), after.bias]))


def test_step_view_is_none_when_the_epoch_was_not_kept(monkeypatch):
    monkeypatch.setattr(History.__init__, "__defaults__", (0,))  # room for 64 snapshots only
    bench = Workbench(Settings())
    bench.run(200)
    thinned = [e for e in range(1, 201) if bench.trainer.history.snapshot(e).epoch != e]
    assert thinned
    assert views.step_view(bench, thinned[0]) is None
    assert (
        views.step_view(bench, 200) is not None or bench.trainer.history.snapshot(199).epoch != 199
    )


def test_landscape_view_spans_the_path_and_the_optimum(wb):
    params = views.landscape_params(wb)
    assert len(params) == 2 * 3 + 2
    a, b = ("weight", 0, 0), ("bias", 1, 0)
    shown = views.landscape_view(wb, wb.trainer.epoch, a, b)
    assert shown.loss.shape == (views.LANDSCAPE_RESOLUTION, views.LANDSCAPE_RESOLUTION)
    reference = least_squares(wb.dataset.inputs, wb.dataset.targets)
    assert shown.optimum == (reference.weight[0, 0], reference.bias[1])
    for values, path, best in (
        (shown.xs, shown.path_a, shown.optimum[0]),
        (shown.ys, shown.path_b, shown.optimum[1]),
    ):
        assert values[0] <= min(path.min(), best) and values[-1] >= max(path.max(), best)
    weight, bias = wb.trainer.parameters()
    assert shown.path_a[-1] == landscape.param_value(weight, bias, a)
    # The grid's loss at one point, recomputed directly.
    i, j = 7, 11
    w, bb = weight.copy(), bias.copy()
    w[0, 0], bb[1] = shown.xs[j], shown.ys[i]
    direct = np.mean((wb.dataset.inputs @ w.T + bb - wb.dataset.targets) ** 2)
    assert shown.loss[i, j] == pytest.approx(direct, rel=1e-9)


def test_equations_write_each_target_out():
    lines = views.equations(np.array([[0.5, -2.0]]), np.array([1.25]), ["rain", "sun"], ["apples"])
    assert lines == ["apples = 0.5·rain − 2·sun + 1.25"]


def test_run_with_a_time_limit_stops_early_and_continues_exactly():
    bench = Workbench(Settings())
    inputs, targets = bench.dataset.inputs, bench.dataset.targets
    timed = Trainer(inputs, targets, TrainConfig())
    done = timed.run(10_000_000, seconds=0.05)
    assert 1 <= done < 10_000_000 and timed.epoch == done
    plain = Trainer(inputs, targets, TrainConfig())
    plain.run(done)
    np.testing.assert_array_equal(timed.history.loss, plain.history.loss)
    assert timed.run(3, seconds=10) == 3  # the epoch limit wins over a long time limit


def test_workbench_run_trains_nothing_when_no_longer_wanted():
    bench = Workbench(Settings())
    assert bench.run(5, wanted=lambda: False) == 0 and bench.trainer.epoch == 0
    assert bench.run(5) == 5
