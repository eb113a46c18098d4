"""Fixtures shared by the test files: a real redis-server and fresh room stores of both kinds."""

from __future__ import annotations

import pytest
import redis

from benchmarks.redis_server import redis_server
from linreg.dashboard.room import LocalRooms
from linreg.dashboard.room.redis_store import RedisRooms


@pytest.fixture(scope="session")
def redis_url():
    """``redis://127.0.0.1:PORT/0`` of a redis-server started for this test session (Debian's
    package, ``make redis``) on a free loopback port, stopped by its handle at the end."""
    with redis_server() as url:
        yield url


@pytest.fixture(params=["local", "redis"])
def make_rooms(request):
    """A factory of fresh stores of one kind; Redis starts empty for each test."""
    made = []
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        redis.Redis.from_url(url).flushdb()

    def make(**settings):
        store = LocalRooms(**settings) if request.param == "local" else RedisRooms(url, **settings)
        made.append(store)
        return store

    make.kind = request.param
    yield make
    for store in made:
        store.close()
