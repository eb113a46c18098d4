"""Room codes, the presenter's secret, follower ids, the follower link and its QR code."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import urllib.parse
from dataclasses import dataclass, field

from linreg.dashboard.room.rules import CODE_ALPHABET, CODE_LENGTH


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


def qr_png(link: str, *, scale: int = 12, border: int = 4) -> bytes:
    """The link as a QR code, PNG bytes (``scale`` pixels per module: ≥ 400 px for a room link)."""
    import segno

    qr = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


@dataclass(frozen=True)
class RoomKeys:
    """What ``start`` returns to the presenter: the public code and the private secret."""

    code: str
    secret: str = field(repr=False)
