"""A live room: many people follow one presenter's run, take it over, and show theirs back.

Plain Python, no Streamlit. A page uses it like this (one session per browser tab, each in
its own thread of one server process, or of several replicas sharing a Redis):

- the presenter's session calls ``rooms.start()`` and keeps the returned ``RoomKeys``: the
  ``code`` is public (``follower_link``, ``qr_svg``), the ``secret`` never leaves that session;
  every write that changes the room (``publish``, ``set_fork``, ``show``, ``touch``, ``end``)
  and reading the board need the secret.
- the presenter publishes frames: JSON-able dicts (the live-views payload, settings, table,
  language-neutral numbers). A *keyframe* holds everything a newcomer needs; the frames
  after it may be deltas (e.g. only the new loss points). The first frame is a keyframe.
- a follower's session turns the code it was given into a room with ``rooms.lookup(text,
  client)`` (failed lookups are rate-limited per client), then ``sub = rooms.follow(code)``
  and calls ``sub.receive(timeout)`` in its loop: the first call returns the latest keyframe
  and the deltas since, every later call the new frames in order (a keyframe again if the
  follower fell too far behind). Receiving is also the heartbeat counted by
  ``follower_count``.
- "Make it mine": the presenter publishes ``serialize_checkpoint(...)`` with ``set_fork``;
  a follower reads ``rooms.fork(code)`` and ``deserialize_checkpoint``s it (no pickle).
- a follower who forked reports a ``ForkSummary`` with ``report``; the presenter reads
  ``board`` and may ``show`` one entry, which everyone reads with ``shown``.

Two stores implement ``Rooms``: ``LocalRooms`` (this process, the default) and
``linreg.dashboard.rooms_redis.RedisRooms`` (``LINREG_ROOMS_URL=redis://…``);
``rooms_from_env()`` picks one.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import math
import os
import re
import secrets
import threading
import time
import unicodedata
import urllib.parse
import zipfile
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from linreg.errors import POSITIVE, LinregError, Phrase

# Codes: 8 characters from 32 that cannot be mistaken for one another when read aloud or
# from a projector (no 0/O, no 1/I): 32**8 ≈ 1.1e12 possibilities.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 8
DEFAULT_IDLE_SECONDS = 2 * 60 * 60
DEFAULT_HEARTBEAT_SECONDS = 15.0  # a follower not heard from for this long stops counting
LOOKUP_FAILURES = 5  # wrong codes a client may try per window ...
LOOKUP_WINDOW_SECONDS = 60.0  # ... before its lookups are refused until the window ends
MAX_FRAME_BYTES = 4 * 1024 * 1024
MAX_FORK_BYTES = 64 * 1024 * 1024
MAX_DELTAS = 1000  # frames after a keyframe; the presenter sends a keyframe before more
MAX_BOARD = 500
QUEUE_FRAMES = 256  # a follower further behind than this skips to the latest keyframe
NICKNAME_CHARS = 32
CURVE_POINTS = 200
OPTION_COUNT = 16
OPTION_CHARS = 32

FRAME = Phrase("room state", "El estado de la sala")
CHECKPOINT = Phrase("run to take over", "La ejecución para tomar")


# -- codes, secrets, links, QR ------------------------------------------------------------------
def new_code() -> str:
    """A fresh room code: CODE_LENGTH characters of CODE_ALPHABET drawn with ``secrets``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """The code typed as ``text`` (any case, spaces or dashes between), or None if it can't be one."""
    code = re.sub(r"[\s-]+", "", str(text)).upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        return None
    return code


def new_secret() -> str:
    """The presenter's secret: 192 random bits, URL-safe text."""
    return secrets.token_urlsafe(24)


def new_follower_id() -> str:
    """A follower's private id (its board entry and heartbeat are keyed by it)."""
    return secrets.token_urlsafe(16)


def secret_hash(secret: str) -> str:
    """What the stores keep instead of the secret itself."""
    return hashlib.sha256(str(secret).encode("utf-8")).hexdigest()


def entry_id(code: str, follower_id: str) -> str:
    """The public id of a follower's board entry: it does not reveal the follower's id."""
    return hashlib.sha256(f"{code}:{follower_id}".encode()).hexdigest()[:12]


