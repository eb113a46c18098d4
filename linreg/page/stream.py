"""A room's stream over HTTP: ``GET /room/{code}/events`` as Server-Sent Events.

Read-only. It answers only for a live room's code (failed lookups rate-limited per address, as
the page's own), only to a request from the page's own origin, and carries only what every
follower sees (``linreg.dashboard.room.stream``), never the presenter's secret.

It runs on the server's event loop. One ``_Broadcast`` per room in this process holds the
room's open streams: the relay hands it each frame's messages, already encoded, from the
publishing thread; FAN_OUT_SECONDS later the messages gathered meanwhile go, as one batch, into
every stream's queue, and each stream writes its batch at once. Each open stream counts as a
follower (a heartbeat every few seconds).

The wait puts the presenter first: a frame is published in the middle of the presenter's run,
and writing it to hundreds of sockets at that moment holds the same interpreter the rest of that
run needs (measured, 300 followers: the presenter's Step 2.3–2.8× slower than alone; with the
writes 50 ms later, 0.95–1.3×, about what 300 connected followers cost with no frame written at
all). Followers receive it that much later, and a burst (Play) costs one write per stream
instead of one per frame.
"""

from __future__ import annotations

import asyncio
import urllib.parse

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from linreg.dashboard import live
from linreg.dashboard.room import Rooms, new_follower_id, rooms_from_env
from linreg.dashboard.room.stream import LOST, PING_SECONDS, RETRY_MS, Delivery, RoomRelay
from linreg.dashboard.texts import LANGUAGES, t
from linreg.errors import LinregError

QUEUE_MESSAGES = 512  # a stream further behind than this is closed; its browser resumes
FAN_OUT_SECONDS = 0.05  # a frame waits this long for the presenter's run to end (see above)
PING = b": ping\n\n"
_CLOSE = object()  # put in a stream's queue: end the response (the browser reconnects)
_STATUS = {"room_not_found": 404, "room_ended": 404, "room_lookups_refused": 429}


def same_origin(request: Request) -> bool:
    """False when the request names an ``Origin`` whose host is not the one it asks."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = urllib.parse.urlsplit(origin).netloc
    return bool(host) and host == request.headers.get("host", "")


class _Stream:
    """One follower's open stream: its language and what waits to be written (batches of
    messages, pings, or _CLOSE)."""

    __slots__ = ("lang", "queue", "follower_id")

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.queue: asyncio.Queue = asyncio.Queue()
        self.follower_id = new_follower_id()

    def put(self, item) -> None:
        if self.queue.qsize() >= QUEUE_MESSAGES:
            item = _CLOSE
        self.queue.put_nowait(item)


class _Broadcast:
    """A room's open streams in this process (touched only on the event loop)."""

    def __init__(self, relay: RoomRelay, loop: asyncio.AbstractEventLoop) -> None:
        self.relay, self.rooms, self.code, self.loop = relay, relay.rooms, relay.code, loop
        self.streams: set[_Stream] = set()
        self.pending: list[Delivery] = []  # published, not yet fanned out
        self.relay.listen(self._from_thread)
        self._beats = loop.create_task(self._beat())

    def _from_thread(self, delivery: Delivery) -> None:
        self.loop.call_soon_threadsafe(self._gather, delivery)

    def _gather(self, delivery: Delivery) -> None:
        self.pending.append(delivery)
        if len(self.pending) == 1:
            self.loop.call_later(FAN_OUT_SECONDS, self._fan_out)

    def _fan_out(self) -> None:
        deliveries, self.pending = self.pending, []
        batches = {lang: [d[lang] for d in deliveries] for lang in LANGUAGES}
        for stream in self.streams:
            batch = batches[stream.lang]
            stream.put(_CLOSE if any(m is LOST for m in batch) else batch)

    async def _beat(self) -> None:
        """Each open stream is a follower: one heartbeat for all of them, and a ping on every
        stream once per PING_SECONDS."""
        beat_seconds = min(self.rooms.heartbeat_seconds / 3, PING_SECONDS)
        pinged = self.loop.time()
        while True:
            ids = [s.follower_id for s in self.streams]
            try:
                await run_in_threadpool(self.rooms.heartbeat, self.code, *ids)
            except LinregError:
                pass  # the store is unreachable or the room gone: the streams will hear
            if self.loop.time() - pinged >= PING_SECONDS - beat_seconds / 2:
                pinged = self.loop.time()
                for stream in self.streams:
                    stream.put(PING)
            await asyncio.sleep(beat_seconds)

    def close(self) -> None:
        self._beats.cancel()
        self.relay.close()


