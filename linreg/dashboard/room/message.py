"""The room's frame: what the presenter publishes, as the stores keep and send it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from linreg.dashboard.room.rules import FRAME, MAX_FRAME_BYTES, size_mb
from linreg.errors import LinregError


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
        raise LinregError(
            "room_too_large", what=FRAME, size=size_mb(size), limit=size_mb(MAX_FRAME_BYTES)
        )
    return text
