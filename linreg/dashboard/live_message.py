"""The live views' message: one typed definition of what the browser's live.js draws.

``LiveSession`` (``linreg.dashboard.live``) builds a ``LivePayload``; the page sends
``encode(payload)`` to the component; a presenter forwards it to the room
(``linreg.dashboard.room_session``) and each follower's stream relabels it in the follower's
language (``linreg.dashboard.room.stream``). ``schema()`` is the JSON Schema of the encoded
message, derived from these classes' type hints: the tests validate every payload against it,
on the Python side and as live.js receives it in a browser.

Numbers are float32 values written as the shortest decimal text that reads back to them;
``None`` stands for a non-finite one. Shapes: K targets, D inputs, R rows drawn (at most
``live.SHOWN_ROWS``). A field marked optional (``OPTIONAL`` in its metadata) is left out of
the encoding when it is None; every other field is always there, None included.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Number = float | None  # a float32 value, None if it was not finite
OPTIONAL = {"optional": True}  # a field's metadata: left out of the encoding when None


def omitted_if_none():
    """A field that may be left out: None by default, not in the encoding when None."""
    return field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class Divergence:
    """Why and when the run diverged (the page words it): ``reason`` "not_finite" or
    "exploded", ``epoch`` the epoch it happened at, ``lr`` the learning rate as written."""

    reason: Literal["not_finite", "exploded"]
    epoch: int
    lr: str


@dataclass(frozen=True)
class Prefs:
    """The controls as they start: the Run epochs, the play speed, the log switch."""

    run: int
    speed: int
    log: bool


@dataclass(frozen=True)
class EarlierCurve:
    """An earlier run's loss curve, drawn faintly: ``loss[i]`` after epoch ``epochs[i]``."""

    label: str
    epochs: list[int]
    loss: list[Number]


@dataclass(frozen=True)
class LiveSetup:
    """What stays the same during a run: ``inputs`` (D,) and ``targets`` (K,) names,
    ``labels`` (the component's words, ``live.LABEL_KEYS``; {} in a room frame, whose
    followers put their own), ``optimum`` and its text, ``n_rows`` (N), ``actual`` (R, K) the
    rows' target values, ``standardized``, ``prefs``, ``earlier`` runs' curves; with one input
    ``x`` (R,) its values and ``x_ends`` (2,) its smallest and largest."""

    inputs: list[str]
    targets: list[str]
    labels: dict[str, str]
    optimum: Number
    optimum_text: str
    n_rows: int
    actual: list[list[Number]]
    standardized: bool
    prefs: Prefs
    earlier: list[EarlierCurve]
    x: list[Number] | None = omitted_if_none()
    x_ends: list[Number] | None = omitted_if_none()


@dataclass(frozen=True)
class LiveFrame:
    """The numbers of every live view at epoch ``e``: ``W`` (K, D) and ``b`` (K,) in original
    units, ``gW`` (K, D) and ``gb`` (K,) the gradients of the epoch's last update (training
    units; None at epoch 0 or thinned), ``p`` (R, K) the predictions, ``r2`` (K,), the texts
    of the loss, its change since the epoch before (None at epoch 0) and R², ``eq`` (K,) each
    target's equation; with one input ``line`` (K, 2): the fitted line at ``x_ends``."""

    e: int
    W: list[list[Number]]
    b: list[Number]
    gW: list[list[Number]] | None
    gb: list[Number] | None
    p: list[list[Number]]
    r2: list[Number]
    loss_text: str
    change_text: str | None
    r2_text: str
    eq: list[str]
    line: list[list[Number]] | None = omitted_if_none()


@dataclass(frozen=True)
class LivePayload:
    """One message to the live views.

    ``run`` names the training run (a new one restarts the views); ``seq`` grows with every
    payload (the browser ignores one it has seen; a follower's is the room frame's version);
    ``event`` the browser event answered (0: none); ``latest`` the server trainer's epoch;
    ``loss[i]`` is the loss after epoch ``loss_from + i`` (the browser drops what it holds
    from ``loss_from`` on before appending); ``frames`` the epochs to draw, ascending, the
    last where the views stop; ``mode`` "play": keep playing at ``speed`` epochs a frame and
    ask for more, "run": play these frames once and stop, "show": show the last; ``diverged``
    None while the run has not; ``setup`` with a new run or when asked.
    In a room: ``playing`` (the presenter plays) and ``shown`` (the epoch its views stop on);
    a follower's adds ``readonly`` true.
    """

    run: str
    seq: int
    event: int
    latest: int
    loss_from: int
    loss: list[Number]
    frames: list[LiveFrame]
    mode: Literal["show", "play", "run"]
    speed: int
    diverged: Divergence | None
    setup: LiveSetup | None = omitted_if_none()
    playing: bool | None = omitted_if_none()
    shown: int | None = omitted_if_none()
    readonly: bool | None = omitted_if_none()

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))


