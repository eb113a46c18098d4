"""Questions about what the next Step or Run will do, answered before anything is shown.

Each kind is a small frozen class: its ``choices`` (the English names, lower case, that
buttons, tallies and results use; none for a number), the ``action`` its reveal performs on
the run (a Step, or N epochs, maybe at another learning rate) and ``answer(trainer)``, which
performs that action on ``trainer.fork()`` — a dry run from the exact state, bit-identical to
what the real run will do — and reads the result. The real run is never touched: not its
parameters, optimizer state, history, nor the generator that shuffles its mini-batches.

What a reveal shows, read the way the page reads it (``Trainer.loss_after``, weights in the
data's units as the heatmap shows them):
    loss_direction   the loss after the Step against the loss before it: "down" if lower,
                     else "up" (a loss that does not go down, or a Step that diverges)
    largest_change   the weight cell whose value changes most (in absolute value) at the Step,
                     named "target·input"; the first such cell on a tie
    weight_direction weight[target, input] after the Step against before: "increase" if
                     larger, else "decrease"
    divergence       "yes" if training diverges within N epochs at the learning rate, else "no"
    loss_after       the loss after N more epochs (a number; where it stopped if it diverged)

A number is scored by how close it is on a log scale (``closeness``). The dry run of a
one-step kind costs one epoch and one copy of the run's state; an N-epoch kind costs N
epochs and one copy.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import ClassVar

import numpy as np

from linreg.errors import LinregError
from linreg.texts import Phrase
from linreg.trainer import TrainConfig, Trainer, to_original_units

MAX_EPOCHS = 100_000  # epochs a question may look ahead
# A number is "right" when its closeness reaches this: within a factor 10**0.1 ≈ 1.26.
RIGHT_CLOSENESS = 0.9


def closeness(guess: float, actual: float) -> float:
    """1 − |log10(guess / actual)|, at least 0: 1 for the exact number, 0.5 off by a factor
    √10 ≈ 3.2, 0 off by 10 or more; a guess that is not a positive number scores 0 (exactly
    right only when it equals ``actual``)."""
    guess, actual = float(guess), float(actual)
    if not (math.isfinite(guess) and math.isfinite(actual) and guess > 0 and actual > 0):
        return 1.0 if guess == actual else 0.0
    return max(0.0, 1.0 - abs(math.log10(guess / actual)))


@dataclass(frozen=True)
class Action:
    """What a reveal does to the run: ``epochs`` epochs (1: a Step), at ``learning_rate``
    (None: the run's own)."""

    epochs: int = 1
    learning_rate: float | None = None

    def perform(self, trainer: Trainer) -> int:
        """Do it on ``trainer``; the epochs that ran (fewer if it diverged)."""
        if self.learning_rate is not None:
            trainer.set_learning_rate(self.learning_rate)
        return trainer.run(self.epochs)


@dataclass(frozen=True)
class Result:
    """One answer judged against the outcome: right or wrong, and its score (0 … 1)."""

    right: bool
    score: float


@dataclass(frozen=True)
class Outcome:
    """A question's answer, computed by a dry run from ``epoch``, and what the run does.

    loss_before is the loss after ``epoch``, loss_after the loss where the action leaves the run
    (after ``epoch + epochs_run``); weight_change (K, D) is how much each weight moves, in the
    data's units (given for the questions about weights, else empty); diverged_at the epoch
    that diverged, if any.
    """

    answer: str | float
    epoch: int
    epochs_run: int
    loss_before: float
    loss_after: float
    weight_change: tuple[tuple[float, ...], ...]
    diverged_at: int | None

    def to_dict(self) -> dict:
        """JSON-ready (non-finite numbers as None)."""
        values = asdict(self)
        for name in ("loss_before", "loss_after"):
            values[name] = _finite_or_none(values[name])
        values["weight_change"] = [[_finite_or_none(v) for v in row] for row in self.weight_change]
        if isinstance(self.answer, float):
            values["answer"] = _finite_or_none(self.answer)
        return values

    @classmethod
    def from_dict(cls, values: Mapping) -> Outcome:
        """The outcome ``to_dict`` wrote (a loss given as None was not finite: infinite)."""
        values = dict(values)
        for name in ("loss_before", "loss_after"):
            values[name] = math.inf if values[name] is None else float(values[name])
        values["weight_change"] = tuple(
            tuple(math.nan if v is None else float(v) for v in row)
            for row in values["weight_change"]
        )
        return cls(**values)


def _change(trainer: Trainer, weight_before: np.ndarray) -> np.ndarray:
    """How much each weight (K, D) moved since ``weight_before`` (training units), in the data's
    units: the difference of the two weights as ``trainer.parameters()`` gives them."""
    weight_after = trainer.weight.detach().numpy()
    if not (trainer.config.standardize or trainer.config.standardize_targets):
        # the data's units are the training units: to_original_units would multiply by 1
        return weight_after.astype(np.float64) - weight_before.astype(np.float64)
    both, _ = to_original_units(
        np.stack([weight_before, weight_after]),
        trainer.bias.detach().numpy(),
        trainer.input_mean,
        trainer.input_scale,
        trainer.target_mean,
        trainer.target_scale,
    )
    return both[1] - both[0]


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Question:
    """A question about the run's next epochs; subclasses name one kind."""

    kind: ClassVar[str]
    reads_weights: ClassVar[bool] = False  # its answer needs how each weight moved

    @property
    def choices(self) -> tuple[str, ...]:
        """The answers one may give, as the English names buttons and tallies use; () for a
        number."""
        return ()

    @property
    def action(self) -> Action:
        return Action()

    def answer(self, trainer: Trainer) -> Outcome:
        """The answer, from a dry run of ``action`` on a fork of ``trainer`` (left untouched)."""
        self.check(trainer)
        fork = trainer.fork()
        start = fork.epoch
        weight_before = fork.weight.detach().numpy().copy()
        epochs_run = self.action.perform(fork)
        loss_before, loss_after = fork.loss_after(start), fork.loss_after(fork.epoch)
        weight_change = _change(fork, weight_before) if self.reads_weights else None
        return Outcome(
            answer=self.read(loss_before, loss_after, weight_change, fork.diverged_at),
            epoch=start,
            epochs_run=epochs_run,
            loss_before=loss_before,
            loss_after=loss_after,
            weight_change=()
            if weight_change is None
            else tuple(map(tuple, weight_change.tolist())),
            diverged_at=fork.diverged_at,
        )

    def read(
        self,
        loss_before: float,
        loss_after: float,
        weight_change: np.ndarray | None,
        diverged_at: int | None,
    ) -> str | float:
        """The answer, from what the action did: the loss before and after, the change of each
        weight (K, D) in the data's units (None unless ``reads_weights``), and the epoch that
        diverged (None if none did)."""
        raise NotImplementedError

    def check(self, trainer: Trainer) -> None:
        """LinregError if ``trainer`` cannot answer: its run has diverged, or the question names
        weights it does not have."""
        if trainer.diverged:
            raise LinregError("question_after_divergence", epoch=trainer.diverged_at)

    def result(self, guess: str | float, outcome: Outcome) -> Result:
        """``guess`` judged against ``outcome``: a choice is right or wrong (score 1 or 0); a
        number scores its ``closeness`` and is right from RIGHT_CLOSENESS on."""
        if not self.choices:
            try:
                score = closeness(float(guess), float(outcome.answer))
            except (TypeError, ValueError):
                score = 0.0
            return Result(score >= RIGHT_CLOSENESS, score)
        right = guess == outcome.answer
        return Result(right, 1.0 if right else 0.0)

    def to_dict(self) -> dict:
        """{"kind": …, and the question's parameters}: JSON-ready; ``question_from`` reads it."""
        values = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}
        return {"kind": self.kind, **values}


