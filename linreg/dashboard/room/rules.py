"""The room's rules, each said once: codes, limits, timeouts, the board's cap, what a delta may
follow. Both stores (``local``, ``redis_store``) and the hub read them here."""

from __future__ import annotations

import unicodedata

from linreg.errors import Phrase

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
MAX_ANSWERS = 2000  # answers one poll keeps (one per follower); later followers are refused
POLL_CHARS = 16  # a poll's id (the presenter's counter); a challenge's id likewise
MAX_ENTRIES = MAX_BOARD  # entries one challenge keeps (one per attendee); later ones refused
ENTRY_CHARS = 4096  # an entry's JSON (settings, epochs, loss, nickname) is far shorter
CHALLENGE_CHARS = 1024  # a challenge's description (target, limit, the data's digest) likewise

FRAME = Phrase("room state", "El estado de la sala")
CHECKPOINT = Phrase("run to take over", "La ejecución para tomar")
ENTRY = Phrase("challenge entry", "Participación en el reto")


FIRST_FRAME = "a room's first frame must be a keyframe"
TOO_MANY_DELTAS = f"{MAX_DELTAS} frames since the keyframe: publish a keyframe now"


def size_mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def plain_text(text: str, limit: int) -> str:
    """``text`` without control characters, runs of spaces collapsed, at most ``limit`` chars.
    Not escaped: showing it safely is the page's job."""
    kept = "".join(
        " " if c.isspace() else c
        for c in str(text)
        if c.isspace() or not unicodedata.category(c).startswith("C")
    )
    return " ".join(kept.split())[:limit]


def check_delta(keyframe: bool, has_keyframe: bool, n_deltas: int) -> None:
    if not keyframe and not has_keyframe:
        raise ValueError(FIRST_FRAME)
    if not keyframe and n_deltas >= MAX_DELTAS:
        raise ValueError(TOO_MANY_DELTAS)
