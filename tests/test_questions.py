"""Questions answered before the reveal: for every kind, engine × optimizer × batch ×
standardization, the answer of the dry run equals what the real run shows after the Step or
Run; the scratch engine's numbers equal the seed loop's (written out below as the oracle); and
the real run after any number of dry runs is bit-identical to one that never had them."""

import itertools
import math

import numpy as np
import pytest
import torch

from linreg import LinregError, TrainConfig, Trainer
from linreg import questions as q
from linreg.trainer import EXPLODE_FACTOR
from tests.test_checkpoint import assert_same, record
from tests.test_trainer import SEED_INPUTS, SEED_TARGETS

TARGETS = ("apples", "oranges")
INPUTS = ("temperature", "rainfall", "humidity")
EPOCHS = 12  # epochs of the N-epoch kinds


def _configs() -> dict[str, TrainConfig]:
    """Every engine × optimizer × batch × standardization, each at a rate that trains."""
    rates = {  # (raw inputs, standardized inputs)
        ("scratch", "sgd"): (1e-5, 0.05),
        ("nn", "sgd"): (1e-5, 0.05),
        ("nn", "momentum"): (2e-6, 0.01),
        ("nn", "adam"): (0.05, 0.05),
    }
    configs = {}
    for (engine, optimizer), batch, standardize in itertools.product(
        rates, (None, 2), (False, True)
    ):
        name = f"{engine}/{optimizer} {'full' if batch is None else 'mini'}{' std' * standardize}"
        configs[name] = TrainConfig(
            learning_rate=rates[engine, optimizer][standardize],
            engine=engine,
            optimizer=optimizer,
            batch_size=batch,
            standardize=standardize,
            seed=11,
        )
    return configs


CONFIGS = _configs()


def all_questions(config: TrainConfig) -> list[q.Question]:
    high = 100 * config.learning_rate  # diverges for plain and momentum SGD, not for Adam
    return [
        q.LossDirection(),
        q.LargestChange(targets=TARGETS, inputs=INPUTS),
        q.WeightDirection(targets=TARGETS, inputs=INPUTS, target="apples", input="rainfall"),
        q.WeightDirection(targets=TARGETS, inputs=INPUTS, target="oranges", input="humidity"),
        q.Divergence(epochs=EPOCHS),
        q.Divergence(epochs=EPOCHS, learning_rate=high),
        q.LossAfter(epochs=EPOCHS),
    ]


def observed(question: q.Question, trainer: Trainer, start: int):
    """What the real run shows after the reveal, read from its record as the page reads it:
    the loss readouts (``loss_after``) and the weights in the data's units."""
    if isinstance(question, q.LossDirection):
        if trainer.diverged:
            return "up"
        return "down" if trainer.loss_after(start + 1) < trainer.loss_after(start) else "up"
    change = trainer.parameters(trainer.epoch)[0] - trainer.parameters(start)[0]
    if isinstance(question, q.LargestChange):
        row, column = np.unravel_index(np.argmax(np.abs(change)), change.shape)
        return f"{question.targets[row]}·{question.inputs[column]}"
    if isinstance(question, q.WeightDirection):
        row = question.targets.index(question.target)
        cell = change[row, question.inputs.index(question.input)]
        return "increase" if cell > 0 else "decrease"
    if isinstance(question, q.Divergence):
        return "yes" if trainer.diverged else "no"
    return trainer.loss_after(trainer.epoch)


def oracle_loop(config: TrainConfig, learning_rates):
    """The seed notebook's loop for the scratch engine, with the page's two additions written
    out: z-scored inputs, and mini-batches in an order drawn each epoch from the run's own
    generator (seeded, after the initial weights). One epoch per learning rate given, until
    the loss or the weights stop being finite or the loss explodes: then that epoch is undone.

    Returns (losses, weights, diverged): the full-data loss after each completed epoch 0 … E
    and the weight (K, D) float32 after each, in training units.
    """
    inputs = SEED_INPUTS.astype(np.float64)
    if config.standardize:
        inputs = (inputs - inputs.mean(axis=0)) / inputs.std(axis=0)
    entradas = torch.from_numpy(inputs.astype(np.float32))
    resultados = torch.from_numpy(SEED_TARGETS)
    generator = torch.Generator().manual_seed(config.seed)
    pesos = torch.rand(2, 3, generator=generator).requires_grad_()
    sesgos = torch.rand(2, generator=generator).requires_grad_()
    zero_loss = float(np.mean(SEED_TARGETS.astype(np.float64) ** 2))

    def full_loss() -> float:
        with torch.no_grad():
            diff = entradas @ pesos.t() + sesgos - resultados
            return (torch.sum(diff * diff) / diff.numel()).item()

    losses, weights = [], [pesos.detach().numpy().copy()]
    for learning_rate in learning_rates:
        losses.append(full_loss())
        order = torch.arange(len(entradas))
        if config.batch_size:
            order = torch.randperm(len(entradas), generator=generator)
        for rows in order.split(config.batch_size or len(entradas)):
            predicciones = entradas[rows] @ pesos.t() + sesgos
            diff = predicciones - resultados[rows]
            loss = torch.sum(diff * diff) / diff.numel()
            loss.backward()
            with torch.no_grad():
                pesos -= pesos.grad * learning_rate
                sesgos -= sesgos.grad * learning_rate
            pesos.grad.zero_()
            sesgos.grad.zero_()
        finite = math.isfinite(losses[-1]) and bool(
            torch.isfinite(pesos).all() and torch.isfinite(sesgos).all()
        )
        if not finite or losses[-1] > EXPLODE_FACTOR * max(losses[0], zero_loss):
            return losses, weights, True  # the last finite epoch's loss is the last one
        weights.append(pesos.detach().numpy().copy())
    losses.append(full_loss())
    return losses, weights, False