@dataclass(frozen=True)
class LossDirection(Question):
    """Will the loss go up or down at the next Step?"""

    kind: ClassVar[str] = "loss_direction"

    @property
    def choices(self) -> tuple[str, ...]:
        return ("up", "down")

    def read(self, loss_before, loss_after, weight_change, diverged_at) -> str:
        return "down" if diverged_at is None and loss_after < loss_before else "up"


@dataclass(frozen=True)
class _Cells(Question):
    """A question about the weight matrix, whose rows are ``targets`` and columns ``inputs``."""

    reads_weights: ClassVar[bool] = True
    targets: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "targets", tuple(str(n) for n in self.targets))
        object.__setattr__(self, "inputs", tuple(str(n) for n in self.inputs))
        if not self.targets or not self.inputs:
            raise LinregError("bad_question", kind=self.kind, problem=_NEEDS_NAMES)

    def check(self, trainer: Trainer) -> None:
        super().check(trainer)
        shape = tuple(trainer.weight.shape)
        if shape != (len(self.targets), len(self.inputs)):
            raise LinregError(
                "bad_question",
                kind=self.kind,
                problem=Phrase(
                    f"it names {len(self.targets)} × {len(self.inputs)} weights, the run has "
                    f"{shape[0]} × {shape[1]}",
                    f"nombra {len(self.targets)} × {len(self.inputs)} pesos, el entrenamiento "
                    f"tiene {shape[0]} × {shape[1]}",
                ),
            )


_NEEDS_NAMES = Phrase(
    "it needs the names of the targets and of the inputs",
    "necesita los nombres de los objetivos y de las entradas",
)


def cell_name(target: str, input: str) -> str:
    """A weight's name: the target it predicts, then the input it multiplies."""
    return f"{target}·{input}"


