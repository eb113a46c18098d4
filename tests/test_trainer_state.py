"""A trainer's whole state as plain arrays: exported, sent as a room's fork blob (npz, no
pickle), rebuilt elsewhere, it trains on bit-identically to the run that never left (the
oracle), and to the seed loop for the scratch engine."""

import numpy as np
import pytest

from linreg import TrainConfig, Trainer
from linreg.dashboard.room import deserialize_checkpoint, serialize_checkpoint
from linreg.errors import LinregError
from linreg.history import History
from tests.test_checkpoint import assert_history_is, assert_same, record
from tests.test_trainer import SEED_INPUTS, SEED_TARGETS, seed_loop

CONFIGS = {
    "scratch full batch": TrainConfig(learning_rate=1e-5, seed=3),
    "nn adam": TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", seed=1),
    "nn adam mini-batches": TrainConfig(
        learning_rate=0.05, engine="nn", optimizer="adam", batch_size=2, seed=4
    ),
    "nn momentum mini-batches": TrainConfig(
        learning_rate=1e-5, engine="nn", optimizer="momentum", batch_size=2, seed=7
    ),
    "scratch mini-batches standardized inputs and targets": TrainConfig(
        learning_rate=0.01, batch_size=2, standardize=True, standardize_targets=True, seed=5
    ),
    "nn sgd standardized, normal init": TrainConfig(
        learning_rate=0.1, engine="nn", standardize=True, init="normal", seed=9
    ),
}


def through_a_blob(trainer: Trainer) -> Trainer:
    """What "Make it mine" does: state → npz bytes → arrays → a new trainer on the same data."""
    arrays, meta = trainer.state()
    blob = serialize_checkpoint(arrays, meta)
    arrays, meta = deserialize_checkpoint(blob)
    return Trainer.from_state(SEED_INPUTS, SEED_TARGETS, arrays, meta)


@pytest.mark.parametrize("epochs", [0, 1, 23])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_rebuilt_trainer_goes_on_bit_identical(config, epochs):
    presenter = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    presenter.run(epochs)
    attendee = through_a_blob(presenter)
    assert attendee.epoch == presenter.epoch == epochs
    assert_same(record(attendee), record(presenter))  # the history so far, equal
    presenter.run(31)
    attendee.run(31)
    assert_same(record(attendee), record(presenter))
    assert attendee.learning_rate == presenter.learning_rate


def test_rebuilt_scratch_run_equals_the_seed_loop():
    expected = list(seed_loop(seed=0, learning_rate=1e-5, epochs=30))
    presenter = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=1e-5, seed=0))
    presenter.run(12)
    attendee = through_a_blob(presenter)
    attendee.run(18)
    assert_history_is(attendee.history, expected)


def test_changed_learning_rate_and_its_history_travel():
    config = TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", seed=2)
    presenter = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    presenter.run(5)
    presenter.set_learning_rate(0.01)
    presenter.run(5)
    attendee = through_a_blob(presenter)
    assert attendee.learning_rate == 0.01
    np.testing.assert_array_equal(attendee.history.learning_rate, [0.05] * 5 + [0.01] * 5)
    presenter.run(7)
    attendee.run(7)
    assert_same(record(attendee), record(presenter))


def test_a_diverged_run_stays_diverged():
    presenter = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=1.0, seed=0))
    presenter.run(100)
    assert presenter.diverged
    attendee = through_a_blob(presenter)
    assert (attendee.diverged_at, attendee.divergence) == (
        presenter.diverged_at,
        presenter.divergence,
    )
    assert not attendee.step()
    assert_same(record(attendee), record(presenter))


def fill(history: History, epochs: int, rng: np.random.Generator) -> None:
    for _ in range(epochs):
        weight = rng.standard_normal((2, 3)).astype(np.float32)
        bias = rng.standard_normal(2).astype(np.float32)
        history.append(float(rng.random()), 0.1, weight, bias, weight * 2, bias * 2)


def history_record(history: History) -> dict:
    snapshots = [history.snapshot(int(e)) for e in history.snapshot_epochs]
    latest = history.latest()
    return {
        "loss": history.loss.copy(),
        "rate": history.learning_rate.copy(),
        "epochs": history.snapshot_epochs.copy(),
        "weights": np.stack([s.weight for s in snapshots]),
        "grads": np.stack([s.weight_grad for s in snapshots]),
        "latest": np.concatenate([latest.weight.ravel(), latest.bias]),
        "stride": np.array(history.stride),
    }


@pytest.mark.parametrize("epochs", [0, 100, 201, 1500])
def test_thinned_history_exports_and_goes_on_thinning_the_same_way(epochs):
    """A small budget (64 snapshots) makes the stride double; the imported record keeps the
    grid and thins on exactly as the original."""
    rng = np.random.default_rng(epochs)
    original = History(2, 3, budget_bytes=1)
    original.start(np.ones((2, 3), np.float32), np.zeros(2, np.float32))
    fill(original, epochs, rng)
    arrays, meta = original.export()
    copy = History.from_export(*deserialize_checkpoint(serialize_checkpoint(arrays, meta)))
    assert_same(history_record(copy), history_record(original))
    state = rng.bit_generator.state
    fill(original, 777, rng)
    rng.bit_generator.state = state
    fill(copy, 777, rng)
    assert original.stride > 1
    assert_same(history_record(copy), history_record(original))


def test_a_state_on_other_data_is_refused():
    presenter = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=0))
    presenter.run(3)
    arrays, meta = presenter.state()
    other = SEED_TARGETS.copy()
    other[0, 0] += 1
    with pytest.raises(LinregError) as error:
        Trainer.from_state(SEED_INPUTS, other, arrays, meta)
    assert error.value.code == "bad_checkpoint"
    del arrays["history/loss"]
    with pytest.raises(LinregError) as error:
        Trainer.from_state(SEED_INPUTS, SEED_TARGETS, arrays, meta)
    assert error.value.code == "bad_checkpoint"


def test_a_state_with_thinned_snapshots_still_goes_on_bit_identical():
    config = TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", batch_size=2, seed=6)
    presenter = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    presenter.run(300)
    per_snapshot = 2 * 4 * (2 * 3 + 2)
    arrays, meta = presenter.state(max_snapshot_bytes=40 * per_snapshot)
    assert len(arrays["history/snapshot_epochs"]) <= 40
    attendee = Trainer.from_state(SEED_INPUTS, SEED_TARGETS, arrays, meta)
    presenter.run(100)
    attendee.run(100)
    np.testing.assert_array_equal(attendee.history.loss, presenter.history.loss)
    np.testing.assert_array_equal(attendee.weight.detach(), presenter.weight.detach())
    np.testing.assert_array_equal(attendee.parameters()[0], presenter.parameters()[0])
    kept = attendee.history.snapshot_epochs
    assert set(kept) <= set(presenter.history.snapshot_epochs) and kept[0] == 0
    for epoch in kept:
        mine, theirs = attendee.history.snapshot(int(epoch)), presenter.history.snapshot(int(epoch))
        np.testing.assert_array_equal(mine.weight, theirs.weight)
        np.testing.assert_array_equal(mine.weight_grad, theirs.weight_grad)
