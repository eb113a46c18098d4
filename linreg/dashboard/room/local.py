"""Rooms in this process's memory (the default)."""

from __future__ import annotations

import hmac
import threading
import time
from dataclasses import dataclass, field

from linreg.dashboard.room.board import BoardEntry
from linreg.dashboard.room.codes import secret_hash
from linreg.dashboard.room.hub import FollowerQueue, Hub
from linreg.dashboard.room.message import Frame
from linreg.dashboard.room.rules import MAX_ANSWERS, MAX_BOARD, MAX_ENTRIES, check_delta
from linreg.dashboard.room.store import Rooms
from linreg.errors import LinregError


@dataclass
class _LocalRoom:
    secret_hash: str
    hub: Hub
    active: float  # time.monotonic() of the presenter's last call
    version: int = 0
    frames: list[Frame] = field(default_factory=list)  # the keyframe, then deltas
    fork: bytes | None = None
    board: dict[str, BoardEntry] = field(default_factory=dict)
    shown: str | None = None
    followers: dict[str, float] = field(default_factory=dict)  # follower id → expiry
    poll: str | None = None  # the presenter's open (or last revealed) question
    poll_open: bool = False
    answers: dict[str, str] = field(default_factory=dict)  # follower id → answer JSON
    results: dict[str, str] = field(default_factory=dict)  # follower id → result JSON
    challenge: str | None = None  # the open challenge's id, None if none
    challenge_text: str | None = None  # its description JSON
    entries: dict[str, str] = field(default_factory=dict)  # follower id → entry JSON


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

    def _create(self, code: str, secret_hash: str, version: int = 0) -> bool:
        with self._lock:
            if code in self._rooms:
                return False
            self._rooms[code] = _LocalRoom(
                secret_hash, Hub(self.stale_seconds), time.monotonic(), version
            )
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
            check_delta(keyframe, bool(room.frames), len(room.frames) - 1)
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

    def _ask(self, code: str, secret_hash: str, poll: str) -> None:
        with self._lock:
            room = self._own(code, secret_hash)
            room.poll, room.poll_open = poll, True
            room.answers, room.results = {}, {}

    def _answer(self, code: str, follower_id: str, poll: str, text: str) -> bool:
        with self._lock:
            room = self._room(code)
            if room.poll != poll or not room.poll_open:
                return False
            if follower_id not in room.answers and len(room.answers) >= MAX_ANSWERS:
                raise LinregError("room_poll_full", limit=MAX_ANSWERS)
            room.answers[follower_id] = text
            return True

    def _answers(self, code: str, secret_hash: str, poll: str, close: bool) -> dict:
        with self._lock:
            room = self._own(code, secret_hash)
            if room.poll != poll:
                return {}
            if close:
                room.poll_open = False
            return dict(room.answers)

    def _post_results(self, code: str, secret_hash: str, poll: str, texts: dict[str, str]) -> None:
        with self._lock:
            room = self._own(code, secret_hash)
            if room.poll == poll and not room.poll_open:
                room.results.update(texts)

    def _ballot(self, code: str, follower_id: str, poll: str) -> tuple:
        with self._lock:
            room = self._room(code)
            if room.poll != poll:
                return None, None
            return room.answers.get(follower_id), room.results.get(follower_id)

    def _open_challenge(
        self, code: str, secret_hash: str, challenge: str, text: str | None
    ) -> None:
        with self._lock:
            room = self._own(code, secret_hash)
            room.challenge = challenge if text is not None else None
            room.challenge_text = text
            room.entries = {}

    def _challenge(self, code: str) -> str | None:
        with self._lock:
            return self._room(code).challenge_text

    def _enter(self, code: str, follower_id: str, challenge: str, text: str) -> bool:
        with self._lock:
            room = self._room(code)
            if room.challenge is None or room.challenge != challenge:
                return False
            if follower_id not in room.entries and len(room.entries) >= MAX_ENTRIES:
                raise LinregError("room_challenge_full", limit=MAX_ENTRIES)
            room.entries[follower_id] = text
            return True

    def _entries(self, code: str, secret_hash: str, challenge: str) -> dict:
        with self._lock:
            room = self._own(code, secret_hash)
            return dict(room.entries) if room.challenge == challenge else {}

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
        room.answers.clear()
        room.results.clear()
        room.entries.clear()
        room.fork = None

    # -- followers ---------------------------------------------------------------------------------
    def exists(self, code: str) -> bool:
        with self._lock:
            return code in self._rooms

    def frames(self, code: str) -> list[Frame]:
        with self._lock:
            return list(self._room(code).frames)

    def heartbeat(self, code: str, *follower_ids: str) -> None:
        with self._lock:
            room = self._room(code)
            expiry = time.monotonic() + self.heartbeat_seconds
            room.followers.update(dict.fromkeys(follower_ids, expiry))

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

    def attach(self, code: str) -> tuple[Hub, FollowerQueue]:
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
