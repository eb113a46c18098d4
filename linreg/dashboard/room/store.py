"""The interface both stores implement (``LocalRooms``, ``RedisRooms``)."""

from __future__ import annotations

import hashlib
import json
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping

from linreg.dashboard.room.board import BoardEntry, ForkSummary
from linreg.dashboard.room.codes import (
    RoomKeys,
    entry_id,
    new_code,
    new_follower_id,
    new_secret,
    normalize_code,
    secret_hash,
)
from linreg.dashboard.room.hub import FollowerQueue, FrameListener, Hub
from linreg.dashboard.room.message import Frame, encode_frame
from linreg.dashboard.room.rules import (
    CHALLENGE_CHARS,
    CHECKPOINT,
    DEFAULT_HEARTBEAT_SECONDS,
    DEFAULT_IDLE_SECONDS,
    ENTRY,
    ENTRY_CHARS,
    LOOKUP_FAILURES,
    LOOKUP_WINDOW_SECONDS,
    MAX_FORK_BYTES,
    POLL_CHARS,
    plain_text,
    size_mb,
)
from linreg.errors import POSITIVE, LinregError, Phrase


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

    @property
    def stale_seconds(self) -> float:
        """A follower's queue not read for this long belongs to a closed tab: it is dropped."""
        return max(self.heartbeat_seconds * 2, 30.0)

    # -- presenter ------------------------------------------------------------------------------------
    def start(self) -> RoomKeys:
        """Open a room; keep ``secret`` in the presenter's session only."""
        secret = new_secret()
        while True:
            code = new_code()
            if self._create(code, secret_hash(secret)):
                return RoomKeys(code, secret)

    def restore(self, code: str, secret: str, version: int, board: Iterable[BoardEntry]) -> bool:
        """Open room ``code`` again after its store lost it (a Redis restart): its frames go on
        after ``version``, its board holds ``board``. False if the room exists."""
        if not self._create(code, secret_hash(secret), int(version)):
            return False
        for entry in board:
            self._report(code, entry)
        return True

    def publish(self, code: str, secret: str, frame: Mapping, *, keyframe: bool = True) -> int:
        """Send ``frame`` to every follower; returns its version. The first frame must be a
        keyframe, and at most MAX_DELTAS frames may follow a keyframe before the next one."""
        return self._publish(code, secret_hash(secret), encode_frame(frame), bool(keyframe))

    def set_fork(self, code: str, secret: str, blob: bytes) -> None:
        """The checkpoint followers take over with "Make it mine" (``serialize_checkpoint``)."""
        if len(blob) > MAX_FORK_BYTES:
            raise LinregError(
                "room_too_large",
                what=CHECKPOINT,
                size=size_mb(len(blob)),
                limit=size_mb(MAX_FORK_BYTES),
            )
        self._set_fork(code, secret_hash(secret), bytes(blob))

    @abstractmethod
    def board(self, code: str, secret: str) -> list[BoardEntry]:
        """Every forked run reported in this room, by entry id (presenter only)."""

    @abstractmethod
    def show(self, code: str, secret: str, entry: str | None) -> None:
        """Show one board entry (by ``entry_id``) to the whole room; None shows none."""

    # -- a poll: the presenter's question, one answer per follower (quiz.Poll judges them) ------
    def ask(self, code: str, secret: str, poll: str) -> None:
        """Open poll ``poll`` (the presenter's name for a question): the answers and results of
        the one before are forgotten."""
        self._ask(code, secret_hash(secret), plain_text(poll, POLL_CHARS))

    def answer(self, code: str, follower_id: str, poll: str, answer: Mapping) -> bool:
        """Keep ``answer`` (a JSON-able dict: the choice, the nickname) as follower
        ``follower_id``'s to poll ``poll``, replacing theirs; False (nothing kept) if that poll is
        not the open one. LinregError("room_poll_full") past MAX_ANSWERS followers."""
        text = json.dumps(dict(answer), separators=(",", ":"), ensure_ascii=False)
        return self._answer(code, str(follower_id), plain_text(poll, POLL_CHARS), text)

    def answers(self, code: str, secret: str, poll: str) -> dict[str, dict]:
        """Follower id → answer of poll ``poll`` so far ({} if it is not the room's poll)."""
        texts = self._answers(code, secret_hash(secret), plain_text(poll, POLL_CHARS), False)
        return {_text(k): json.loads(v) for k, v in texts.items()}

    def close_poll(self, code: str, secret: str, poll: str) -> dict[str, dict]:
        """Close poll ``poll``: answers from now on are refused. Its answers, final."""
        texts = self._answers(code, secret_hash(secret), plain_text(poll, POLL_CHARS), True)
        return {_text(k): json.loads(v) for k, v in texts.items()}

    def post_results(
        self, code: str, secret: str, poll: str, results: Mapping[str, Mapping]
    ) -> None:
        """Each follower's result of closed poll ``poll`` (follower id → JSON-able dict), for
        that follower alone to read (``ballot``)."""
        texts = {str(k): json.dumps(dict(v), separators=(",", ":")) for k, v in results.items()}
        self._post_results(code, secret_hash(secret), plain_text(poll, POLL_CHARS), texts)

    def ballot(self, code: str, follower_id: str, poll: str) -> tuple[dict | None, dict | None]:
        """(follower ``follower_id``'s answer to poll ``poll``, their result once revealed);
        None for what there is not."""
        answer, result = self._ballot(code, str(follower_id), plain_text(poll, POLL_CHARS))
        return (
            None if answer is None else json.loads(answer),
            None if result is None else json.loads(result),
        )

    # -- a challenge: the presenter's target, one entry per attendee (challenge.Entry judges them)
    def open_challenge(self, code: str, secret: str, challenge: str, description: Mapping) -> None:
        """Open challenge ``challenge`` (the presenter's name for it) described by
        ``description`` (JSON-able: its target, limit, data digest), for anyone in the room to
        read (``challenge``); the entries of the one before are forgotten."""
        text = _json(description)
        if len(text) > CHALLENGE_CHARS:
            raise ValueError(f"a challenge's description of {len(text)} characters")
        self._open_challenge(code, secret_hash(secret), plain_text(challenge, POLL_CHARS), text)

    def close_challenge(self, code: str, secret: str) -> None:
        """No challenge from now on; its entries are forgotten."""
        self._open_challenge(code, secret_hash(secret), "", None)

    def challenge(self, code: str) -> dict | None:
        """The open challenge's description (with its ``challenge`` id), None if none."""
        text = self._challenge(code)
        return None if text is None else json.loads(text)

    def enter(self, code: str, follower_id: str, challenge: str, entry: Mapping) -> bool:
        """Keep ``entry`` (JSON-able: the settings, epochs, loss, nickname) as follower
        ``follower_id``'s entry to challenge ``challenge``, replacing theirs; False (nothing
        kept) if that challenge is not the open one. LinregError("room_challenge_full") past
        MAX_ENTRIES attendees, ("bad_setting") past ENTRY_CHARS."""
        text = _json(entry)
        if len(text) > ENTRY_CHARS:
            raise LinregError(
                "bad_setting",
                name=ENTRY,
                value=f"{len(text)} characters",
                expected=Phrase(f"at most {ENTRY_CHARS}", f"como mucho {ENTRY_CHARS}"),
            )
        return self._enter(code, str(follower_id), plain_text(challenge, POLL_CHARS), text)

    def entries(self, code: str, secret: str, challenge: str) -> dict[str, dict]:
        """Follower id → entry of challenge ``challenge`` ({} if it is not the open one)."""
        texts = self._entries(code, secret_hash(secret), plain_text(challenge, POLL_CHARS))
        return {_text(k): json.loads(v) for k, v in texts.items()}

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
        raise LinregError("room_not_found", text=plain_text(text, 40))

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

    def watch(
        self, code: str, listener: FrameListener, lost: Callable[[], None]
    ) -> Callable[[], None]:
        """Call ``listener(frame)`` with each frame published in room ``code`` from now on (in
        the publishing thread, or this process's listening thread for Redis), and
        ``listener(None)`` once the room ends; ``lost()`` if the store's connection dropped
        (the watch is over: watch again once the store answers). Returns the function that
        stops watching. One watch serves every follower of a process: be quick."""
        hub, queue = self.attach(code)
        hub.remove(queue)
        hub.listen(listener, lost)
        return lambda: hub.unlisten(listener)

    @abstractmethod
    def heartbeat(self, code: str, *follower_ids: str) -> None:
        """These followers are here for the next ``heartbeat_seconds`` (one store call)."""

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
    def _create(self, code: str, secret_hash: str, version: int = 0) -> bool: ...

    @abstractmethod
    def _publish(self, code: str, secret_hash: str, text: str, keyframe: bool) -> int: ...

    @abstractmethod
    def _set_fork(self, code: str, secret_hash: str, blob: bytes) -> None: ...

    @abstractmethod
    def _report(self, code: str, entry: BoardEntry) -> None: ...

    @abstractmethod
    def _ask(self, code: str, secret_hash: str, poll: str) -> None: ...

    @abstractmethod
    def _answer(self, code: str, follower_id: str, poll: str, text: str) -> bool: ...

    @abstractmethod
    def _answers(self, code: str, secret_hash: str, poll: str, close: bool) -> dict: ...

    @abstractmethod
    def _post_results(
        self, code: str, secret_hash: str, poll: str, texts: dict[str, str]
    ) -> None: ...

    @abstractmethod
    def _ballot(self, code: str, follower_id: str, poll: str) -> tuple: ...

    @abstractmethod
    def _open_challenge(
        self, code: str, secret_hash: str, challenge: str, text: str | None
    ) -> None: ...

    @abstractmethod
    def _challenge(self, code: str) -> str | None: ...

    @abstractmethod
    def _enter(self, code: str, follower_id: str, challenge: str, text: str) -> bool: ...

    @abstractmethod
    def _entries(self, code: str, secret_hash: str, challenge: str) -> dict: ...

    @abstractmethod
    def _refused_for(self, client_key: str) -> float: ...

    @abstractmethod
    def _count_failure(self, client_key: str) -> None: ...

    @abstractmethod
    def attach(self, code: str) -> tuple[Hub, FollowerQueue]:
        """The hub delivering room ``code``'s frames in this process, and a new queue in it."""


def _json(value: Mapping) -> str:
    return json.dumps(dict(value), separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _text(value: str | bytes) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


class Subscription:
    """One follower receiving a room's frames in order (use from one thread)."""

    def __init__(self, rooms: Rooms, code: str, follower_id: str) -> None:
        self.rooms, self.code, self.follower_id = rooms, code, follower_id
        self._hub, self._queue = rooms.attach(code)
        self._last = 0  # version of the last frame returned
        self._beat = 0.0

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
            self._hub, self._queue = self.rooms.attach(self.code)
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