_broadcasts: dict[tuple[int, str], _Broadcast] = {}


def _words(lang: str) -> dict[str, str]:
    return live.labels(t, lang)


def _usable(broadcast: _Broadcast | None) -> bool:
    return broadcast is not None and not broadcast.relay.ended and not broadcast.relay.lost


async def _join(rooms: Rooms, code: str, lang: str) -> tuple[_Broadcast, _Stream]:
    """A new stream in the room's broadcast, made if needed (its relay's store calls run in a
    thread: a Redis subscription must not hold the event loop)."""
    key = (id(rooms), code)
    if not _usable(_broadcasts.get(key)):
        relay = await run_in_threadpool(RoomRelay, rooms, code, _words)
        if _usable(_broadcasts.get(key)):  # another request made one meanwhile
            relay.close()
        else:
            _broadcasts[key] = _Broadcast(relay, asyncio.get_running_loop())
    broadcast = _broadcasts[key]
    stream = _Stream(lang)
    broadcast.streams.add(stream)
    return broadcast, stream


def _leave(broadcast: _Broadcast, stream: _Stream) -> None:
    broadcast.streams.discard(stream)
    if not broadcast.streams:
        broadcast.close()
        if _broadcasts.get((id(broadcast.rooms), broadcast.code)) is broadcast:
            del _broadcasts[(id(broadcast.rooms), broadcast.code)]


def _last_event_id(request: Request) -> int | None:
    """The last version the browser holds: EventSource's own ``Last-Event-ID`` when it
    reconnects, or ``?after=`` when the page opened the stream again itself."""
    text = request.headers.get("last-event-id") or request.query_params.get("after") or ""
    return int(text) if text.strip().isdigit() else None


async def room_events(request: Request) -> Response:
    """The room's stream (``text/event-stream``); 403 from another origin, 404 for a code
    that is no open room, 429 after too many wrong codes from one address."""
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in LANGUAGES else "en"
    if not same_origin(request):
        return PlainTextResponse(t("room.stream_origin", lang), status_code=403)
    rooms = rooms_from_env()
    client = f"ip:{request.client.host}" if request.client else "ip:unknown"
    try:
        code = await run_in_threadpool(rooms.lookup, request.path_params["code"], client)
    except LinregError as error:
        return PlainTextResponse(error.message(lang), status_code=_STATUS.get(error.code, 503))
    try:
        broadcast, stream = await _join(rooms, code, lang)
    except LinregError as error:
        return PlainTextResponse(error.message(lang), status_code=_STATUS.get(error.code, 503))
    try:
        replay = await run_in_threadpool(broadcast.relay.replay, lang, _last_event_id(request))
    except LinregError as error:
        _leave(broadcast, stream)
        return PlainTextResponse(error.message(lang), status_code=_STATUS.get(error.code, 503))

    async def body():
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            sent = _last_event_id(request) or 0
            for message in replay:
                yield message.sse
                sent = message.version
            while True:
                item = await stream.queue.get()
                if item is _CLOSE:
                    return
                if item is PING:
                    yield PING
                    continue
                fresh = [m for m in item if m.version is None or m.version > sent]
                if fresh:  # else all were in the replay
                    yield b"".join(m.sse for m in fresh)
                if any(m.version is None for m in fresh):
                    return  # the room ended
                sent = max([sent, *(m.version for m in fresh)])
        finally:
            _leave(broadcast, stream)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(body(), media_type="text/event-stream", headers=headers)


ROUTES = [Route("/room/{code}/events", room_events, methods=["GET"])]
