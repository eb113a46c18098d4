"""Checkpoint and restore: training on from a restored checkpoint gives bit-identical numbers to
an uninterrupted run (the oracle), and the seed loop's numbers for the scratch engine."""

import numpy as np
import pytest
import torch

from linreg import TrainConfig, Trainer
from linreg.history import History
from tests.test_trainer import SEED_INPUTS, SEED_TARGETS, seed_loop

CONFIGS = {
    "scratch full batch": TrainConfig(learning_rate=1e-5, seed=3),
    "nn adam": TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", seed=1),
    "nn momentum mini-batches": TrainConfig(
        learning_rate=1e-5, engine="nn", optimizer="momentum", batch_size=2, seed=7
    ),
    "scratch mini-batches standardized": TrainConfig(
        learning_rate=0.01, batch_size=2, standardize=True, seed=5
    ),
}


def record(trainer: Trainer) -> dict[str, np.ndarray]:
    """Every number the run has produced: losses, rates, and each kept snapshot."""
    history = trainer.history
    snapshots = [history.snapshot(int(e)) for e in history.snapshot_epochs]
    return {
        "loss": history.loss.copy(),
        "learning_rate": history.learning_rate.copy(),
        "snapshot_epochs": history.snapshot_epochs.copy(),
        "weights": np.stack([s.weight for s in snapshots]),
        "biases": np.stack([s.bias for s in snapshots]),
        "weight_grads": np.stack([s.weight_grad for s in snapshots]),
        "bias_grads": np.stack([s.bias_grad for s in snapshots]),
        "weight": trainer.weight.detach().numpy().copy(),
        "bias": trainer.bias.detach().numpy().copy(),
        "current_loss": np.array(trainer.current_loss()),
    }


def assert_history_is(history: History, expected) -> None:
    """Each epoch's loss, weights, bias and weight gradient equal ``expected``'s (the seed
    loop's ``(loss, weight, bias, weight_grad)`` per epoch), bit for bit."""
    for epoch, (loss, weight, bias, weight_grad) in enumerate(expected, start=1):
        snapshot = history.snapshot(epoch)
        assert history.loss[epoch - 1] == loss
        np.testing.assert_array_equal(snapshot.weight, weight)
        np.testing.assert_array_equal(snapshot.bias, bias)
        np.testing.assert_array_equal(snapshot.weight_grad, weight_grad)


def assert_same(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_restore_then_train_equals_an_uninterrupted_run(config):
    uninterrupted = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    uninterrupted.run(40)

    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    trainer.run(15)
    checkpoint = trainer.checkpoint()
    trainer.run(12)  # the batch played ahead
    trainer.restore(checkpoint)
    assert trainer.epoch == 15
    trainer.run(25)
    assert_same(record(trainer), record(uninterrupted))


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_one_checkpoint_restores_the_same_run_twice(config):
    """The optimizer's moments and the generator are copied, not shared with later epochs."""
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    trainer.run(5)
    checkpoint = trainer.checkpoint()
    runs = []
    for _ in range(2):
        trainer.run(10)
        runs.append(record(trainer))
        trainer.restore(checkpoint)
    assert_same(runs[0], runs[1])


def test_restored_scratch_run_goes_on_equal_to_the_seed_loop():
    expected = list(seed_loop(seed=0, learning_rate=1e-5, epochs=30))
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=1e-5, seed=0))
    trainer.run(10)
    checkpoint = trainer.checkpoint()
    trainer.run(7)
    trainer.restore(checkpoint)
    trainer.run(20)
    assert_history_is(trainer.history, expected)


def test_restore_brings_back_the_learning_rate_and_an_earlier_checkpoint_from_epoch_zero():
    config = TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", seed=2)
    uninterrupted = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    uninterrupted.run(8)
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    start = trainer.checkpoint()
    trainer.set_learning_rate(0.5)
    trainer.run(6)
    trainer.restore(start)
    assert trainer.learning_rate == 0.05 and trainer.epoch == 0
    assert trainer._optimizer.param_groups[0]["lr"] == 0.05
    trainer.run(8)
    assert_same(record(trainer), record(uninterrupted))


def test_restore_before_a_divergence_clears_it_and_it_happens_again_at_the_same_epoch():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=3e-4))
    assert trainer.run(3) == 3
    checkpoint = trainer.checkpoint()
    trainer.run(1000)
    diverged_at, divergence = trainer.diverged_at, trainer.divergence
    assert diverged_at is not None
    trainer.restore(checkpoint)
    assert not trainer.diverged and trainer.divergence is None and trainer.epoch == 3
    trainer.run(1000)
    assert (trainer.diverged_at, trainer.divergence) == (diverged_at, divergence)


def test_a_checkpoint_ahead_of_the_run_is_refused():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS)
    trainer.run(5)
    later = trainer.checkpoint()
    trainer.restore(Trainer(SEED_INPUTS, SEED_TARGETS).checkpoint())
    with pytest.raises(ValueError, match="ahead"):
        trainer.restore(later)


def test_global_rng_is_untouched_by_checkpoint_and_restore():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, CONFIGS["nn momentum mini-batches"])
    trainer.run(3)
    checkpoint = trainer.checkpoint()
    trainer.run(3)
    trainer.restore(checkpoint)
    assert torch.equal(torch.random.get_rng_state(), before)


def _thinned_history(epochs: int) -> History:
    history = History(2, 3, budget_bytes=64 * 100)  # room for 100 snapshots
    weight, bias = np.zeros((2, 3), np.float32), np.zeros(2, np.float32)
    history.start(weight, bias)
    for epoch in range(1, epochs + 1):
        history.append(float(epoch), 0.1, weight + epoch, bias + epoch, weight - epoch, bias)
    return history


def test_truncate_of_a_thinned_history_then_appending_equals_appending_on_the_same_grid():
    history = _thinned_history(1000)
    stride = history.stride
    assert stride > 1
    kept_epoch = 8 * stride
    history.truncate(kept_epoch + 3, latest=(np.full((2, 3), kept_epoch + 3.0), np.zeros(2)))
    assert history.n_epochs == kept_epoch + 3
    np.testing.assert_array_equal(history.loss, np.arange(1, kept_epoch + 4, dtype=float))
    assert history.snapshot_epochs[-1] == kept_epoch
    assert np.all(history.snapshot_epochs % stride == 0)
    assert history.latest().epoch == kept_epoch + 3
    assert history.latest().weight[0, 0] == kept_epoch + 3
    weight, bias = np.zeros((2, 3), np.float32), np.zeros(2, np.float32)
    for epoch in range(kept_epoch + 4, 1001):
        history.append(float(epoch), 0.1, weight + epoch, bias + epoch, weight - epoch, bias)
    uninterrupted = _thinned_history(1000)
    np.testing.assert_array_equal(history.loss, uninterrupted.loss)
    # Thinning drops the same epochs again, so the grid ends where the uninterrupted one does.
    assert history.stride == uninterrupted.stride
    np.testing.assert_array_equal(history.snapshot_epochs, uninterrupted.snapshot_epochs)
    for epoch in history.snapshot_epochs:
        a, b = history.snapshot(int(epoch)), uninterrupted.snapshot(int(epoch))
        np.testing.assert_array_equal(a.weight, b.weight)
        np.testing.assert_array_equal(a.weight_grad, b.weight_grad)


def test_truncate_to_a_thinned_epoch_needs_its_parameters():
    history = _thinned_history(1000)
    odd = history.stride + 1
    with pytest.raises(ValueError, match="not kept"):
        history.truncate(odd)
    with pytest.raises(IndexError):
        history.truncate(1001)
