"""Rooms in Redis (redis-py), so several server replicas behind one address share them.

Per room, eight keys sharing the hash tag ``{CODE}`` (one cluster slot), all expiring after
the presenter's idle time (every presenter call sets their TTL again):

- ``NS:room:{CODE}:meta``      hash: ``secret`` (its SHA-256), ``version``, ``shown``,
                               ``poll`` (the presenter's question), ``poll_open`` ('1'/'0'),
                               ``challenge`` (the open challenge's id), ``challenge_text``
- ``NS:room:{CODE}:frames``    list: the latest keyframe, then the deltas after it
- ``NS:room:{CODE}:fork``      string: the checkpoint blob
- ``NS:room:{CODE}:board``     hash: entry id → BoardEntry JSON
- ``NS:room:{CODE}:followers`` sorted set: follower id → heartbeat expiry (ms since 1970)
- ``NS:room:{CODE}:answers``   hash: follower id → answer JSON (the open poll's)
- ``NS:room:{CODE}:results``   hash: follower id → result JSON (the revealed poll's)
- ``NS:room:{CODE}:entries``   hash: follower id → entry JSON (the open challenge's)

Frames go out on the pub/sub channel ``NS:room:{CODE}:frames`` as ``"VERSION K JSON"``,
``"end"`` when the room ends. Each process listens with one connection per room that has
followers there, and hands the frames to its followers' queues. Every write is one Lua
script: the secret check and the write are atomic.
"""

from __future__ import annotations

import threading
import time
import urllib.parse

import redis

from linreg.dashboard.room.board import BoardEntry
from linreg.dashboard.room.codes import secret_hash
from linreg.dashboard.room.hub import FollowerQueue, Hub
from linreg.dashboard.room.message import Frame
from linreg.dashboard.room.rules import (
    FIRST_FRAME,
    MAX_ANSWERS,
    MAX_BOARD,
    MAX_DELTAS,
    MAX_ENTRIES,
    TOO_MANY_DELTAS,
)
from linreg.dashboard.room.store import Rooms
from linreg.errors import LinregError

