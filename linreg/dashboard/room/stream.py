"""The room's stream: what a follower's browser receives, pushed as the presenter publishes.

Plain Python, no web framework: the page serves these messages as Server-Sent Events
(``linreg.page.stream``); tests and benchmarks read them the same way.

A message is one JSON object, an envelope with a ``kind`` and the fields of that kind:

    kind      "frame" | "shown" | "end" | any kind a room frame names (``{"k": KIND, ...}``)
    version   int | None  the room frame it carries (the SSE ``id``: a reconnecting browser
                          sends it back as ``Last-Event-ID`` and resumes after it)
    context   str   a digest of what the follower's page shows beside the live views (the
                  presenter's settings, roles, data and the board's shown run); when it changes
                  the page asks its server for them once
    frame:    keyframe bool, payload: the live views' payload (``linreg.dashboard.live_message
              .LivePayload``, encoded) in the follower's words, ``readonly`` true, ``seq`` the
              version, ``event`` 0. A keyframe's payload
              has the ``setup`` and the whole loss; a delta's applies to the state after the
              version before it.
    shown:    entry: the board entry the presenter shows ({"entry_id", "summary"}) or None
    question: the presenter asks the room (``quiz.Poll.question_message``'s fields: poll,
              question, choices); followers answer through their page's session
    reveal:   the poll's outcome (poll, question, outcome) and the room's ``board`` of scores
              (rank, nickname, score, answered, right); each follower reads its own result
    chapter:  the presenter's lesson chapter (``chapter``: its number, 0 for none)
    challenge: the room's challenge (``challenge``: {"challenge", "target_loss", "max_epochs",
              "data"}, ``linreg.dashboard.challenge.Challenge.describe``; None: none now)
    end:      the room is over (no version)
    KIND:     the room frame's own fields, language-neutral (a kind added later, e.g. a
              lesson's chapter, travels without any change here or in the transport)

``RoomRelay`` turns one room's frames into these messages for every language once, in the
publishing thread, so a process writes the same bytes to all its followers of a language.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from linreg import data
from linreg.dashboard.live_message import LiveFrame, LivePayload, decode, encode
from linreg.dashboard.room.message import Frame
from linreg.dashboard.room.store import Rooms
from linreg.dashboard.texts import LANGUAGES
from linreg.dashboard.views import equations
from linreg.dashboard.workbench import SAMPLE_NAMES_ES

RETRY_MS = 2000  # a dropped stream's browser reconnects after this long
PING_SECONDS = 15.0  # a comment line on an idle stream keeps proxies from closing it
CONTEXT_KEYS = ("settings", "roles", "source", "table")  # a keyframe's parts shown beside the views


def sample_names(source: str, lang: str) -> dict[str, str]:
    """How a sample's column names read in ``lang`` (an uploaded file's names stay)."""
    if source not in data.SAMPLES:
        return {}
    if lang == "es":
        return dict(SAMPLE_NAMES_ES)
    return {v: k for k, v in SAMPLE_NAMES_ES.items()}


@dataclass(frozen=True)
class StreamMessage:
    """One message of the stream (see the module's docstring); ``sse`` is its encoding, made
    once and written as it is to every follower."""

    kind: str
    fields: Mapping = field(default_factory=dict)
    version: int | None = None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "version": self.version, **self.fields}

    @cached_property
    def sse(self) -> bytes:
        body = json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)
        head = "" if self.version is None else f"id: {self.version}\n"
        return f"{head}data: {body}\n\n".encode()


END = StreamMessage("end")
LOST = StreamMessage("lost")  # not sent: the relay lost the store; streams close and resume


def room_view(message: Mapping) -> LivePayload:
    """The presenter's payload a room frame ``{"k": "view", ...}`` forwards."""
    return decode(LivePayload, {k: message[k] for k in LivePayload.field_names() if k in message})


def follower_payload(
    code: str, view: LivePayload, version: int, keyframe: bool, context: _Context, lang: str
) -> dict:
    """A room frame's ``view`` (``room_view``) as the live views' payload in a follower's
    words, encoded: its labels (``live.labels``) in the setup, a sample's column names in
    ``lang`` in the setup and the equations; the numbers are the presenter's. ``context``: the
    room as the frames before this one left it."""
    names = sample_names(context.source, lang)
    setup = view.setup if keyframe else None
    if setup is not None:
        setup = replace(
            setup,
            labels=dict(context.labels(lang)),
            inputs=[names.get(n, n) for n in setup.inputs],
            targets=[names.get(n, n) for n in setup.targets],
        )
    frames = view.frames
    inputs, targets = context.names
    if names and any(names.get(n, n) != n for n in (*inputs, *targets)):
        own = ([names.get(n, n) for n in inputs], [names.get(n, n) for n in targets])
        frames = [_in_words(f, *own) for f in frames]
    payload = replace(
        view,
        run=f"room-{code}-{view.run}",
        seq=version,
        event=0,
        loss_from=0 if keyframe else view.loss_from,
        frames=frames,
        setup=setup,
        readonly=True,
    )
    return encode(payload)


def _in_words(frame: LiveFrame, inputs: list, targets: list) -> LiveFrame:
    """``frame`` with its equations written with these column names."""
    W, b = frame.W, frame.b
    if None in b or any(None in row for row in W):
        return frame
    weight = np.asarray(W, dtype=np.float32)
    bias = np.asarray(b, dtype=np.float32)
    return replace(frame, eq=equations(weight, bias, inputs, targets))


class _Context:
    """A room as its frames left it, for what a follower sees beside the numbers: the parts
    of the last keyframe shown beside the views, the board's shown run, the run's names."""

    def __init__(self, words: Callable[[str], Mapping[str, str]]) -> None:
        self.labels = words
        self.parts: dict = {}
        self.shown: dict | None = None
        self.source = ""
        self.names: tuple[list, list] = ([], [])  # the presenter's setup: inputs, targets
        self.poll: dict | None = None  # the room's question frame, or its reveal
        self.chapter = 0  # the presenter's lesson chapter
        self.challenge: dict | None = None  # the room's challenge, described

    def take(self, message: Mapping, keyframe: bool) -> None:
        kind = message.get("k")
        if kind == "view" and keyframe:
            self.parts = {key: message.get(key) for key in CONTEXT_KEYS}
            self.shown = message.get("board_shown")
            self.source = str(message.get("source", ""))
            setup = message.get("setup") or {}
            self.names = (list(setup.get("inputs", [])), list(setup.get("targets", [])))
            self.poll = message.get("poll")
            self.chapter = int(message.get("chapter") or 0)
            self.challenge = message.get("challenge")
        elif kind == "shown":
            self.shown = message.get("entry")
        elif kind in ("question", "reveal"):
            self.poll = dict(message)
        elif kind == "chapter":
            self.chapter = int(message.get("chapter") or 0)
        elif kind == "challenge":
            self.challenge = message.get("challenge")

    @property
    def digest(self) -> str:
        return context_digest(self.parts, self.shown, self.poll, self.chapter, self.challenge)


def context_digest(
    parts: Mapping,
    shown: Mapping | None,
    poll: Mapping | None = None,
    chapter: int = 0,
    challenge: Mapping | None = None,
) -> str:
    """A short digest of a keyframe's CONTEXT_KEYS, the board's shown entry, the room's poll,
    chapter and challenge: the follower's page and its stream compare it to know when to redraw
    what is beside the views."""
    text = json.dumps(
        [parts, shown, poll, chapter, challenge],
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class RoomContext:
    """What a follower's page shows beside the live views, as a room's frames left it."""

    parts: dict  # the CONTEXT_KEYS of the latest keyframe ({} before the first)
    shown: dict | None  # the board entry the presenter shows
    poll: dict | None  # the room's question frame, or its reveal frame
    chapter: int  # the presenter's lesson chapter, 0 for none
    challenge: dict | None  # the room's challenge, described; None if none
    digest: str


def room_context(frames: list[Frame]) -> RoomContext:
    """The room's context from its frames (``Rooms.frames``)."""
    context = _Context(lambda lang: {})
    for frame in frames:
        context.take(frame.data, frame.keyframe)
    return RoomContext(
        context.parts,
        context.shown,
        context.poll,
        context.chapter,
        context.challenge,
        context.digest,
    )


def to_message(
    code: str,
    frame: Frame,
    message: Mapping,
    context: _Context,
    lang: str,
    view: LivePayload | None = None,
) -> StreamMessage:
    """Room frame ``frame`` (decoded: ``message``; a view's payload: ``view``, read from it
    if not given) as the stream's message in ``lang``; ``context`` must already have taken
    it."""
    kind = message.get("k")
    fields: dict = {"context": context.digest}
    if kind == "view":
        view = view or room_view(message)
        payload = follower_payload(code, view, frame.version, frame.keyframe, context, lang)
        fields.update(keyframe=frame.keyframe, payload=payload)
        return StreamMessage("frame", fields, frame.version)
    if kind == "shown":
        return StreamMessage("shown", {**fields, "entry": message.get("entry")}, frame.version)
    rest = {k: v for k, v in message.items() if k != "k"}
    return StreamMessage(str(kind), {**rest, **fields}, frame.version)


Delivery = Mapping[str, StreamMessage]  # language → the message in it; END when the room ends


class RoomRelay:
    """One room's frames as stream messages, in every language, for this process's streams.

    ``listen(callback)``: ``callback(messages)`` for each frame published from now on (in
    the publishing thread: it must be quick), ``messages[lang]`` the same StreamMessage for
    every follower in ``lang``, in version order; ``{lang: END}`` once the room ends,
    ``{lang: LOST}`` if the store's connection dropped (this relay is over: make another).
    ``replay(lang, after)``: what a newcomer needs first. ``words(lang)``: the live views'
    labels in ``lang``. Each frame is decoded and encoded once per language.
    """

    def __init__(self, rooms: Rooms, code: str, words: Callable[[str], Mapping[str, str]]) -> None:
        self.rooms, self.code, self.words = rooms, code, words
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[Delivery], None]] = []
        self._context = _Context(words)
        self._last = 0  # the last version made into messages
        self._messages: dict[int, dict[str, StreamMessage]] = {}  # the keyframe's on
        self.ended = False
        self.lost = False
        self._stop = rooms.watch(code, self._on_frame, self._on_lost)

    def listen(self, callback: Callable[[Delivery], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def close(self) -> None:
        """Stop relaying: the room's frames are no longer watched by this relay."""
        self._stop()
        with self._lock:
            self._callbacks.clear()

    def replay(self, lang: str, after: int | None = None) -> list[StreamMessage]:
        """What a follower holding the versions up to ``after`` (None: nothing) needs now: the
        frames after it if the room still has them all, else the latest keyframe and the frames
        after it. LinregError("room_ended") if the room is gone."""
        frames = self.rooms.frames(self.code)
        self._relay(frames)
        with self._lock:
            return [
                self._messages[f.version][lang]
                for f in _continuing(frames, after or 0)
                if f.version in self._messages
            ]

    # -- in the publishing thread ---------------------------------------------------------------
    def _on_lost(self) -> None:
        self.lost = True
        with self._lock:
            self._deliver([dict.fromkeys(LANGUAGES, LOST)])

    def _on_frame(self, frame: Frame | None) -> None:
        if frame is None:
            self.ended = True
            with self._lock:
                self._deliver([dict.fromkeys(LANGUAGES, END)])
            return
        if frame.version <= self._last:
            return
        if frame.version == self._last + 1 or frame.keyframe:
            self._relay([frame])
            return
        try:  # frames were lost on the way (a store's connection dropped): read them again
            self._relay(self.rooms.frames(self.code))
        except Exception:  # noqa: BLE001 - a store that cannot answer now: the next frame will
            return

    def _relay(self, frames: list[Frame]) -> None:
        """Make messages of the frames not made yet (in order, each once) and deliver them."""
        made: list[Delivery] = []
        with self._lock:
            for frame in frames:
                if frame.version <= self._last:
                    continue
                if frame.keyframe:
                    self._context = _Context(self.words)
                    self._messages.clear()
                elif frame.version != self._last + 1:
                    continue  # a delta after a gap: wait for a keyframe
                message = frame.data
                self._context.take(message, frame.keyframe)
                view = room_view(message) if message.get("k") == "view" else None
                out = {
                    lang: to_message(self.code, frame, message, self._context, lang, view)
                    for lang in LANGUAGES
                }
                self._messages[frame.version] = out
                self._last = frame.version
                made.append(out)
            self._deliver(made)  # under the lock: every callback sees the versions in order

    def _deliver(self, deliveries: list[Delivery]) -> None:
        for delivery in deliveries:
            for callback in self._callbacks:
                callback(delivery)


def _continuing(frames: list[Frame], after: int) -> list[Frame]:
    """The frames after version ``after`` if none is missing, else from the latest keyframe."""
    fresh = [f for f in frames if f.version > after]
    if (fresh and fresh[0].version == after + 1) or (frames and frames[-1].version == after):
        return fresh
    keyframes = [i for i, f in enumerate(frames) if f.keyframe]
    return frames[keyframes[-1] :] if keyframes else []