def follower_link(base_url: str, code: str) -> str:
    """The shareable link: ``base_url``'s scheme, host and path, then ``?room=CODE``."""
    parts = urllib.parse.urlsplit(base_url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", "")) + (
        f"?room={code}"
    )


def qr_svg(link: str, *, scale: int = 10, border: int = 4) -> str:
    """The link as a QR code, an inline ``<svg>`` element (no XML declaration).

    It scales to any width without blur: draw it at least 25 cm wide on a projected screen to
    be read from 10 m (scanning distance ≈ 10 × the code's width).
    """
    import segno

    qr = segno.make(link, error="m", micro=False)
    return qr.svg_inline(scale=scale, border=border, title=link, svgclass="linreg-room-qr")


def qr_png(link: str, *, scale: int = 12, border: int = 4) -> bytes:
    """The link as a QR code, PNG bytes (``scale`` pixels per module: ≥ 400 px for a room link)."""
    import segno

    qr = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


# -- frames ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Frame:
    """One published frame: its number in the room (1, 2, …), whether it is a keyframe, its JSON.

    Followers of one process share Frame objects; ``data`` decodes a fresh dict on each call,
    ``text`` can go to a browser as it is.
    """

    version: int
    keyframe: bool
    text: str

    @property
    def data(self) -> dict:
        return json.loads(self.text)

    def encode(self) -> str:
        """``"VERSION K TEXT"`` with K 1 for a keyframe: how the Redis store keeps and sends it."""
        return f"{self.version} {int(self.keyframe)} {self.text}"

    @classmethod
    def decode(cls, message: str | bytes) -> Frame:
        if isinstance(message, bytes):
            message = message.decode("utf-8")
        version, keyframe, text = message.split(" ", 2)
        return cls(int(version), keyframe == "1", text)


def encode_frame(frame: Mapping) -> str:
    """A frame dict as compact JSON text, or LinregError if it exceeds MAX_FRAME_BYTES."""
    if not isinstance(frame, Mapping):
        raise TypeError(f"a frame is a dict of JSON values, not {type(frame).__name__}")
    text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
    size = len(text.encode("utf-8"))
    if size > MAX_FRAME_BYTES:
        raise LinregError("room_too_large", what=FRAME, size=_mb(size), limit=_mb(MAX_FRAME_BYTES))
    return text


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


# -- the fork checkpoint: numpy arrays + JSON metadata, in an .npz without pickle -----------------
_NAME = re.compile(r"[A-Za-z0-9_.\-/]{1,100}")
_META = "__meta__"


def serialize_checkpoint(arrays: Mapping[str, np.ndarray], meta: Mapping) -> bytes:
    """Weights, optimizer state, history, generator state … as one blob anyone may load safely.

    ``arrays``: name → numeric/bool numpy array (any shape, no objects); ``meta``: a JSON-able
    dict (settings, epoch, column names …). The blob is an uncompressed ``.npz``.
    """
    payload = {}
    for name, array in arrays.items():
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name == _META:
            raise ValueError(f"array name {name!r}: use 1–100 of A-Z a-z 0-9 _ . - /")
        array = np.asarray(array)
        if array.dtype.hasobject or array.dtype.kind not in "biufcV?":
            raise ValueError(f"array {name!r} has dtype {array.dtype}; only numbers and bools")
        payload[name] = array
    payload[_META] = np.frombuffer(json.dumps(dict(meta)).encode("utf-8"), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **payload)
    return out.getvalue()


def deserialize_checkpoint(
    blob: bytes, *, max_bytes: int = MAX_FORK_BYTES
) -> tuple[dict[str, np.ndarray], dict]:
    """``(arrays, meta)`` from ``serialize_checkpoint``'s blob; LinregError("bad_checkpoint") if
    it is not one. Never unpickles, and checks every array's declared size before reading it."""
    if len(blob) > max_bytes:
        raise LinregError(
            "room_too_large", what=CHECKPOINT, size=_mb(len(blob)), limit=_mb(max_bytes)
        )
    try:
        with zipfile.ZipFile(io.BytesIO(blob)) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > max_bytes:
                raise ValueError("its arrays are larger than the limit")
            for member in members:
                with archive.open(member) as fp:
                    version = np.lib.format.read_magic(fp)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fp)
                    elif version == (2, 0):
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fp)
                    else:
                        raise ValueError(f"{member.filename}: .npy format {version}")
                    if dtype.hasobject:
                        raise ValueError(f"{member.filename} holds Python objects")
                    if math.prod(shape) * dtype.itemsize > member.file_size:
                        raise ValueError(f"{member.filename} is shorter than its header says")
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop(_META).tobytes().decode("utf-8"))
        if not isinstance(meta, dict):
            raise ValueError("its metadata is not a dict")
    except LinregError:
        raise
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, UnicodeError) as exc:
        raise LinregError("bad_checkpoint", reason=str(exc) or type(exc).__name__) from exc
    return arrays, meta