@dataclass(frozen=True)
class LargestChange(_Cells):
    """Which weight changes most at the next Step?"""

    kind: ClassVar[str] = "largest_change"

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(cell_name(t, i) for t in self.targets for i in self.inputs)

    def read(self, loss_before, loss_after, weight_change, diverged_at) -> str:
        return self.choices[int(np.argmax(np.abs(weight_change)))]


@dataclass(frozen=True)
class WeightDirection(_Cells):
    """Will weight[target, input] increase or decrease at the next Step?"""

    kind: ClassVar[str] = "weight_direction"
    target: str = ""
    input: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.target not in self.targets or self.input not in self.inputs:
            raise LinregError(
                "bad_question",
                kind=self.kind,
                problem=Phrase(
                    f"there is no weight {cell_name(self.target, self.input)!r}",
                    f"no hay ningún peso {cell_name(self.target, self.input)!r}",
                ),
            )

    @property
    def choices(self) -> tuple[str, ...]:
        return ("increase", "decrease")

    def read(self, loss_before, loss_after, weight_change, diverged_at) -> str:
        change = weight_change[self.targets.index(self.target), self.inputs.index(self.input)]
        return "increase" if change > 0 else "decrease"


def _check_epochs(kind: str, epochs: object) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise LinregError(
            "bad_question",
            kind=kind,
            problem=Phrase(
                f"epochs must be a whole number from 1 to {MAX_EPOCHS}, found {epochs!r}",
                f"las épocas deben ser un número entero de 1 a {MAX_EPOCHS}, se encontró {epochs!r}",
            ),
        )


@dataclass(frozen=True)
class Divergence(Question):
    """Will training diverge within ``epochs`` epochs at ``learning_rate`` (None: the run's)?"""

    kind: ClassVar[str] = "divergence"
    epochs: int = 100
    learning_rate: float | None = None

    def __post_init__(self) -> None:
        _check_epochs(self.kind, self.epochs)
        if self.learning_rate is not None:
            TrainConfig(learning_rate=self.learning_rate).validate()
            object.__setattr__(self, "learning_rate", float(self.learning_rate))

    @property
    def choices(self) -> tuple[str, ...]:
        return ("yes", "no")

    @property
    def action(self) -> Action:
        return Action(self.epochs, self.learning_rate)

    def read(self, loss_before, loss_after, weight_change, diverged_at) -> str:
        return "yes" if diverged_at is not None else "no"


@dataclass(frozen=True)
class LossAfter(Question):
    """What will the loss be after ``epochs`` more epochs? (A number.)"""

    kind: ClassVar[str] = "loss_after"
    epochs: int = 100

    def __post_init__(self) -> None:
        _check_epochs(self.kind, self.epochs)

    @property
    def action(self) -> Action:
        return Action(self.epochs)

    def read(self, loss_before, loss_after, weight_change, diverged_at) -> float:
        return float(loss_after)


KINDS: dict[str, type[Question]] = {
    kind.kind: kind
    for kind in (LossDirection, LargestChange, WeightDirection, Divergence, LossAfter)
}
# Kinds whose reveal is one Step (the others run ``epochs`` epochs).
ONE_STEP_KINDS = ("loss_direction", "largest_change", "weight_direction")


def question_from(values: Mapping) -> Question:
    """The question ``Question.to_dict`` wrote (e.g. received from a page or read from a
    lesson); LinregError saying what is wrong with it otherwise."""
    values = dict(values)
    kind = values.pop("kind", None)
    if kind not in KINDS:
        raise LinregError(
            "bad_question",
            kind=repr(kind),
            problem=Phrase(
                f"the kinds are {', '.join(KINDS)}", f"los tipos son {', '.join(KINDS)}"
            ),
        )
    cls = KINDS[kind]
    known = {name for name in cls.__dataclass_fields__ if name != "kind"}
    unknown = sorted(set(values) - known)
    if unknown:
        raise LinregError(
            "bad_question",
            kind=kind,
            problem=Phrase(
                f"unknown parameter(s) {', '.join(unknown)}",
                f"parámetro(s) desconocido(s) {', '.join(unknown)}",
            ),
        )
    for name in ("targets", "inputs"):
        if name in values:
            if isinstance(values[name], str) or not isinstance(values[name], list | tuple):
                raise LinregError("bad_question", kind=kind, problem=_NEEDS_NAMES)
            values[name] = tuple(values[name])
    return cls(**values)


__all__ = [
    "KINDS",
    "ONE_STEP_KINDS",
    "Action",
    "Divergence",
    "LargestChange",
    "LossAfter",
    "LossDirection",
    "Outcome",
    "Question",
    "Result",
    "WeightDirection",
    "cell_name",
    "closeness",
    "question_from",
]