def original_units(weight: np.ndarray, config: TrainConfig) -> np.ndarray:
    """Weight (K, D) learnt on z-scored inputs, per unit of the raw inputs (float64)."""
    weight = weight.astype(np.float64)
    return weight / SEED_INPUTS.astype(np.float64).std(axis=0) if config.standardize else weight


def oracle_answer(question: q.Question, config: TrainConfig, start: int):
    """The answer from the oracle loop alone: ``start`` epochs at the run's rate, then the
    question's action."""
    action = question.action
    rate = action.learning_rate or config.learning_rate
    losses, weights, diverged = oracle_loop(
        config, [config.learning_rate] * start + [rate] * action.epochs
    )
    end = len(weights) - 1  # epochs completed
    before, after = losses[start], losses[end]
    change = original_units(weights[end], config) - original_units(weights[start], config)
    if isinstance(question, q.LossDirection):
        return "down" if not diverged and after < before else "up"
    if isinstance(question, q.LargestChange):
        row, column = np.unravel_index(np.argmax(np.abs(change)), change.shape)
        return f"{TARGETS[row]}·{INPUTS[column]}"
    if isinstance(question, q.WeightDirection):
        cell = change[TARGETS.index(question.target), INPUTS.index(question.input)]
        return "increase" if cell > 0 else "decrease"
    if isinstance(question, q.Divergence):
        return "yes" if diverged else "no"
    return after


@pytest.mark.parametrize("start", [0, 3])
@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_the_answer_before_the_reveal_is_what_the_run_shows_after(config, start):
    for question in all_questions(config):
        trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
        trainer.run(start)
        untouched = record(trainer)
        outcome = question.answer(trainer)
        assert_same(record(trainer), untouched)  # the dry run left the real run alone
        assert outcome.epoch == start
        ran = question.action.perform(trainer)  # the reveal, on the real run
        assert outcome.answer == observed(question, trainer, start), question
        assert outcome.epochs_run == ran
        assert outcome.diverged_at == trainer.diverged_at
        assert outcome.loss_after == trainer.loss_after(trainer.epoch)
        assert outcome.loss_before == trainer.loss_after(start)
        if question.reads_weights:  # each weight's move, as the heatmaps show it
            moved = trainer.parameters(trainer.epoch)[0] - trainer.parameters(start)[0]
            np.testing.assert_array_equal(outcome.weight_change, moved)
        if config.engine == "scratch":
            assert outcome.answer == oracle_answer(question, config, start), question


SCRATCH = {name: config for name, config in CONFIGS.items() if config.engine == "scratch"}


@pytest.mark.parametrize("config", SCRATCH.values(), ids=SCRATCH.keys())
def test_the_scratch_engine_is_the_oracle_loop(config):
    """The oracle the answers are checked against is the scratch engine's own loop, bit for bit
    (nn's optimizers are checked by their run alone)."""
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    trainer.run(20)
    losses, weights, diverged = oracle_loop(config, [config.learning_rate] * 20)
    assert not diverged
    np.testing.assert_array_equal(trainer.losses_after(), losses)
    for epoch, weight in enumerate(weights):
        np.testing.assert_array_equal(trainer.history.snapshot(epoch).weight, weight)