# -- the room board ---------------------------------------------------------------------------------
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


def _plain_text(text: str, limit: int) -> str:
    """``text`` without control characters, runs of spaces collapsed, at most ``limit`` chars.
    Not escaped: showing it safely is the page's job."""
    kept = "".join(
        " " if c.isspace() else c
        for c in str(text)
        if c.isspace() or not unicodedata.category(c).startswith("C")
    )
    return " ".join(kept.split())[:limit]


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
                    value = _plain_text(value, OPTION_CHARS)
                elif not isinstance(value, bool | int | float):
                    raise TypeError(f"option {key!r} is a {type(value).__name__}")
                options[_plain_text(key, OPTION_CHARS)] = value
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
                nickname=_plain_text(self.nickname, NICKNAME_CHARS),
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


@dataclass(frozen=True)
class RoomKeys:
    """What ``start`` returns to the presenter: the public code and the private secret."""

    code: str
    secret: str = field(repr=False)


# -- delivering frames to the followers of one process ---------------------------------------------
class _Queue:
    """One follower's frames not yet received."""

    __slots__ = ("frames", "resync", "seen", "waiting", "dropped")

    def __init__(self) -> None:
        self.frames: deque[Frame] = deque()
        self.resync = True  # the next receive starts from the latest keyframe
        self.seen = time.monotonic()
        self.waiting = False
        self.dropped = False


class _Hub:
    """The followers of one room in this process: every published frame goes to each queue."""

    def __init__(self, stale_seconds: float) -> None:
        self._cond = threading.Condition()
        self._queues: set[_Queue] = set()
        self._stale = stale_seconds
        self.ended = False  # the room is over
        self.closed = False  # this process no longer listens for the room (Redis store)

    def __len__(self) -> int:
        with self._cond:
            return len(self._queues)

    def add(self) -> _Queue:
        queue = _Queue()
        with self._cond:
            self._queues.add(queue)
        return queue

    def remove(self, queue: _Queue) -> None:
        with self._cond:
            self._queues.discard(queue)
            queue.frames.clear()

    def deliver(self, frame: Frame) -> None:
        with self._cond:
            stale = time.monotonic() - self._stale
            for queue in list(self._queues):
                if not queue.waiting and queue.seen < stale:
                    # a closed tab: nobody will receive these frames
                    self._queues.discard(queue)
                    queue.frames.clear()
                    queue.dropped = True
                elif len(queue.frames) >= QUEUE_FRAMES:
                    queue.frames.clear()
                    queue.resync = True
                else:
                    queue.frames.append(frame)
            self._cond.notify_all()

    def end(self) -> None:
        with self._cond:
            self.ended = True
            for queue in self._queues:
                queue.frames.clear()
            self._queues.clear()
            self._cond.notify_all()

    def take(self, queue: _Queue, timeout: float) -> tuple[list[Frame], bool]:
        """(frames waiting, whether to resync first), waiting up to ``timeout`` s for one."""
        with self._cond:
            if queue.dropped:
                queue.dropped = False
                queue.resync = True
                self._queues.add(queue)
            queue.waiting = True
            try:
                self._cond.wait_for(
                    lambda: queue.frames or queue.resync or self.ended, max(timeout, 0.0)
                )
            finally:
                queue.waiting = False
                queue.seen = time.monotonic()
            frames, resync = list(queue.frames), queue.resync
            queue.frames.clear()
            queue.resync = False
            return frames, resync