_AUTH = """
local function refresh(ms)
  for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ms) end
end
local secret = redis.call('HGET', KEYS[1], 'secret')
if not secret then return -1 end
if secret ~= ARGV[1] then return -2 end
"""
# KEYS: meta, frames, fork, board, followers. Presenter scripts: ARGV[1] secret hash,
# ARGV[2] idle ms. Results < 0: -1 room gone, -2 not the presenter, -3 delta before any
# keyframe, -4 too many deltas, -5 no such board entry, -6 board full, -7 poll full,
# -8 challenge full.
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'secret', ARGV[1], 'version', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_PUBLISH = (  # ARGV[3] '1' keyframe / '0' delta, ARGV[4] JSON, ARGV[5] channel, ARGV[6] max deltas
    _AUTH
    + """
local n = redis.call('LLEN', KEYS[2])
if ARGV[3] == '0' then
  if n == 0 then return -3 end
  if n > tonumber(ARGV[6]) then return -4 end
end
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
local message = version .. ' ' .. ARGV[3] .. ' ' .. ARGV[4]
if ARGV[3] == '1' then redis.call('DEL', KEYS[2]) end
redis.call('RPUSH', KEYS[2], message)
redis.call('PUBLISH', ARGV[5], message)
refresh(ARGV[2])
return version
"""
)
_SET_FORK = _AUTH + "redis.call('SET', KEYS[3], ARGV[3]) refresh(ARGV[2]) return 1"
_TOUCH = _AUTH + "refresh(ARGV[2]) return 1"
_BOARD = (
    _AUTH.replace("return -1", "return {-1}").replace("return -2", "return {-2}")
    + "refresh(ARGV[2]) return {1, redis.call('HVALS', KEYS[4])}"
)
_SHOW = (  # ARGV[3] entry id, '' for none
    _AUTH
    + """
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], 'shown')
elseif redis.call('HEXISTS', KEYS[4], ARGV[3]) == 0 then
  return -5
else
  redis.call('HSET', KEYS[1], 'shown', ARGV[3])
end
refresh(ARGV[2])
return 1
"""
)
_END = _AUTH + "redis.call('PUBLISH', ARGV[3], 'end') redis.call('DEL', unpack(KEYS)) return 1"
_ASK = (  # ARGV[3] poll
    _AUTH
    + """
redis.call('HSET', KEYS[1], 'poll', ARGV[3], 'poll_open', '1')
redis.call('DEL', KEYS[6], KEYS[7])
refresh(ARGV[2])
return 1
"""
)
_ANSWERS = (  # ARGV[3] poll, ARGV[4] '1': close it
    _AUTH.replace("return -1", "return {-1}").replace("return -2", "return {-2}")
    + """
refresh(ARGV[2])
if redis.call('HGET', KEYS[1], 'poll') ~= ARGV[3] then return {1, {}} end
if ARGV[4] == '1' then redis.call('HSET', KEYS[1], 'poll_open', '0') end
return {1, redis.call('HGETALL', KEYS[6])}
"""
)
_RESULTS = (  # ARGV[3] poll, then follower id, result JSON, …
    _AUTH
    + """
local poll = redis.call('HMGET', KEYS[1], 'poll', 'poll_open')
if poll[1] == ARGV[3] and poll[2] == '0' and #ARGV > 3 then
  redis.call('HSET', KEYS[7], unpack(ARGV, 4))
end
refresh(ARGV[2])
return 1
"""
)
_CHALLENGE = (  # ARGV[3] challenge id, '' to close; ARGV[4] its description
    _AUTH
    + """
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], 'challenge', 'challenge_text')
else
  redis.call('HSET', KEYS[1], 'challenge', ARGV[3], 'challenge_text', ARGV[4])
end
redis.call('DEL', KEYS[8])
refresh(ARGV[2])
return 1
"""
)
_ENTRIES = (  # ARGV[3] challenge id
    _AUTH.replace("return -1", "return {-1}").replace("return -2", "return {-2}")
    + """
refresh(ARGV[2])
if redis.call('HGET', KEYS[1], 'challenge') ~= ARGV[3] then return {1, {}} end
return {1, redis.call('HGETALL', KEYS[8])}
"""
)
# Followers' scripts: nothing is written to a room that is gone (no key without a TTL).
_HEARTBEAT = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return -1 end
for i = 2, #ARGV do redis.call('ZADD', KEYS[5], ARGV[1], ARGV[i]) end
redis.call('PEXPIRE', KEYS[5], ttl)
return 1
"""
_COUNT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', ARGV[1])
return redis.call('ZCARD', KEYS[5])
"""
_REPORT = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return -1 end
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 and redis.call('HLEN', KEYS[4]) >= tonumber(ARGV[3]) then
  return -6
end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[4], ttl)
return 1
"""
_ANSWER = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return -1 end
local poll = redis.call('HMGET', KEYS[1], 'poll', 'poll_open')
if poll[1] ~= ARGV[1] or poll[2] ~= '1' then return 0 end
if redis.call('HEXISTS', KEYS[6], ARGV[2]) == 0 and redis.call('HLEN', KEYS[6]) >= tonumber(ARGV[4]) then
  return -7
end
redis.call('HSET', KEYS[6], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[6], ttl)
return 1
"""
_ENTER = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then return -1 end
if redis.call('HGET', KEYS[1], 'challenge') ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[8], ARGV[2]) == 0 and redis.call('HLEN', KEYS[8]) >= tonumber(ARGV[4]) then
  return -8
