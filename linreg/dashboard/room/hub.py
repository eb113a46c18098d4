"""Frames delivered to the followers of one process: queues (``store.Subscription``) and
listeners (``Rooms.watch``, the stream's relay)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from linreg.dashboard.room.message import Frame
from linreg.dashboard.room.rules import QUEUE_FRAMES


class FollowerQueue:
    """One follower's frames not yet received."""

    __slots__ = ("frames", "resync", "seen", "waiting", "dropped")

    def __init__(self) -> None:
        self.frames: deque[Frame] = deque()
        self.resync = True  # the next receive starts from the latest keyframe
        self.seen = time.monotonic()
        self.waiting = False
        self.dropped = False


FrameListener = Callable[[Frame | None], None]  # a frame as it is published; None: the room ended


class Hub:
    """The followers of one room in this process: every published frame goes to each queue and
    to each listener (``Rooms.watch``)."""

    def __init__(self, stale_seconds: float) -> None:
        self._cond = threading.Condition()
        self._queues: set[FollowerQueue] = set()
        self._listeners: list[tuple[FrameListener, Callable[[], None]]] = []
        self._stale = stale_seconds
        self.ended = False  # the room is over
        self.closed = False  # this process no longer listens for the room (Redis store)

    def __len__(self) -> int:
        with self._cond:
            return len(self._queues) + len(self._listeners)

    def listen(self, listener: FrameListener, lost: Callable[[], None]) -> None:
        with self._cond:
            self._listeners.append((listener, lost))

    def unlisten(self, listener: FrameListener) -> None:
        with self._cond:
            self._listeners = [pair for pair in self._listeners if pair[0] is not listener]

    def lose(self) -> None:
        """The store's connection dropped: frames may be lost. Listeners are told and let go
        (they watch again once the store answers); queues start again from the keyframe."""
        with self._cond:
            listeners, self._listeners = self._listeners, []
            for queue in self._queues:
                queue.frames.clear()
                queue.resync = True
            self._cond.notify_all()
        for _, lost in listeners:
            lost()

    def add(self) -> FollowerQueue:
        queue = FollowerQueue()
        with self._cond:
            self._queues.add(queue)
        return queue

    def remove(self, queue: FollowerQueue) -> None:
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
            listeners = list(self._listeners)
        for listener, _ in listeners:
            listener(frame)

    def end(self) -> None:
        with self._cond:
            self.ended = True
            for queue in self._queues:
                queue.frames.clear()
            self._queues.clear()
            self._cond.notify_all()
            listeners, self._listeners = self._listeners, []
        for listener, _ in listeners:
            listener(None)

    def take(self, queue: FollowerQueue, timeout: float) -> tuple[list[Frame], bool]:
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
