"""A room's challenge (issue 18): reach a target loss in as few epochs as possible.

The presenter sets ``target_loss`` on the room's data and a limit of ``max_epochs``; each
attendee makes the run theirs, picks settings and trains from the start. An ``Entry`` is those
settings and what they reached; ``Challenge.rank`` orders entries by the epochs they needed,
then by the loss reached, and ``Challenge.verify`` re-runs an entry's settings on the server:
an honest entry needs the same number of epochs.

In a room (``linreg.dashboard.room_session``) the presenter's session holds the ``Challenge``
(its data as they were when it was set); followers see ``describe()``: the target, the limit and
``digest``, the fingerprint of that data, which an attendee's own data must match to play.
The loss is the data's own (mean squared error in the targets' units): a run with standardized
targets measures another loss, and cannot play.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

from linreg.dashboard.quiz import clean_nickname
from linreg.errors import POSITIVE, LinregError
from linreg.texts import Phrase
from linreg.trainer import TrainConfig, Trainer

MAX_EPOCHS = 100_000  # the longest limit a challenge may set
DEFAULT_MAX_EPOCHS = 1000
# The default target: this many times the least-squares optimum. On the samples at the default
# settings a learning rate of 1e-5 needs about 600–950 epochs for it, 1e-4 about 60–95.
DEFAULT_TARGET_FACTOR = 10


def default_target(optimum: float, start: float) -> float:
    """A target loss for data whose least-squares loss is ``optimum`` and whose run starts at
    loss ``start``: DEFAULT_TARGET_FACTOR × the optimum (a hundredth of ``start`` if the data
    fit exactly), at 3 significant digits."""
    target = DEFAULT_TARGET_FACTOR * optimum if optimum > 0 else start / 100
    return float(f"{target:.3g}") if math.isfinite(target) and target > 0 else 1.0


def data_digest(inputs: np.ndarray, targets: np.ndarray) -> str:
    """A fingerprint of inputs (N, D) and targets (N, K) as float64: a challenge is played on
    exactly these numbers."""
    digest = hashlib.sha256()
    for array in (inputs, targets):
        array = np.ascontiguousarray(array, dtype=np.float64)
        digest.update(str(array.shape).encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:32]


def check_playable(config: TrainConfig) -> None:
    """LinregError("challenge_standardized_targets") for settings whose loss is not the
    challenge's (standardized targets' units)."""
    if config.standardize_targets:
        raise LinregError("challenge_standardized_targets")


@dataclass(frozen=True)
class Entry:
    """One attendee's try: the settings (a run from its initial weights at one learning rate)
    and what they reached within the limit: ``epochs`` to the target (None: not reached) and
    ``loss``, the loss then (or the lowest loss reached within the limit)."""

    follower: str
    nickname: str
    config: TrainConfig
    epochs: int | None
    loss: float

    @property
    def name_html(self) -> str:
        return html.escape(self.nickname)

    def to_dict(self) -> dict:
        return {
            "follower": self.follower,
            "nickname": self.nickname,
            "config": asdict(self.config),
            "epochs": self.epochs,
            "loss": self.loss if math.isfinite(self.loss) else None,
        }


@dataclass(frozen=True)
class Challenge:
    """Loss ≤ ``target_loss`` on ``inputs`` (N, D) → ``targets`` (N, K) within ``max_epochs``."""

    inputs: np.ndarray
    targets: np.ndarray
    target_loss: float
    max_epochs: int

    def __post_init__(self) -> None:
        target = self.target_loss
        if (
            isinstance(target, bool)
            or not isinstance(target, int | float)
            or not (math.isfinite(target) and target > 0)
        ):
            raise LinregError("bad_setting", name="target_loss", value=target, expected=POSITIVE)
        limit = self.max_epochs
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_EPOCHS:
            raise LinregError(
                "bad_setting",
                name="max_epochs",
                value=limit,
                expected=Phrase(
                    f"a whole number from 1 to {MAX_EPOCHS}",
                    f"un número entero de 1 a {MAX_EPOCHS}",
                ),
            )

    @cached_property
    def digest(self) -> str:
        """The fingerprint of the challenge's data (``data_digest``)."""
        return data_digest(self.inputs, self.targets)

    def describe(self, challenge: str) -> dict:
        """What followers see of it, JSON-ready: {"challenge": its id in the room,
        "target_loss", "max_epochs", "data": ``digest``}."""
        return {
            "challenge": str(challenge),
            "target_loss": float(self.target_loss),
            "max_epochs": int(self.max_epochs),
            "data": self.digest,
        }

    def reached(self, trainer: Trainer) -> tuple[int | None, float]:
        """(epochs, loss) a trained run reached: the first epoch e ≤ max_epochs whose loss after
        it is ≤ target_loss and that loss, or (None, the lowest loss after any epoch within the
        limit)."""
        losses = trainer.losses_after()[: self.max_epochs + 1]
        hits = np.flatnonzero(losses <= self.target_loss)
        if len(hits):
            return int(hits[0]), float(losses[hits[0]])
        finite = losses[np.isfinite(losses)]
        return None, float(finite.min()) if len(finite) else math.inf

    def play(self, config: TrainConfig) -> tuple[int | None, float]:
        """Train ``config`` from its start on the challenge's data, stopping at the target or
        the limit; what it reached (see ``reached``)."""
        return self.play_on(Trainer(self.inputs, self.targets, config))

    def play_on(self, trainer: Trainer) -> tuple[int | None, float]:
        """Train ``trainer`` (a new one, on the challenge's data: an attendee's own run) up to
        the target or the limit; what it reached (see ``reached``)."""
        check_playable(trainer.config)
        while trainer.epoch < self.max_epochs and trainer.current_loss() > self.target_loss:
            if not trainer.step():
                break
        return self.reached(trainer)

    def entry(self, follower: str, nickname: object, config: TrainConfig) -> Entry:
        """The entry ``config`` makes, played here (an attendee's page computes the same)."""
        epochs, loss = self.play(config)
        return Entry(str(follower), clean_nickname(nickname), config, epochs, loss)

    def verify(self, entry: Entry) -> bool:
        """Re-run ``entry``'s settings on the server: True when they reach the target in the
        epochs the entry claims (or, not reaching it, the loss it claims)."""
        epochs, loss = self.play(entry.config)
        if epochs != entry.epochs:
            return False
        return epochs is not None or loss == entry.loss

    @staticmethod
    def rank(entries: Iterable[Entry]) -> list[tuple[int, Entry]]:
        """(rank, entry), best first: entries that reached the target by fewer epochs, then
        lower loss; then the others by lower loss. Equal entries share a rank."""

        def key(entry: Entry) -> tuple:
            loss = entry.loss if math.isfinite(entry.loss) else math.inf
            if entry.epochs is None:
                return (1, math.inf, loss)
            return (0, entry.epochs, loss)

        ranked: list[tuple[int, Entry]] = []
        for position, entry in enumerate(sorted(entries, key=key), start=1):
            same = ranked and key(ranked[-1][1]) == key(entry)
            ranked.append((ranked[-1][0] if same else position, entry))
        return ranked


def entry_from(values: Mapping, follower: str) -> Entry:
    """An entry as a follower's page sent it ({"nickname", "config", "epochs", "loss"});
    LinregError if its settings are not valid ones."""
    try:
        config = TrainConfig(**dict(values["config"])).validate()
        check_playable(config)
        epochs = values.get("epochs")
        epochs = None if epochs is None else int(epochs)
        loss = float(values["loss"]) if values.get("loss") is not None else math.inf
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, LinregError):
            raise
        raise LinregError(
            "bad_setting", name="entry", value=str(error), expected=Phrase("settings", "ajustes")
        ) from error
    return Entry(str(follower), clean_nickname(values.get("nickname", "")), config, epochs, loss)