class Subscription:
    """One follower receiving a room's frames in order (use from one thread)."""

    def __init__(self, rooms: Rooms, code: str, follower_id: str) -> None:
        self.rooms, self.code, self.follower_id = rooms, code, follower_id
        self._hub, self._queue = rooms._attach(code)
        self._last = 0  # version of the last frame returned
        self._beat = 0.0

    @property
    def last_version(self) -> int:
        return self._last

    def receive(self, timeout: float = 1.0) -> list[Frame]:
        """The frames published since the last call, in order, waiting up to ``timeout`` s for
        one ([] if none came). The first call, and any call after the follower fell more than
        QUEUE_FRAMES behind, starts with the latest keyframe. LinregError("room_ended") once
        the room is over. Each call is also this follower's heartbeat."""
        now = time.monotonic()
        if now - self._beat > self.rooms.heartbeat_seconds / 3:
            self.rooms.heartbeat(self.code, self.follower_id)
            self._beat = now
        if self._hub.closed and not self._hub.ended:  # the store let this hub go: join again
            self._hub, self._queue = self.rooms._attach(self.code)
        frames, resync = self._hub.take(self._queue, timeout)
        if self._hub.ended:
            raise LinregError("room_ended", room=self.code)
        if resync:
            frames = self.rooms.frames(self.code) + frames
        fresh = self._continuing(frames)
        if fresh is None:  # a gap with no keyframe after it: start again from the latest
            fresh = self._continuing(self.rooms.frames(self.code)) or []
        if fresh:
            self._last = fresh[-1].version
        return fresh

    def _continuing(self, frames: list[Frame]) -> list[Frame] | None:
        """The frames after the last one returned, in order; from the latest keyframe if some
        are missing before them; None if that needs a keyframe they don't have."""
        by_version = {f.version: f for f in frames if f.version > self._last}
        fresh = [by_version[v] for v in sorted(by_version)]
        if not fresh or fresh[0].version == self._last + 1:
            return fresh
        keyframes = [i for i, f in enumerate(fresh) if f.keyframe]
        return fresh[keyframes[-1] :] if keyframes else None

    def close(self) -> None:
        self._hub.remove(self._queue)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- the interface both stores implement -------------------------------------------------------------
