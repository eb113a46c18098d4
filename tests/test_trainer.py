"""The trainer checked against trusted oracles: the seed's own loop, analytic gradients, least squares."""

import numpy as np
import pytest
import torch

from linreg import LinregError, TrainConfig, Trainer, least_squares, mse, r2_score
from linreg.history import History

SEED_INPUTS = np.array(
    [[73, 67, 43], [91, 88, 64], [87, 134, 58], [102, 43, 37], [69, 96, 70]], dtype=np.float32
)
SEED_TARGETS = np.array([[56, 70], [81, 101], [119, 133], [22, 37], [103, 119]], dtype=np.float32)


def seed_loop(seed: int, learning_rate: float, epochs: int):
    """The notebook's loop, verbatim in spirit, under torch.manual_seed (global RNG restored after)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        pesos = torch.rand(2, 3, requires_grad=True)
        sesgos = torch.rand(2, requires_grad=True)
    entradas, resultados = torch.from_numpy(SEED_INPUTS), torch.from_numpy(SEED_TARGETS)
    for _ in range(epochs):
        predicciones = entradas @ pesos.t() + sesgos
        diff = predicciones - resultados
        loss = torch.sum(diff * diff) / diff.numel()
        loss.backward()
        with torch.no_grad():
            pesos -= pesos.grad * learning_rate
            sesgos -= sesgos.grad * learning_rate
        yield (
            loss.item(),
            pesos.detach().numpy().copy(),
            sesgos.detach().numpy().copy(),
            pesos.grad.numpy().copy(),
        )
        pesos.grad.zero_()
        sesgos.grad.zero_()


@pytest.mark.parametrize("seed,learning_rate", [(0, 1e-5), (42, 5e-5), (7, 1e-4)])
def test_scratch_engine_equals_the_seed_loop_epoch_by_epoch(seed, learning_rate):
    trainer = Trainer(
        SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=learning_rate, seed=seed)
    )
    for epoch, (loss, weight, bias, weight_grad) in enumerate(
        seed_loop(seed, learning_rate, 300), start=1
    ):
        assert trainer.step()
        snap = trainer.history.snapshot(epoch)
        assert trainer.history.loss[epoch - 1] == loss
        np.testing.assert_array_equal(snap.weight, weight)
        np.testing.assert_array_equal(snap.bias, bias)
        np.testing.assert_array_equal(snap.weight_grad, weight_grad)
    *_, (next_loss, _, _, _) = seed_loop(seed, learning_rate, 301)
    assert trainer.current_loss() == next_loss


def test_first_loss_is_the_loss_of_the_initial_weights_and_current_loss_is_the_next():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=3))
    weight, bias = trainer.parameters(0)
    expected = mse(SEED_INPUTS.astype(np.float64) @ weight.T + bias, SEED_TARGETS)
    before = trainer.current_loss()
    trainer.step()
    assert trainer.history.loss[0] == before
    assert trainer.history.loss[0] == pytest.approx(expected, rel=1e-6)
    after = trainer.current_loss()
    trainer.step()
    assert trainer.history.loss[1] == after


def test_uniform_init_matches_torch_rand_under_manual_seed():
    with torch.random.fork_rng():
        torch.manual_seed(123)
        expected_weight, expected_bias = torch.rand(2, 3), torch.rand(2)
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=123))
    np.testing.assert_array_equal(trainer.history.snapshot(0).weight, expected_weight.numpy())
    np.testing.assert_array_equal(trainer.history.snapshot(0).bias, expected_bias.numpy())


@pytest.mark.parametrize("init", ["uniform", "normal", "zeros"])
def test_both_engines_start_from_the_same_point(init):
    scratch = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(init=init, seed=5))
    nn = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(init=init, seed=5, engine="nn"))
    np.testing.assert_array_equal(scratch.history.snapshot(0).weight, nn.history.snapshot(0).weight)
    np.testing.assert_array_equal(scratch.history.snapshot(0).bias, nn.history.snapshot(0).bias)
    if init == "zeros":
        assert not scratch.history.snapshot(0).weight.any()


def test_gradients_equal_the_analytic_mse_gradient():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=1, init="normal"))
    weight, bias = trainer.parameters(0)
    x, y = SEED_INPUTS.astype(np.float64), SEED_TARGETS.astype(np.float64)
    residual = x @ weight.T + bias - y  # (N, K)
    expected_weight_grad = 2.0 / residual.size * residual.T @ x  # d(mean r²)/dW
    expected_bias_grad = 2.0 / residual.size * residual.sum(axis=0)
    trainer.step()
    snap = trainer.history.snapshot(1)
    np.testing.assert_allclose(snap.weight_grad, expected_weight_grad, rtol=1e-4)
    np.testing.assert_allclose(snap.bias_grad, expected_bias_grad, rtol=1e-4)
    # ... and the update is old − lr·grad = new, in float32 exactly as the seed writes it.
    lr = np.float32(trainer.history.learning_rate[0])
    old = trainer.history.snapshot(0).weight
    np.testing.assert_array_equal(snap.weight, old - snap.weight_grad * lr)


def test_least_squares_recovers_known_weights_and_training_reaches_the_floor():
    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(200, 4)) * [1, 10, 100, 0.1] + [0, 5, -50, 1]
    true_weight = np.array([[1.5, -0.2, 0.03, 4.0], [0.0, 0.7, -0.01, -2.0]])
    true_bias = np.array([3.0, -1.0])
    targets = inputs @ true_weight.T + true_bias
    fit = least_squares(inputs, targets)
    np.testing.assert_allclose(fit.weight, true_weight, atol=1e-9)
    np.testing.assert_allclose(fit.bias, true_bias, atol=1e-8)
    assert fit.loss < 1e-18

    noisy = targets + rng.normal(scale=0.5, size=targets.shape)
    fit = least_squares(inputs, noisy)
    trainer = Trainer(
        inputs,
        noisy,
        TrainConfig(engine="nn", optimizer="adam", learning_rate=0.05, standardize=True),
    )
    trainer.run(3000)
    assert trainer.current_loss() == pytest.approx(fit.loss, rel=1e-3)
    weight, bias = trainer.parameters()
    np.testing.assert_allclose(weight, fit.weight, rtol=1e-2, atol=1e-3)
    np.testing.assert_allclose(bias, fit.bias, rtol=1e-2, atol=1e-2)


def test_sample_optimum_and_r2_against_numpy():
    fit = least_squares(SEED_INPUTS, SEED_TARGETS)
    x1 = np.hstack([SEED_INPUTS.astype(np.float64), np.ones((5, 1))])
    theta, *_ = np.linalg.lstsq(x1, SEED_TARGETS.astype(np.float64), rcond=None)
    np.testing.assert_allclose(fit.weight, theta[:3].T, rtol=1e-9)
    assert fit.loss == pytest.approx(0.4831212220582, rel=1e-9)
    predictions = x1 @ theta
    y = SEED_TARGETS.astype(np.float64)
    manual = 1 - ((y - predictions) ** 2).sum(0) / ((y - y.mean(0)) ** 2).sum(0)
    np.testing.assert_allclose(r2_score(y, predictions), manual)
    assert list(r2_score(np.ones((3, 1)), np.ones((3, 1)))) == [1.0]
    assert list(r2_score(np.ones((3, 1)), np.zeros((3, 1)))) == [0.0]


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(seed=9),
        TrainConfig(seed=9, batch_size=2, init="normal"),
        TrainConfig(seed=9, engine="nn", optimizer="adam", batch_size=3, learning_rate=0.01),
    ],
)
def test_same_seed_same_numbers_and_global_rng_untouched(config):
    before = torch.get_rng_state()
    runs = []
    for _ in range(2):
        trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
        trainer.run(50)
        runs.append((trainer.history.loss.copy(), trainer.parameters()))
    assert torch.equal(torch.get_rng_state(), before)
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1][0], runs[1][1][0])
    other = Trainer(SEED_INPUTS, SEED_TARGETS, config.with_(seed=10))
    other.run(50)
    assert not np.array_equal(other.history.loss, runs[0][0])


def test_mini_batches_are_shuffled_by_the_trainers_generator_and_loss_is_full_data():
    config = TrainConfig(seed=4, batch_size=2, learning_rate=1e-5)
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    g = torch.Generator().manual_seed(4)
    weight, bias = (
        torch.rand(2, 3, generator=g, requires_grad=True),
        torch.rand(2, generator=g, requires_grad=True),
    )
    x, y = torch.from_numpy(SEED_INPUTS), torch.from_numpy(SEED_TARGETS)
    for epoch in range(1, 4):
        with torch.no_grad():
            d = x @ weight.t() + bias - y
            full_loss = (torch.sum(d * d) / d.numel()).item()
        for rows in torch.randperm(5, generator=g).split(2):
            d = x[rows] @ weight.t() + bias - y[rows]
            (torch.sum(d * d) / d.numel()).backward()
            with torch.no_grad():
                weight -= weight.grad * 1e-5
                bias -= bias.grad * 1e-5
            last_grad = weight.grad.clone()
            weight.grad.zero_()
            bias.grad.zero_()
        trainer.step()
        assert trainer.history.loss[epoch - 1] == full_loss
        np.testing.assert_array_equal(
            trainer.history.snapshot(epoch).weight, weight.detach().numpy()
        )
        np.testing.assert_array_equal(
            trainer.history.snapshot(epoch).weight_grad, last_grad.numpy()
        )


def test_nn_sgd_matches_the_scratch_engine():
    scratch = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=2))
    nn = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=2, engine="nn", optimizer="sgd"))
    scratch.run(100)
    nn.run(100)
    np.testing.assert_allclose(nn.history.loss, scratch.history.loss, rtol=1e-5)
    np.testing.assert_allclose(nn.parameters()[0], scratch.parameters()[0], rtol=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_nn_optimizers_match_torch_optim_directly(optimizer):
    trainer = Trainer(
        SEED_INPUTS,
        SEED_TARGETS,
        TrainConfig(seed=2, engine="nn", optimizer=optimizer, learning_rate=1e-4),
    )
    trainer.run(20)
    g = torch.Generator().manual_seed(2)
    model = torch.nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(torch.rand(2, 3, generator=g))
        model.bias.copy_(torch.rand(2, generator=g))
    opt = {
        "sgd": lambda p: torch.optim.SGD(p, lr=1e-4),
        "momentum": lambda p: torch.optim.SGD(p, lr=1e-4, momentum=0.9),
        "adam": lambda p: torch.optim.Adam(p, lr=1e-4),
    }[optimizer](model.parameters())
    for epoch in range(20):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(
            model(torch.from_numpy(SEED_INPUTS)), torch.from_numpy(SEED_TARGETS)
        )
        loss.backward()
        opt.step()
        assert trainer.history.loss[epoch] == loss.item()
    np.testing.assert_array_equal(trainer.history.latest().weight, model.weight.detach().numpy())


def test_standardized_training_reports_original_units():
    inputs = np.array([[1.0, 5.0, 100.0], [2.0, 5.0, 300.0], [3.0, 5.0, 200.0], [4.0, 5.0, 50.0]])
    targets = np.array([[1.0], [2.0], [2.5], [4.0]])
    trainer = Trainer(inputs, targets, TrainConfig(standardize=True, learning_rate=0.05))
    assert (
        trainer.input_scale[1] == 1.0 and trainer.input_mean[1] == 5.0
    )  # constant: centred, not scaled
    trainer.run(200)
    weight_std, bias_std = trainer.parameters(original_units=False)
    weight, bias = trainer.parameters()
    z = (inputs - trainer.input_mean) / trainer.input_scale
    np.testing.assert_allclose(inputs @ weight.T + bias, z @ weight_std.T + bias_std, rtol=1e-12)
    np.testing.assert_allclose(trainer.predict(inputs), inputs @ weight.T + bias)
    assert trainer.current_loss() == pytest.approx(mse(trainer.predict(inputs), targets), rel=1e-5)


def test_learning_rate_changes_without_restart():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(seed=0, learning_rate=1e-5))
    trainer.run(10)
    trainer.set_learning_rate(5e-5)
    trainer.run(10)
    assert trainer.epoch == 20
    np.testing.assert_array_equal(trainer.history.learning_rate, [1e-5] * 10 + [5e-5] * 10)
    with pytest.raises(LinregError, match="learning_rate"):
        trainer.set_learning_rate(0.0)
    assert trainer.learning_rate == 5e-5


@pytest.mark.parametrize("engine", ["scratch", "nn"])
def test_divergence_stops_and_keeps_the_last_finite_weights(engine):
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=1.0, engine=engine))
    ran = trainer.run(1000)
    assert trainer.diverged and trainer.diverged_at == ran + 1
    assert trainer.divergence in {"not_finite", "exploded"}
    weight, bias = trainer.parameters()
    assert np.isfinite(weight).all() and np.isfinite(bias).all()
    np.testing.assert_array_equal(trainer.history.latest().weight, trainer.weight.detach().numpy())
    assert np.isfinite(trainer.history.loss).all()
    assert not trainer.step() and trainer.epoch == ran


def test_slow_growth_counts_as_exploding():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=1.4e-4, seed=0))
    trainer.run(100_000)
    assert trainer.divergence == "exploded"
    assert trainer.history.loss[-1] < 1e8 * max(
        trainer.history.loss[0], float(np.mean(SEED_TARGETS**2))
    )


def test_history_thins_snapshots_past_its_budget_and_stays_bounded():
    history = History(2, 3, budget_bytes=64 * 100)  # room for 100 snapshots
    weight, bias = np.zeros((2, 3), np.float32), np.zeros(2, np.float32)
    history.start(weight, bias)
    for epoch in range(1, 1001):
        history.append(float(epoch), 0.1, weight + epoch, bias + epoch, weight, bias)
    kept = history.snapshot_epochs
    assert len(kept) <= 100 and kept[0] == 0 and history.stride > 1
    assert np.all(kept % history.stride == 0)
    assert len(history.loss) == 1000 and history.loss[-1] == 1000.0
    assert history.latest().epoch == 1000 and history.latest().weight[0, 0] == 1000.0
    snap = history.snapshot(555)
    assert snap.epoch <= 555 and snap.weight[0, 0] == snap.epoch


def test_history_of_100k_epochs_on_the_sample_is_small():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS)
    trainer.run(100_000)
    assert trainer.history.stride == 1
    assert trainer.history.nbytes() < 20 * 1024 * 1024
    assert trainer.history.snapshot(77_777).epoch == 77_777


@pytest.mark.parametrize(
    "changes,name",
    [
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"engine": "keras"}, "engine"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"init": "xavier"}, "init"),
        ({"batch_size": 0}, "batch_size"),
        ({"seed": -1}, "seed"),
    ],
)
def test_impossible_settings_raise_a_clear_error(changes, name):
    with pytest.raises(LinregError, match=name) as info:
        TrainConfig().with_(**changes)
    assert "expected" in str(info.value)
    assert info.value.message("es") != str(info.value)


def test_shape_mismatch_is_reported():
    with pytest.raises(LinregError, match="same number of rows"):
        Trainer(SEED_INPUTS, SEED_TARGETS[:3])


def test_setting_errors_are_entirely_in_the_chosen_language():
    with pytest.raises(LinregError) as info:
        TrainConfig(learning_rate=-1.0).validate()
    assert "a finite number > 0" in info.value.message("en")
    assert "un número finito > 0" in info.value.message("es")
    assert "finite number" not in info.value.message("es")


def test_predicting_a_row_of_the_wrong_width_says_how_many_values_are_needed():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS)
    with pytest.raises(LinregError, match="needs 3 input value"):
        trainer.predict(np.array([1.0, 2.0]))


def test_standardized_targets_train_on_z_scores_and_report_original_units():
    """With standardize_targets the loop is the seed's on (y - mean) / std; W and b come back
    in the data's units, and the least-squares floor is measured in the loss's units."""
    inputs, targets = SEED_INPUTS.astype(np.float64), SEED_TARGETS.astype(np.float64)
    config = TrainConfig(standardize=True, standardize_targets=True, learning_rate=0.1)
    trainer = Trainer(inputs, targets, config)
    trainer.run(50)
    # Oracle: the seed's loop by hand on z-scored float32 tensors, same generator draws.
    x_mean, x_std = inputs.mean(0), inputs.std(0)
    y_mean, y_std = targets.mean(0), targets.std(0)
    x = torch.tensor((inputs - x_mean) / x_std, dtype=torch.float32)
    y = torch.tensor((targets - y_mean) / y_std, dtype=torch.float32)
    g = torch.Generator().manual_seed(0)
    w = torch.rand(2, 3, generator=g, requires_grad=True)
    b = torch.rand(2, generator=g, requires_grad=True)
    losses = []
    for _ in range(50):
        diff = x @ w.t() + b - y
        loss = torch.sum(diff * diff) / diff.numel()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w -= w.grad * 0.1
            b -= b.grad * 0.1
        w.grad.zero_()
        b.grad.zero_()
    np.testing.assert_array_equal(trainer.history.loss, losses)
    weight, bias = trainer.parameters()
    w64, b64 = w.detach().double().numpy(), b.detach().double().numpy()
    expected_weight = w64 * y_std[:, None] / x_std
    expected_bias = b64 * y_std + y_mean - expected_weight @ x_mean
    np.testing.assert_allclose(weight, expected_weight, rtol=1e-12)
    np.testing.assert_allclose(bias, expected_bias, rtol=1e-12)
    # Predictions in the data's units: the z-scored predictions scaled back.
    z = ((inputs - x_mean) / x_std) @ w64.T + b64
    np.testing.assert_allclose(trainer.predict(inputs), z * y_std + y_mean, rtol=1e-12)
    # The floor in standardized units: the least-squares fit's loss on the z-scored targets.
    reference = least_squares(inputs, targets)
    residual = (inputs @ reference.weight.T + reference.bias - targets) / y_std
    assert trainer.optimal_loss(reference) == pytest.approx(np.mean(residual**2), rel=1e-6)
    assert Trainer(inputs, targets).optimal_loss(reference) == reference.loss
