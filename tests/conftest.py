"""Fixtures shared by the test files: a real redis-server for the room tests."""

from __future__ import annotations

import pytest

from benchmarks.redis_server import redis_server


@pytest.fixture(scope="session")
def redis_url():
    """``redis://127.0.0.1:PORT/0`` of a redis-server started for this test session (Debian's
    package, ``make redis``) on a free loopback port, stopped by its handle at the end."""
    with redis_server() as url:
        yield url
