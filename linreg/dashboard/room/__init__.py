"""A live room: many people follow one presenter's run, take it over, and show theirs back.

Plain Python, no Streamlit. A page uses it like this (one session per browser tab, each in
its own thread of one server process, or of several replicas sharing a Redis):

- the presenter's session calls ``rooms.start()`` and keeps the returned ``RoomKeys``: the
  ``code`` is public (``follower_link``, ``qr_png``), the ``secret`` never leaves that session;
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
- a poll: the presenter ``ask``s, followers ``answer`` (one each), the presenter reads
  ``answers``, ``close_poll``s and ``post_results``; each follower reads their ``ballot``.
- a challenge: the presenter ``open_challenge``s (and ``close_challenge``s), anyone reads
  ``challenge``, an attendee ``enter``s (one entry each), the presenter reads ``entries``.

Two stores implement ``Rooms``: ``LocalRooms`` (this process, the default) and
``RedisRooms`` (``redis_store``) (``LINREG_ROOMS_URL=redis://…``);
``rooms_from_env()`` picks one.

The package's modules: ``rules`` (every limit and timeout, said once), ``codes``, ``message``
(the room's frame), ``fork``, ``board``, ``hub`` (delivery in one process), ``store`` (the
interface), ``local`` and ``redis_store`` (the two stores), ``stream`` (what a follower's
browser receives, pushed). This file names what others may use and picks the store.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Mapping

from linreg.dashboard.room.board import BoardEntry, ForkSummary, thin_curve
from linreg.dashboard.room.codes import (
    RoomKeys,
    entry_id,
    follower_link,
    new_code,
    new_follower_id,
    new_secret,
    normalize_code,
    qr_png,
    secret_hash,
)
from linreg.dashboard.room.fork import deserialize_checkpoint, serialize_checkpoint
from linreg.dashboard.room.local import LocalRooms
from linreg.dashboard.room.message import Frame, encode_frame
from linreg.dashboard.room.redis_store import RedisRooms
from linreg.dashboard.room.rules import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CURVE_POINTS,
    DEFAULT_IDLE_SECONDS,
    MAX_BOARD,
    MAX_DELTAS,
    MAX_FORK_BYTES,
    MAX_FRAME_BYTES,
    NICKNAME_CHARS,
    QUEUE_FRAMES,
)
from linreg.dashboard.room.store import Rooms, Subscription
from linreg.errors import POSITIVE, LinregError

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CURVE_POINTS",
    "MAX_BOARD",
    "MAX_DELTAS",
    "MAX_FORK_BYTES",
    "MAX_FRAME_BYTES",
    "NICKNAME_CHARS",
    "QUEUE_FRAMES",
    "BoardEntry",
    "ForkSummary",
    "Frame",
    "LocalRooms",
    "RedisRooms",
    "RoomKeys",
    "Rooms",
    "Subscription",
    "deserialize_checkpoint",
    "encode_frame",
    "entry_id",
    "follower_link",
    "idle_seconds_from_env",
    "new_code",
    "new_follower_id",
    "new_secret",
    "normalize_code",
    "qr_png",
    "rooms_from_env",
    "secret_hash",
    "serialize_checkpoint",
    "thin_curve",
]


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
                store = RedisRooms(url, idle_seconds=idle)
            else:
                store = LocalRooms(idle_seconds=idle)
            _STORES[(url, idle)] = store
        return store
