"""The room board: what a follower who forked reports, numbers only."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from linreg.dashboard.room.rules import (
    CURVE_POINTS,
    NICKNAME_CHARS,
    OPTION_CHARS,
    OPTION_COUNT,
    plain_text,
)
from linreg.errors import LinregError


def thin_curve(
    losses: Sequence[float], max_points: int = CURVE_POINTS, first_epoch: int = 0
) -> list[tuple[int, float]]:
    """At most ``max_points`` (epoch, loss) pairs of a loss curve, first and last kept, evenly
    spaced between (losses[i] is the loss recorded at epoch first_epoch + i)."""
    n = len(losses)
    if n <= max_points:
        picks: Iterable[int] = range(n)
    else:
        picks = np.unique(np.linspace(0, n - 1, max_points).round().astype(int)).tolist()
    return [(first_epoch + i, float(losses[i])) for i in picks]


@dataclass(frozen=True)
class ForkSummary:
    """What a follower who forked reports to the presenter's board: numbers, no data.

    curve: (epoch, loss) pairs, at most CURVE_POINTS (``thin_curve``); optimum: the
    least-squares loss, None if unknown; options: a few named settings (optimizer, batch …).
    """

    learning_rate: float
    epoch: int
    loss: float
    optimum: float | None = None
    diverged: bool = False
    curve: tuple[tuple[int, float], ...] = ()
    options: Mapping[str, str | int | float | bool] = field(default_factory=dict)
    nickname: str = ""

    def cleaned(self) -> ForkSummary:
        """A bounded copy: plain short nickname and options, numbers as numbers, curve thinned."""
        try:
            curve = [(int(e), float(v)) for e, v in self.curve]
            if len(curve) > CURVE_POINTS:
                picks = thin_curve([v for _, v in curve], CURVE_POINTS)
                curve = [curve[i] for i, _ in picks]
            options = {}
            for key, value in list(self.options.items())[:OPTION_COUNT]:
                if isinstance(value, str):
                    value = plain_text(value, OPTION_CHARS)
                elif not isinstance(value, bool | int | float):
                    raise TypeError(f"option {key!r} is a {type(value).__name__}")
                options[plain_text(key, OPTION_CHARS)] = value
            epoch = int(self.epoch)
            if epoch < 0:
                raise ValueError("epoch < 0")
            return ForkSummary(
                learning_rate=float(self.learning_rate),
                epoch=epoch,
                loss=float(self.loss),
                optimum=None if self.optimum is None else float(self.optimum),
                diverged=bool(self.diverged),
                curve=tuple(curve),
                options=options,
                nickname=plain_text(self.nickname, NICKNAME_CHARS),
            )
        except (TypeError, ValueError, AttributeError) as exc:
            raise LinregError(
                "bad_setting", name="fork summary", value=str(exc), expected="numbers"
            ) from exc

    def to_dict(self) -> dict:
        return {
            "learning_rate": self.learning_rate,
            "epoch": self.epoch,
            "loss": self.loss,
            "optimum": self.optimum,
            "diverged": self.diverged,
            "curve": [list(p) for p in self.curve],
            "options": dict(self.options),
            "nickname": self.nickname,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ForkSummary:
        return cls(**{**data, "curve": tuple((int(e), float(v)) for e, v in data["curve"])})


@dataclass(frozen=True)
class BoardEntry:
    """One forked run on the board: its public id, its summary, when it last reported (epoch s)."""

    entry_id: str
    summary: ForkSummary
    updated: float

    def to_json(self) -> str:
        return json.dumps(
            {"entry_id": self.entry_id, "summary": self.summary.to_dict(), "updated": self.updated}
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> BoardEntry:
        data = json.loads(text)
        return cls(data["entry_id"], ForkSummary.from_dict(data["summary"]), data["updated"])
