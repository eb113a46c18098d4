"""Every setting of the page in one object, and its round trip through URL query parameters."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

from linreg.dashboard.lesson import CHAPTERS
from linreg.data import SAMPLES
from linreg.texts import LANGUAGES
from linreg.trainer import DEFAULT_EPOCHS, ENGINES, INITS, OPTIMIZERS, TrainConfig

DATA_SOURCES = (*SAMPLES, "upload")
# The page's bounds (the engine's own are wider: a browser has its limits, a page its scale).
LEARNING_RATE_RANGE = (1e-12, 10.0)  # typed in; larger rates only diverge
LEARNING_RATES = [float(f"{m}e{e}") for e in range(-7, 0) for m in (1, 3)] + [1.0]  # the slider
MAX_BATCH = 10_000_000
MAX_RUN_EPOCHS = 1_000_000
MAX_SPEED = 10_000
MAX_SEED = 2**53 - 1  # the largest whole number a browser's number input holds exactly
_TRAIN = TrainConfig()


@dataclass(frozen=True)
class Settings:
    """What a shared link reproduces. Field names are the query parameters' names."""

    lang: str = "en"
    data: str = "sample5"  # sample5 | sample15 | upload
    inputs: tuple[str, ...] = ()  # empty: the data's default roles
    targets: tuple[str, ...] = ()
    engine: str = _TRAIN.engine
    opt: str = _TRAIN.optimizer
    lr: float = _TRAIN.learning_rate
    batch: int = _TRAIN.batch_size or 0  # 0: full batch
    std: bool = _TRAIN.standardize
    stdy: bool = _TRAIN.standardize_targets
    init: str = _TRAIN.init
    seed: int = _TRAIN.seed
    drop: bool = False  # drop rows with missing values instead of refusing them
    run: int = DEFAULT_EPOCHS  # epochs per press of Run
    speed: int = 5  # epochs per frame while playing; a browser draws about 2–6 frames a second
    log: bool = False  # loss curve on a log scale
    present: bool = False  # present mode: the live views large on a projector's first screen
    lesson: int = 0  # the guided lesson's chapter (from 1); 0: the free dashboard

    def train_config(self) -> TrainConfig:
        return TrainConfig(
            learning_rate=self.lr,
            engine=self.engine,
            optimizer=self.opt,
            batch_size=self.batch or None,
            standardize=self.std,
            standardize_targets=self.stdy,
            init=self.init,
            seed=self.seed,
        )

    def to_query(self) -> dict[str, str]:
        """The settings that differ from the defaults, as strings for the URL."""
        default = Settings()
        query = {}
        for name, value in asdict(self).items():
            if value != getattr(default, name):
                query[name] = _format(value)
        return query


def _format(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _choice(choices):
    def parse(text: str) -> str:
        if text not in choices:
            raise ValueError
        return text

    return parse


def _learning_rate(text: str) -> float:
    value = float(text)
    low, high = LEARNING_RATE_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError
    return value


def _int_between(low: int, high: int):
    def parse(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError
        return value

    return parse


def _flag(text: str) -> bool:
    if text not in ("0", "1", "true", "false"):
        raise ValueError
    return text in ("1", "true")


def _names(text: str) -> tuple[str, ...]:
    return tuple(name for name in text.split(",") if name)


PARSERS = {
    "lang": _choice(LANGUAGES),
    "data": _choice(DATA_SOURCES),
    "inputs": _names,
    "targets": _names,
    "engine": _choice(ENGINES),
    "opt": _choice(OPTIMIZERS),
    "lr": _learning_rate,
    "batch": _int_between(0, MAX_BATCH),
    "std": _flag,
    "stdy": _flag,
    "init": _choice(INITS),
    "seed": _int_between(0, MAX_SEED),
    "drop": _flag,
    "run": _int_between(1, MAX_RUN_EPOCHS),
    "speed": _int_between(1, MAX_SPEED),
    "log": _flag,
    "present": _flag,
    "lesson": _int_between(1, len(CHAPTERS)),
}
assert set(PARSERS) == {f.name for f in fields(Settings)}


def from_query(query: Mapping[str, str | list[str]]) -> tuple[Settings, list[tuple[str, str]]]:
    """Settings read from query parameters, and the (name, value) pairs that were ignored.

    Unknown names and invalid values are ignored (the default stays), never fatal.
    """
    values: dict[str, object] = {}
    ignored: list[tuple[str, str]] = []
    for name, raw in query.items():
        text = raw[-1] if isinstance(raw, list) else raw
        parser = PARSERS.get(name)
        if parser is None:
            ignored.append((name, str(text)))
            continue
        try:
            values[name] = parser(str(text).strip())
        except (ValueError, OverflowError):
            ignored.append((name, str(text)))
    return replace(Settings(), **values), ignored
