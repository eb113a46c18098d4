"""The room's stream over HTTP (``linreg.page.stream``), served by uvicorn on a free loopback
port as under ``streamlit run``: refusals (another origin, an unknown code, a write), a late
joiner's keyframe, frames pushed as they are published, a resume after a drop
(``Last-Event-ID``), the follower count kept by open streams, the room's end. The messages
are checked against the stream's envelope (``linreg/dashboard/room/stream.py``) and each
frame's payload against the live views' message schema (``linreg.dashboard.live_message``),
which the browser's live.js reads (tests/browser/test_room_browser.py)."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import jsonschema
import pytest
import uvicorn
from starlette.applications import Starlette

from benchmarks.redis_server import free_port, redis_server
from linreg.dashboard import live
from linreg.dashboard.live_message import schema
from linreg.dashboard.room import rooms_from_env
from linreg.dashboard.room_session import ForkReporter, Presenter, make_it_mine
from linreg.dashboard.settings import Settings
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.page.stream import ROUTES
from tests.test_live import event_maker

EN = live.labels(t, "en")
# The envelope's fields by kind; a frame's payload is the live views' message (its schema).
ENVELOPE = {
    "frame": {"kind", "version", "context", "keyframe", "payload"},
    "shown": {"kind", "version", "context", "entry"},
    "end": {"kind", "version"},
}
PAYLOAD = jsonschema.Draft202012Validator(schema())


@pytest.fixture(scope="module")
def server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        Starlette(routes=ROUTES), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


class Stage:
    """A presenter's run in this process's store (the one the route reads)."""

    def __init__(self) -> None:
        self.workbench = Workbench(Settings())
        self.live = live.LiveSession(self.workbench, EN)
        self.live.handle(None)
        self.presenter = Presenter.start(rooms_from_env(), self.workbench, self.live.last)
        self.send = event_maker(self.live)
        self.send("sync")

    def step(self) -> None:
        self.presenter.publish(self.send("step"), self.workbench)
        self.presenter.flush()


class Events:
    """An SSE client reading one stream."""

    def __init__(self, host: str, path: str, headers: dict | None = None) -> None:
        self.connection = http.client.HTTPConnection(host, timeout=10)
        self.connection.request("GET", path, headers=headers or {})
        self.response = self.connection.getresponse()

    def next(self) -> dict:
        """The next message (comments and the ``retry:`` line skipped), its id checked."""
        event_id, data = None, None
        while True:
            line = self.response.fp.readline().decode("utf-8")
            assert line, "the stream ended"
            line = line.rstrip("\n")
            if line.startswith("id: "):
                event_id = int(line[4:])
            elif line.startswith("data: "):
                data = json.loads(line[6:])
            elif line == "" and data is not None:
                assert data["version"] == event_id
                assert set(data) == ENVELOPE.get(data["kind"], set(data)), data.keys()
                if data["kind"] == "frame":
                    PAYLOAD.validate(data["payload"])
                    assert data["payload"]["readonly"] is True
                    assert {"playing", "shown"} <= set(data["payload"])
                    assert data["payload"]["seq"] == data["version"]
                return data

    def close(self) -> None:
        self.connection.close()


def status(host: str, path: str, method: str = "GET", headers: dict | None = None) -> int:
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request(method, path, headers=headers or {})
    code = connection.getresponse().status
    connection.close()
    return code


def test_refusals_other_origin_unknown_code_and_writes(server):
    stage = Stage()
    code = stage.presenter.code
    path = f"/room/{code}/events"
    assert status(server, path, headers={"Origin": "http://evil.example"}) == 403
    assert status(server, path, headers={"Origin": f"http://{server}x"}) == 403
    assert status(server, path, method="POST") == 405
    assert status(server, "/room/ZZZZZZZZ/events") == 404
    assert status(server, "/room/not-a-code/events") == 404
    same = Events(server, path, {"Origin": f"http://{server}"})
    assert same.response.status == 200
    assert same.response.getheader("Content-Type").startswith("text/event-stream")
    first = same.next()
    same.close()
    # the presenter's secret is nowhere in what followers receive
    assert stage.presenter.keys.secret not in json.dumps(first)
    stage.presenter.end()


def test_a_late_joiner_gets_the_keyframe_then_pushed_frames_and_resumes_after_a_drop(server):
    stage = Stage()
    for _ in range(3):
        stage.step()
    code = stage.presenter.code
    events = Events(server, f"/room/{code}/events?lang=es")
    keyframe, *deltas = [events.next() for _ in range(4)]
    assert keyframe["kind"] == "frame" and keyframe["keyframe"]
    assert keyframe["payload"]["setup"]["labels"] == live.labels(t, "es")
    assert [d["payload"]["latest"] for d in deltas] == [1, 2, 3]
    stage.step()
    pushed = events.next()
    assert pushed["payload"]["latest"] == 4 and not pushed["keyframe"]
    # the open stream counts as a follower
    deadline = time.monotonic() + 10
    while stage.presenter.followers() != 1:
        assert time.monotonic() < deadline, "the stream was never counted"
        time.sleep(0.1)
    events.close()  # dropped; meanwhile two more steps
    stage.step()
    stage.step()
    resumed = Events(server, f"/room/{code}/events", {"Last-Event-ID": str(pushed["version"])})
    assert [resumed.next()["payload"]["latest"] for _ in range(2)] == [5, 6]
    stage.presenter.end()
    assert resumed.next()["kind"] == "end"
    resumed.close()
    assert status(server, f"/room/{code}/events") == 404


def test_redis_restart_drill(server, monkeypatch):
    """redis-server stops mid-room and comes back empty: the presenter's run never stops or
    raises, the followers' stream drops and resumes once the presenter's process has put the
    room back (its code, its latest frame with the steps taken meanwhile, its fork, its board)."""
    port = free_port()
    with redis_server(port=port) as url:
        monkeypatch.setenv("LINREG_ROOMS_URL", url)
        stage = Stage()
        rooms = rooms_from_env()
        stage.step()
        mine = make_it_mine(rooms, stage.presenter.code)
        ForkReporter(rooms, stage.presenter.code, "attendee", "Ana").report(mine)
        assert [e.summary.nickname for e in stage.presenter.board()] == ["Ana"]
        events = Events(server, f"/room/{stage.presenter.code}/events")
        last = [events.next() for _ in range(2)][-1]
        assert last["payload"]["latest"] == 1
    # redis-server is down: the presenter steps on; the stream is closed for a resume
    with pytest.raises(AssertionError, match="the stream ended"):
        events.next()
    for _ in range(2):
        stage.step()
    assert stage.workbench.trainer.epoch == 3 and not stage.presenter.ended
    assert stage.presenter.followers() >= 0 and stage.presenter.board()
    assert status(server, f"/room/{stage.presenter.code}/events") == 503
    with redis_server(port=port):  # back, empty
        back = time.monotonic()
        while stage.presenter.followers() is not None and not rooms.exists(stage.presenter.code):
            assert time.monotonic() - back < 5, "the presenter's process never restored the room"
            time.sleep(0.2)
        assert not stage.presenter.ended
        resumed = Events(
            server, f"/room/{stage.presenter.code}/events", {"Last-Event-ID": str(last["version"])}
        )
        assert resumed.response.status == 200
        first = resumed.next()
        assert time.monotonic() - back < 5
        assert first["keyframe"] and first["version"] > last["version"]
        assert first["payload"]["latest"] == 3
        assert len(first["payload"]["loss"]) == 4
        assert [e.summary.nickname for e in stage.presenter.board()] == ["Ana"]
        assert make_it_mine(rooms, stage.presenter.code).trainer.epoch == 3
        stage.step()
        assert resumed.next()["payload"]["latest"] == 4
        resumed.close()
        stage.presenter.end()


def test_a_burst_of_frames_arrives_in_order_once(server):
    """Frames published within the stream's wait (FAN_OUT_SECONDS) go out as one batch: each
    once, in version order, then the room's end."""
    stage = Stage()
    events = Events(server, f"/room/{stage.presenter.code}/events")
    assert events.next()["keyframe"]
    for _ in range(6):
        stage.step()
    assert [events.next()["payload"]["latest"] for _ in range(6)] == [1, 2, 3, 4, 5, 6]
    stage.presenter.end()
    assert events.next()["kind"] == "end"
    events.close()