end
redis.call('HSET', KEYS[8], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[8], ttl)
return 1
"""
_BALLOT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if redis.call('HGET', KEYS[1], 'poll') ~= ARGV[1] then return {1, false, false} end
return {1, redis.call('HGET', KEYS[6], ARGV[2]), redis.call('HGET', KEYS[7], ARGV[2])}
"""
_READ = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
if ARGV[1] == 'frames' then return {1, redis.call('LRANGE', KEYS[2], 0, -1)} end
if ARGV[1] == 'fork' then return {1, redis.call('GET', KEYS[3])} end
if ARGV[1] == 'challenge' then return {1, redis.call('HGET', KEYS[1], 'challenge_text')} end
local shown = redis.call('HGET', KEYS[1], 'shown')
if not shown then return {1, false} end
return {1, redis.call('HGET', KEYS[4], shown)}
"""
# KEYS: the client's failure counter. ARGV[1]: failures allowed / the window in ms.
_REFUSED_FOR = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then return math.max(redis.call('PTTL', KEYS[1]), 1) end
return 0
"""
_COUNT_FAILURE = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return count
"""


def redacted(url: str) -> str:
    """``url`` without its password, to show in messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


class RedisRooms(Rooms):
    """Rooms in the Redis at ``url`` (redis://, rediss:// or unix://); ``namespace`` prefixes
    every key and channel."""

    def __init__(self, url: str, *, namespace: str = "linreg", **settings: float) -> None:
        super().__init__(**settings)
        self.url = url
        if urllib.parse.urlsplit(url).scheme not in ("redis", "rediss", "unix"):
            raise LinregError(
                "bad_setting",
                name="LINREG_ROOMS_URL",
                value=redacted(url),
                expected="redis://host:port/db",
            )
        self._redis = redis.Redis.from_url(
            url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30
        )
        self._call(self._redis.ping)
        self._ns = namespace
        self._lock = threading.Lock()
        self._hubs: dict[str, _RedisHub] = {}
        script = self._redis.register_script
        self._scripts = {
            name: script(source)
            for name, source in (
                ("create", _CREATE),
                ("publish", _PUBLISH),
                ("set_fork", _SET_FORK),
                ("touch", _TOUCH),
                ("board", _BOARD),
                ("show", _SHOW),
                ("end", _END),
                ("heartbeat", _HEARTBEAT),
                ("count", _COUNT),
                ("report", _REPORT),
                ("read", _READ),
                ("ask", _ASK),
                ("answers", _ANSWERS),
                ("results", _RESULTS),
                ("answer", _ANSWER),
                ("ballot", _BALLOT),
                ("challenge", _CHALLENGE),
                ("entries", _ENTRIES),
                ("enter", _ENTER),
                ("refused_for", _REFUSED_FOR),
                ("count_failure", _COUNT_FAILURE),
            )
        }

    # -- plumbing --------------------------------------------------------------------------------
    def keys(self, code: str) -> list[str]:
        """The room's keys: meta, frames, fork, board, followers, answers, results, entries."""
        base = f"{self._ns}:room:{{{code}}}:"
        parts = ("meta", "frames", "fork", "board", "followers", "answers", "results", "entries")
        return [base + part for part in parts]

    def channel(self, code: str) -> str:
        return f"{self._ns}:room:{{{code}}}:frames"

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise LinregError(
                "room_store_unreachable", url=redacted(self.url), reason=str(exc)
            ) from exc

    def _run(self, name: str, code: str, *args: object):
        return self._call(self._scripts[name], keys=self.keys(code), args=list(args))

    def _as_presenter(self, name: str, code: str, hash_: str, *args: object):
        result = self._run(name, code, hash_, self._idle_ms, *args)
        status = result[0] if isinstance(result, list) else result
        _raise_for(status, code)
        return result

    @property
    def _idle_ms(self) -> int:
        return max(1, round(self.idle_seconds * 1000))

    # -- presenter ------------------------------------------------------------------------------
    def _create(self, code: str, secret_hash: str, version: int = 0) -> bool:
        return self._run("create", code, secret_hash, self._idle_ms, version) == 1

    def _publish(self, code: str, secret_hash: str, text: str, keyframe: bool) -> int:
        return self._as_presenter(
            "publish", code, secret_hash, int(keyframe), text, self.channel(code), MAX_DELTAS
        )

    def _set_fork(self, code: str, secret_hash: str, blob: bytes) -> None:
        self._as_presenter("set_fork", code, secret_hash, blob)

    def board(self, code: str, secret: str) -> list[BoardEntry]:
        _, values = self._as_presenter("board", code, secret_hash(secret))
        entries = [BoardEntry.from_json(v) for v in values]
        return sorted(entries, key=lambda e: e.entry_id)

    def show(self, code: str, secret: str, entry: str | None) -> None:
        status = self._run("show", code, secret_hash(secret), self._idle_ms, entry or "")
        if status == -5:
            raise LinregError("room_no_such_run", entry=entry, room=code)
        _raise_for(status, code)

    def _ask(self, code: str, secret_hash: str, poll: str) -> None:
        self._as_presenter("ask", code, secret_hash, poll)

    def _answers(self, code: str, secret_hash: str, poll: str, close: bool) -> dict:
        _, flat = self._as_presenter("answers", code, secret_hash, poll, int(close))
        return dict(zip(flat[::2], flat[1::2], strict=True))

    def _post_results(self, code: str, secret_hash: str, poll: str, texts: dict[str, str]) -> None:
        pairs = [part for item in texts.items() for part in item]
        self._as_presenter("results", code, secret_hash, poll, *pairs)

    def _open_challenge(
        self, code: str, secret_hash: str, challenge: str, text: str | None
    ) -> None:
        self._as_presenter("challenge", code, secret_hash, challenge, text or "")

    def _entries(self, code: str, secret_hash: str, challenge: str) -> dict:
        _, flat = self._as_presenter("entries", code, secret_hash, challenge)
        return dict(zip(flat[::2], flat[1::2], strict=True))

    def touch(self, code: str, secret: str) -> None:
        self._as_presenter("touch", code, secret_hash(secret))

    def end(self, code: str, secret: str) -> None:
        self._as_presenter("end", code, secret_hash(secret), self.channel(code))

    # -- anyone with the code ----------------------------------------------------------------------
    def exists(self, code: str) -> bool:
        return bool(self._call(self._redis.exists, self.keys(code)[0]))

    def _read(self, code: str, what: str):
        result = self._run("read", code, what)
        _raise_for(result[0], code)
        return result[1]

    def frames(self, code: str) -> list[Frame]:
        return [Frame.decode(m) for m in self._read(code, "frames")]

    def fork(self, code: str) -> bytes | None:
        return self._read(code, "fork")

    def shown(self, code: str) -> BoardEntry | None:
        text = self._read(code, "shown")
        return None if text is None else BoardEntry.from_json(text)

    def heartbeat(self, code: str, *follower_ids: str) -> None:
        if follower_ids:
            expiry_ms = (time.time() + self.heartbeat_seconds) * 1000
            _raise_for(self._run("heartbeat", code, expiry_ms, *follower_ids), code)

    def follower_count(self, code: str) -> int:
        return int(self._run("count", code, time.time() * 1000))

    def _report(self, code: str, entry: BoardEntry) -> None:
        status = self._run("report", code, entry.entry_id, entry.to_json(), MAX_BOARD)
        if status == -6:
            raise LinregError("room_board_full", limit=MAX_BOARD)
        _raise_for(status, code)

    def _answer(self, code: str, follower_id: str, poll: str, text: str) -> bool:
        status = self._run("answer", code, poll, follower_id, text, MAX_ANSWERS)
        if status == -7:
            raise LinregError("room_poll_full", limit=MAX_ANSWERS)
        _raise_for(status, code)
        return status == 1

    def _challenge(self, code: str) -> str | None:
        text = self._read(code, "challenge")
        return None if text is None else text.decode("utf-8")

    def _enter(self, code: str, follower_id: str, challenge: str, text: str) -> bool:
        status = self._run("enter", code, challenge, follower_id, text, MAX_ENTRIES)
        if status == -8:
            raise LinregError("room_challenge_full", limit=MAX_ENTRIES)
        _raise_for(status, code)
        return status == 1

    def _ballot(self, code: str, follower_id: str, poll: str) -> tuple:
        result = self._run("ballot", code, poll, follower_id)
        _raise_for(result[0], code)
        answer, outcome = result[1], result[2]
        return (
            None if answer is None else answer.decode("utf-8"),
            None if outcome is None else outcome.decode("utf-8"),
        )

    # -- failed lookups ----------------------------------------------------------------------------
    def _failures_key(self, client_key: str) -> list[str]:
        return [f"{self._ns}:lookups:{client_key}"]

    def _refused_for(self, client_key: str) -> float:
        script = self._scripts["refused_for"]
        keys = self._failures_key(client_key)
        return self._call(script, keys=keys, args=[self.lookup_failures]) / 1000

    def _count_failure(self, client_key: str) -> None:
        window_ms = max(1, round(self.lookup_window_seconds * 1000))
        keys = self._failures_key(client_key)
        self._call(self._scripts["count_failure"], keys=keys, args=[window_ms])

    # -- this process's followers ----------------------------------------------------------------------
    def attach(self, code: str) -> tuple[Hub, FollowerQueue]:
        with self._lock:
            hub = self._hubs.get(code)
            if hub is None or hub.closed:
                hub = _RedisHub(self, code)
                self._hubs[code] = hub
            return hub, hub.add()

    def _retire(self, hub: _RedisHub, *, ended: bool) -> bool:
        """Stop listening for ``hub``'s room if it ended or no follower is left here."""
        with self._lock:
            if not ended and len(hub):
                return False
            hub.closed = True
            if self._hubs.get(hub.code) is hub:
                del self._hubs[hub.code]
            return True

    def close(self) -> None:
        with self._lock:
            hubs = list(self._hubs.values())
        for hub in hubs:
            hub.stop()
        self._redis.close()