def test_both_divergence_answers_occur_across_the_matrix():
    """The divergence cases are not all one answer: the test above sees both."""
    answers = set()
    for config in CONFIGS.values():
        trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
        for question in all_questions(config):
            if isinstance(question, q.Divergence):
                answers.add(question.answer(trainer).answer)
    assert answers == {"yes", "no"}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_run_with_dry_runs_is_bit_identical_to_one_without(config):
    never_asked = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    never_asked.run(6)
    asked = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    for epoch in range(6):
        for question in all_questions(config):
            question.answer(asked)
        asked.step()
        if epoch == 3:
            asked.fork().run(30)  # a fork trained far ahead changes nothing either
    assert_same(record(asked), record(never_asked))
    assert torch.equal(asked.generator.get_state(), never_asked.generator.get_state())


def test_a_fork_trains_on_exactly_as_its_run_would():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, CONFIGS["nn/adam mini"])
    trainer.run(4)
    fork = trainer.fork()
    fork.run(6)
    trainer.run(6)
    np.testing.assert_array_equal(fork.losses_after(), trainer.losses_after())
    np.testing.assert_array_equal(fork.parameters()[0], trainer.parameters()[0])
    np.testing.assert_array_equal(fork.parameters()[1], trainer.parameters()[1])
    assert torch.equal(fork.generator.get_state(), trainer.generator.get_state())


def test_a_diverged_run_answers_nothing():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, TrainConfig(learning_rate=0.01))
    trainer.run(50)
    assert trainer.diverged
    with pytest.raises(LinregError) as raised:
        q.LossDirection().answer(trainer)
    assert f"epoch {trainer.diverged_at}" in str(raised.value)
    assert "Reiniciar" in raised.value.message("es")


def test_a_question_about_other_weights_says_so():
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS[:, :1])
    with pytest.raises(LinregError, match=r"2 × 3 weights, the run has 1 × 3"):
        q.LargestChange(targets=TARGETS, inputs=INPUTS).answer(trainer)


@pytest.mark.parametrize(
    "values, problem",
    [
        ({"kind": "weather"}, "the kinds are loss_direction"),
        ({"kind": "loss_after", "epochs": 0}, "from 1 to 100000, found 0"),
        ({"kind": "loss_after", "epochs": True}, "found True"),
        ({"kind": "divergence", "learning_rate": -1}, "learning_rate"),
        ({"kind": "loss_direction", "epochs": 3}, "unknown parameter(s) epochs"),
        ({"kind": "largest_change"}, "names of the targets"),
        ({"kind": "largest_change", "targets": "apples", "inputs": ["x"]}, "names of the targets"),
        (
            {
                "kind": "weight_direction",
                "targets": ["a"],
                "inputs": ["x"],
                "target": "b",
                "input": "x",
            },
            "no weight 'b·x'",
        ),
    ],
)
def test_a_bad_question_says_what_is_wrong(values, problem):
    with pytest.raises(LinregError) as raised:
        q.question_from(values)
    assert problem in str(raised.value)
    assert raised.value.message("es") != str(raised.value)


def test_questions_travel_as_plain_dicts():
    for question in all_questions(CONFIGS["nn/adam full"]):
        assert q.question_from(question.to_dict()) == question
    outcome = q.LossAfter(epochs=5).answer(Trainer(SEED_INPUTS, SEED_TARGETS))
    values = outcome.to_dict()
    assert values["answer"] == outcome.answer and values["epochs_run"] == 5
    assert values["weight_change"] == []  # only the questions about weights carry it
    cells = q.LargestChange(targets=TARGETS, inputs=INPUTS).answer(
        Trainer(SEED_INPUTS, SEED_TARGETS)
    )
    assert np.shape(cells.to_dict()["weight_change"]) == (2, 3)


@pytest.mark.parametrize(
    "guess, actual, score",
    [
        (10.0, 10.0, 1.0),
        (10 * 10**0.5, 10.0, 0.5),
        (1.0, 10.0, 0.0),
        (1e4, 10.0, 0.0),
        (-5, 10, 0.0),
    ],
)
def test_a_number_scores_by_closeness_on_a_log_scale(guess, actual, score):
    assert q.closeness(guess, actual) == pytest.approx(score)


def test_results_right_wrong_and_close():
    outcome = q.LossAfter(epochs=3).answer(Trainer(SEED_INPUTS, SEED_TARGETS))
    loss = outcome.answer
    question = q.LossAfter(epochs=3)
    assert question.result(loss * 1.2, outcome).right
    assert not question.result(loss * 1.3, outcome).right
    assert question.result("not a number", outcome) == q.Result(False, 0.0)
    direction = q.LossDirection()
    down = direction.answer(Trainer(SEED_INPUTS, SEED_TARGETS))
    assert down.answer == "down"
    assert direction.result("down", down) == q.Result(True, 1.0)
    assert direction.result("up", down) == q.Result(False, 0.0)