class Rooms(ABC):
    """Rooms kept somewhere; every method is safe to call from many threads at once.

    Presenter-only methods take the room's ``secret`` and raise LinregError
    ("room_not_presenter") for any other; methods on a room that is gone raise
    LinregError("room_ended").
    """

    def __init__(
        self,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS,
        lookup_failures: int = LOOKUP_FAILURES,
        lookup_window_seconds: float = LOOKUP_WINDOW_SECONDS,
    ) -> None:
        for name, value in (
            ("idle_seconds", idle_seconds),
            ("heartbeat_seconds", heartbeat_seconds),
            ("lookup_window_seconds", lookup_window_seconds),
        ):
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise LinregError("bad_setting", name=name, value=value, expected=POSITIVE)
        self.idle_seconds = float(idle_seconds)
        self.heartbeat_seconds = float(heartbeat_seconds)
        self.lookup_failures = int(lookup_failures)
        self.lookup_window_seconds = float(lookup_window_seconds)

    # -- presenter ------------------------------------------------------------------------------------
    def start(self) -> RoomKeys:
        """Open a room; keep ``secret`` in the presenter's session only."""
        secret = new_secret()
        while True:
            code = new_code()
            if self._create(code, secret_hash(secret)):
                return RoomKeys(code, secret)

    def publish(self, code: str, secret: str, frame: Mapping, *, keyframe: bool = True) -> int:
        """Send ``frame`` to every follower; returns its version. The first frame must be a
        keyframe, and at most MAX_DELTAS frames may follow a keyframe before the next one."""
        return self._publish(code, secret_hash(secret), encode_frame(frame), bool(keyframe))

    def set_fork(self, code: str, secret: str, blob: bytes) -> None:
        """The checkpoint followers take over with "Make it mine" (``serialize_checkpoint``)."""
        if len(blob) > MAX_FORK_BYTES:
            raise LinregError(
                "room_too_large", what=CHECKPOINT, size=_mb(len(blob)), limit=_mb(MAX_FORK_BYTES)
            )
        self._set_fork(code, secret_hash(secret), bytes(blob))

    @abstractmethod
    def board(self, code: str, secret: str) -> list[BoardEntry]:
        """Every forked run reported in this room, by entry id (presenter only)."""

    @abstractmethod
    def show(self, code: str, secret: str, entry: str | None) -> None:
        """Show one board entry (by ``entry_id``) to the whole room; None shows none."""

    @abstractmethod
    def touch(self, code: str, secret: str) -> None:
        """The presenter is still there: the idle time starts again."""

    @abstractmethod
    def end(self, code: str, secret: str) -> None:
        """Close the room now: followers get LinregError("room_ended"), its memory is freed."""

    # -- anyone who has the code -----------------------------------------------------------------------
    def lookup(self, text: str, client: str) -> str:
        """The room code in ``text`` if such a room is open. Otherwise LinregError
        ("room_not_found"); after ``lookup_failures`` failures within
        ``lookup_window_seconds``, LinregError("room_lookups_refused") for every lookup from
        ``client`` (a session id, an IP address …) until the window ends."""
        client_key = hashlib.sha256(str(client).encode("utf-8")).hexdigest()[:32]
        wait = self._refused_for(client_key)
        if wait > 0:
            raise LinregError("room_lookups_refused", seconds=math.ceil(wait))
        code = normalize_code(text)
        if code is not None and self.exists(code):
            return code
        self._count_failure(client_key)
        raise LinregError("room_not_found", text=_plain_text(text, 40))

    @abstractmethod
    def exists(self, code: str) -> bool:
        """Whether room ``code`` is open (no rate limit: call ``lookup`` for codes people type)."""

    @abstractmethod
    def frames(self, code: str) -> list[Frame]:
        """The latest keyframe and the frames after it, in order ([] before the first)."""

    def follow(self, code: str, follower_id: str | None = None) -> Subscription:
        """Receive room ``code``'s frames (``Subscription.receive``); close it when done."""
        follower_id = follower_id or new_follower_id()
        self.heartbeat(code, follower_id)
        return Subscription(self, code, follower_id)

    @abstractmethod
    def heartbeat(self, code: str, follower_id: str) -> None:
        """Follower ``follower_id`` is here for the next ``heartbeat_seconds``."""

    @abstractmethod
    def follower_count(self, code: str) -> int:
        """How many followers sent a heartbeat within ``heartbeat_seconds`` (0 if gone)."""

    @abstractmethod
    def fork(self, code: str) -> bytes | None:
        """The presenter's latest checkpoint, None if none was published."""

    def report(self, code: str, follower_id: str, summary: ForkSummary) -> str:
        """Put (or update) follower ``follower_id``'s forked run on the board; returns its
        public entry id."""
        entry = BoardEntry(entry_id(code, follower_id), summary.cleaned(), time.time())
        self._report(code, entry)
        return entry.entry_id

    @abstractmethod
    def shown(self, code: str) -> BoardEntry | None:
        """The board entry the presenter shows to the room, None if none."""

    def close(self) -> None:  # noqa: B027 - a store without connections has nothing to do
        """Release connections and threads of this store object (rooms themselves stay)."""

    # -- what each store provides -------------------------------------------------------------------
    @abstractmethod
    def _create(self, code: str, secret_hash: str) -> bool: ...

    @abstractmethod
    def _publish(self, code: str, secret_hash: str, text: str, keyframe: bool) -> int: ...

    @abstractmethod
    def _set_fork(self, code: str, secret_hash: str, blob: bytes) -> None: ...

    @abstractmethod
    def _report(self, code: str, entry: BoardEntry) -> None: ...

    @abstractmethod
    def _refused_for(self, client_key: str) -> float: ...

    @abstractmethod
    def _count_failure(self, client_key: str) -> None: ...

    @abstractmethod
    def _attach(self, code: str) -> tuple[_Hub, _Queue]:
        """The hub delivering room ``code``'s frames in this process, and a new queue in it."""


def _check_delta(keyframe: bool, has_keyframe: bool, n_deltas: int) -> None:
    if not keyframe and not has_keyframe:
        raise ValueError("a room's first frame must be a keyframe")
    if not keyframe and n_deltas >= MAX_DELTAS:
        raise ValueError(f"{MAX_DELTAS} frames since the keyframe: publish a keyframe now")