def _raise_for(status: int, code: str) -> None:
    if status == -1:
        raise LinregError("room_ended", room=code)
    if status == -2:
        raise LinregError("room_not_presenter", room=code)
    if status == -3:
        raise ValueError(FIRST_FRAME)
    if status == -4:
        raise ValueError(TOO_MANY_DELTAS)


class _RedisHub(Hub):
    """Listens to one room's channel on its own connection and feeds this process's followers."""

    CHECK_SECONDS = 1.0  # how often the listener checks that the room and its followers remain

    def __init__(self, store: RedisRooms, code: str) -> None:
        super().__init__(stale_seconds=store.stale_seconds)
        self.store, self.code = store, code
        self._stop = threading.Event()
        self._pubsub = store._redis.pubsub()
        channel = store.channel(code)
        store._call(self._pubsub.subscribe, channel)
        # Wait until subscribed: frames published from then on reach this process's queues,
        # and a follower reads the ones before from the frames key.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            message = store._call(self._pubsub.get_message, timeout=1.0)
            if message and message["type"] == "subscribe":
                break
        self._thread = threading.Thread(
            target=self._listen, name=f"linreg-room-{code}", daemon=True
        )
        self._thread.start()

    def _listen(self) -> None:
        next_check = time.monotonic() + self.CHECK_SECONDS
        try:
            while not self._stop.is_set():
                try:
                    message = self._pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                except (redis.ConnectionError, redis.TimeoutError):
                    self.lose()  # frames may have been lost: followers read the latest
                    if self.store._retire(self, ended=False):
                        break
                    time.sleep(0.2)
                    continue
                if message and message["type"] == "message":
                    if message["data"] == b"end":
                        self.end()
                        break
                    self.deliver(Frame.decode(message["data"]))
                if time.monotonic() >= next_check:
                    next_check = time.monotonic() + self.CHECK_SECONDS
                    try:
                        gone = not self.store.exists(self.code)
                    except LinregError:
                        continue
                    if gone:
                        self.end()  # idle expiry: the keys expired without a message
                        break
                    if self.store._retire(self, ended=False):
                        break
        finally:
            self.store._retire(self, ended=True)
            self._pubsub.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