# -- the one encoder, its decoder and its schema ------------------------------------------------
def encode(message) -> dict:
    """``message`` (an instance of one of the classes above) as JSON values. Lists of plain
    values are passed as they are, not copied."""
    out = {}
    for name, optional, encoder in _plan(type(message), "encode"):
        value = getattr(message, name)
        if value is None:
            if not optional:
                out[name] = None
        else:
            out[name] = value if encoder is None else encoder(value)
    return out


def decode(cls: type, data: Mapping):
    """The ``cls`` message whose encoding is ``data``; ValueError naming the field if ``data``
    lacks a required field or has one ``cls`` does not know. Values are not checked (that is
    ``schema()``'s part)."""
    if not isinstance(data, Mapping):
        raise ValueError(f"a {cls.__name__} is a JSON object, not {type(data).__name__}")
    values = {}
    for name, optional, decoder in _plan(cls, "decode"):
        if name in data:
            value = data[name]
            values[name] = value if decoder is None or value is None else decoder(value)
        elif not optional:
            raise ValueError(f"a {cls.__name__} needs the field {name}; found none")
    if len(values) != len(data):
        unknown = sorted(set(data) - set(values))
        raise ValueError(f"a {cls.__name__} has no field {', '.join(unknown)}")
    return cls(**values)


@functools.cache
def _plan(cls: type, way: str) -> tuple:
    """(name, optional, how to encode or decode its value, None: as it is) for each field."""
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, bool(f.metadata.get("optional")), _converter(hints[f.name], way))
        for f in dataclasses.fields(cls)
    )


def _converter(hint, way: str):
    """How values of ``hint`` are encoded or decoded (None: they are JSON values already)."""
    if dataclasses.is_dataclass(hint):
        return encode if way == "encode" else functools.partial(decode, hint)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [_converter(a, way) for a in args if a is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"a message field is one type or None, not {hint!r}")
        convert = inner[0]
        return None if convert is None else (lambda v: None if v is None else convert(v))
    if origin is list:
        convert = _converter(args[0], way)
        return None if convert is None else (lambda v: [convert(x) for x in v])
    if origin is dict:
        convert = _converter(args[1], way)
        return None if convert is None else (lambda v: {k: convert(x) for k, x in v.items()})
    return None


_JSON_TYPES = {str: "string", int: "integer", float: "number", bool: "boolean"}


def schema(cls: type = LivePayload) -> dict:
    """The JSON Schema (draft 2020-12) of ``encode``'s output for ``cls``: every class it holds
    in ``$defs``, objects closed (no property the classes lack), required fields required."""
    defs: dict[str, dict] = {}
    root = _schema_of(cls, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": cls.__name__,
        **root,
        "$defs": defs,
    }


def _schema_of(hint, defs: dict) -> dict:
    if dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            hints = typing.get_type_hints(hint)
            fields = dataclasses.fields(hint)
            defs[name] = {
                "description": (hint.__doc__ or "").strip().split("\n\n")[0],
                "type": "object",
                "properties": {f.name: _schema_of(hints[f.name], defs) for f in fields},
                "required": [f.name for f in fields if not f.metadata.get("optional")],
                "additionalProperties": False,
            }
        return {"$ref": f"#/$defs/{name}"}
    if hint is type(None):
        return {"type": "null"}
    if hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint]}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (types.UnionType, typing.Union):
        return {"anyOf": [_schema_of(arg, defs) for arg in args]}
    if origin is list:
        return {"type": "array", "items": _schema_of(args[0], defs)}
    if origin is dict and args[0] is str:
        return {"type": "object", "additionalProperties": _schema_of(args[1], defs)}
    raise TypeError(
        f"no JSON Schema for the type {hint!r}: use str, int, float, bool, None, "
        "Literal, list, dict[str, …], a union of these or a message class"
    )