# -- in this process ----------------------------------------------------------------------------------
@dataclass
class _LocalRoom:
    secret_hash: str
    hub: _Hub
    active: float  # time.monotonic() of the presenter's last call
    version: int = 0
    frames: list[Frame] = field(default_factory=list)  # the keyframe, then deltas
    fork: bytes | None = None
    board: dict[str, BoardEntry] = field(default_factory=dict)
    shown: str | None = None
    followers: dict[str, float] = field(default_factory=dict)  # follower id → expiry


class LocalRooms(Rooms):
    """Rooms in this process's memory: nothing to install; one server process only.

    A room is dropped (and its memory freed) by ``end`` or once its presenter has been idle
    for ``idle_seconds``: a daemon thread sweeps while rooms exist.
    """

    def __init__(self, **settings: float) -> None:
        super().__init__(**settings)
        self._lock = threading.RLock()
        self._rooms: dict[str, _LocalRoom] = {}
        self._failures: dict[str, tuple[int, float]] = {}  # client key → (count, window end)
        self._sweeper: threading.Thread | None = None
        self._stop = threading.Event()

    def __len__(self) -> int:
        with self._lock:
            return len(self._rooms)

    # -- the presenter's room, checked -----------------------------------------------------------
    def _room(self, code: str) -> _LocalRoom:
        room = self._rooms.get(code)
        if room is None:
            raise LinregError("room_ended", room=code)
        return room

    def _own(self, code: str, hash_: str) -> _LocalRoom:
        room = self._room(code)
        if not hmac.compare_digest(room.secret_hash, hash_):
            raise LinregError("room_not_presenter", room=code)
        room.active = time.monotonic()
        return room

    def _create(self, code: str, secret_hash: str) -> bool:
        with self._lock:
            if code in self._rooms:
                return False
            stale = max(self.heartbeat_seconds * 2, 30.0)
            self._rooms[code] = _LocalRoom(secret_hash, _Hub(stale), time.monotonic())
            if self._sweeper is None or not self._sweeper.is_alive():
                self._stop.clear()
                self._sweeper = threading.Thread(
                    target=self._sweep_loop, name="linreg-rooms-sweeper", daemon=True
                )
                self._sweeper.start()
            return True

    def _publish(self, code: str, secret_hash: str, text: str, keyframe: bool) -> int:
        with self._lock:
            room = self._own(code, secret_hash)
            _check_delta(keyframe, bool(room.frames), len(room.frames) - 1)
            room.version += 1
            frame = Frame(room.version, keyframe, text)
            if keyframe:
                room.frames = [frame]
            else:
                room.frames.append(frame)
            room.hub.deliver(frame)
            return frame.version

    def _set_fork(self, code: str, secret_hash: str, blob: bytes) -> None:
        with self._lock:
            self._own(code, secret_hash).fork = blob

    def board(self, code: str, secret: str) -> list[BoardEntry]:
        with self._lock:
            room = self._own(code, secret_hash(secret))
            return [room.board[k] for k in sorted(room.board)]

    def show(self, code: str, secret: str, entry: str | None) -> None:
        with self._lock:
            room = self._own(code, secret_hash(secret))
            if entry is not None and entry not in room.board:
                raise LinregError("room_no_such_run", entry=entry, room=code)
            room.shown = entry

    def touch(self, code: str, secret: str) -> None:
        with self._lock:
            self._own(code, secret_hash(secret))

    def end(self, code: str, secret: str) -> None:
        with self._lock:
            self._own(code, secret_hash(secret))
            self._drop(code)

    def _drop(self, code: str) -> None:
        room = self._rooms.pop(code)
        room.hub.end()
        room.frames.clear()
        room.board.clear()
        room.followers.clear()
        room.fork = None

    # -- followers ---------------------------------------------------------------------------------
    def exists(self, code: str) -> bool:
        with self._lock:
            return code in self._rooms

    def frames(self, code: str) -> list[Frame]:
        with self._lock:
            return list(self._room(code).frames)

    def heartbeat(self, code: str, follower_id: str) -> None:
        with self._lock:
            room = self._room(code)
            room.followers[follower_id] = time.monotonic() + self.heartbeat_seconds

    def follower_count(self, code: str) -> int:
        with self._lock:
            room = self._rooms.get(code)
            if room is None:
                return 0
            now = time.monotonic()
            for follower, expiry in list(room.followers.items()):
                if expiry <= now:
                    del room.followers[follower]
            return len(room.followers)

    def fork(self, code: str) -> bytes | None:
        with self._lock:
            return self._room(code).fork

    def _report(self, code: str, entry: BoardEntry) -> None:
        with self._lock:
            room = self._room(code)
            if entry.entry_id not in room.board and len(room.board) >= MAX_BOARD:
                raise LinregError("room_board_full", limit=MAX_BOARD)
            room.board[entry.entry_id] = entry

    def shown(self, code: str) -> BoardEntry | None:
        with self._lock:
            room = self._room(code)
            return None if room.shown is None else room.board.get(room.shown)

    def _attach(self, code: str) -> tuple[_Hub, _Queue]:
        with self._lock:
            hub = self._room(code).hub
            return hub, hub.add()

    # -- failed lookups -------------------------------------------------------------------------------
    def _refused_for(self, client_key: str) -> float:
        with self._lock:
            count, window_end = self._failures.get(client_key, (0, 0.0))
            wait = window_end - time.monotonic()
            return wait if count >= self.lookup_failures and wait > 0 else 0.0

    def _count_failure(self, client_key: str) -> None:
        with self._lock:
            now = time.monotonic()
            count, window_end = self._failures.get(client_key, (0, 0.0))
            if window_end <= now:
                count, window_end = 0, now + self.lookup_window_seconds
            self._failures[client_key] = (count + 1, window_end)
            if len(self._failures) > 10_000:  # many clients failing while no room is open
                self._failures = {k: v for k, v in self._failures.items() if v[1] > now}

    # -- idle rooms ----------------------------------------------------------------------------------
    def sweep(self) -> None:
        """Drop every room idle for ``idle_seconds`` and forget old lookup failures."""
        with self._lock:
            now = time.monotonic()
            for code in [c for c, r in self._rooms.items() if now - r.active >= self.idle_seconds]:
                self._drop(code)
            for key in [k for k, (_, end) in self._failures.items() if end <= now]:
                del self._failures[key]

    def _sweep_loop(self) -> None:
        period = min(self.idle_seconds / 4, 15.0)
        while not self._stop.wait(period):
            self.sweep()
            with self._lock:
                if not self._rooms:
                    self._sweeper = None
                    return

    def close(self) -> None:
        self._stop.set()


# -- which store -----------------------------------------------------------------------------------------
# One store object per process and setting, shared by every session on purpose: a room *is*
# the state several sessions share. Nothing per-user leaks through it: a session reaches a
# room only by its code (lookups rate-limited), writes to it only with the secret its own
# session holds, and followers put nothing in it but the numbers of the board summary.
_STORES: dict[tuple[str, float], Rooms] = {}
_STORES_LOCK = threading.Lock()


def idle_seconds_from_env(environ: Mapping[str, str] | None = None) -> float:
    """LINREG_ROOM_IDLE_SECONDS (default 2 h), checked."""
    environ = os.environ if environ is None else environ
    text = environ.get("LINREG_ROOM_IDLE_SECONDS", "").strip()
    if not text:
        return float(DEFAULT_IDLE_SECONDS)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise LinregError(
            "bad_setting", name="LINREG_ROOM_IDLE_SECONDS", value=text, expected=POSITIVE
        )
    return value


def rooms_from_env(environ: Mapping[str, str] | None = None) -> Rooms:
    """The process's store: Redis if LINREG_ROOMS_URL is set (redis://, rediss:// or
    unix://), else in this process; idle time from LINREG_ROOM_IDLE_SECONDS."""
    environ = os.environ if environ is None else environ
    url = environ.get("LINREG_ROOMS_URL", "").strip()
    idle = idle_seconds_from_env(environ)
    with _STORES_LOCK:
        store = _STORES.get((url, idle))
        if store is None:
            if url:
                from linreg.dashboard.rooms_redis import RedisRooms

                store = RedisRooms(url, idle_seconds=idle)
            else:
                store = LocalRooms(idle_seconds=idle)
            _STORES[(url, idle)] = store
        return store
