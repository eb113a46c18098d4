"""The room seen from the page's sessions: a presenter driving LiveSession as its browser would,
followers reading the room's stream, "Make it mine", the board, crafted calls. Every test runs on both stores
(in this process, and a real redis-server). The oracles: the engine's own numbers (the
presenter's trainer, ``Trainer.parameters``/``losses_after``) and an uninterrupted run."""

from __future__ import annotations

import queue
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from linreg.dashboard import live, room_session
from linreg.dashboard.room import secret_hash
from linreg.dashboard.room.stream import RoomRelay, StreamMessage
from linreg.dashboard.room_session import (
    Follower,
    ForkReporter,
    Presenter,
    make_it_mine,
)
from linreg.dashboard.settings import Settings
from linreg.dashboard.texts import t
from linreg.dashboard.views import equations
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError
from tests.test_checkpoint import assert_same, record
from tests.test_live import assert_frame_is_the_engines, event_maker

EN, ES = live.labels(t, "en"), live.labels(t, "es")


POLL = 5.0  # seconds a follower waits at most for the presenter's frame (never reached)
QUIET = 0.3  # … and for the frames after the first (the Redis store delivers from its thread)


class StreamReader:
    """A follower's end of the room's stream in plain Python, as ``linreg.page.stream`` serves
    it: the relay's replay first, then what the relay delivers, each version once."""

    def __init__(self, rooms, code: str, lang: str = "en", after: int | None = None) -> None:
        self.relay = RoomRelay(rooms, code, lambda lang: live.labels(t, lang))
        self._queue: queue.Queue = queue.Queue()
        self.relay.listen(lambda delivery: self._queue.put(delivery[lang]))
        self.sent = after or 0
        self._pending = self.relay.replay(lang, after)

    def receive(self, timeout: float = POLL) -> list[StreamMessage]:
        """The messages that came since the last call; waits up to ``timeout`` s for one."""
        messages, self._pending = self._pending, []
        wait = QUIET if messages else timeout
        while True:
            try:
                message = self._queue.get(timeout=wait)
            except queue.Empty:
                break
            messages.append(message)
            wait = QUIET
        fresh = []
        for message in messages:
            if message.version is not None and message.version <= self.sent:
                continue
            fresh.append(message)
            self.sent = message.version or self.sent
        return fresh

    def payloads(self, timeout: float = POLL) -> list[dict]:
        return [m.fields["payload"] for m in self.receive(timeout) if m.kind == "frame"]

    def close(self) -> None:
        self.relay.close()


class Browser:
    """What a component holds after the payloads it was given: the loss points, the frame
    shown, the setup (the component's own bookkeeping, as in live.js)."""

    def __init__(self) -> None:
        self.run, self.loss, self.frame, self.setup, self.mode = "", [], None, None, None

    def take(self, payload: dict) -> None:
        if payload["run"] != self.run:
            self.loss = []
        assert payload["loss_from"] <= len(self.loss)
        self.run = payload["run"]
        self.loss = self.loss[: payload["loss_from"]] + payload["loss"]
        if payload["frames"]:
            self.frame = payload["frames"][-1]
        if "setup" in payload:
            self.setup = payload["setup"]
        self.mode = payload["mode"]


class Stage:
    """A presenter's session: workbench, live views, the room, and its browser."""

    def __init__(self, rooms, **settings) -> None:
        self.workbench = Workbench(Settings(**settings))
        self.live = live.LiveSession(self.workbench, EN)
        self.browser = Browser()
        self.browser.take(self.live.handle(None))
        self.presenter = Presenter.start(rooms, self.workbench, self.live.last)
        self.send = event_maker(self.live)
        self.send_event("sync")  # the browser's state for event_maker

    def send_event(self, kind: str, flush: bool = True, **extra) -> dict:
        """One browser event; ``flush``: wait until the frame (and fork) reached the store."""
        payload = self.send(kind, **extra)
        self.browser.take(payload)
        self.presenter.publish(payload, self.workbench)
        if flush:
            self.presenter.flush()
        assert self.presenter.error is None
        return payload

    @property
    def trainer(self):
        return self.workbench.trainer


def follow(stage: Stage, reader: StreamReader, browser: Browser) -> dict:
    """The payloads the stream brought since last time, taken by the follower's browser in
    order, checked against the presenter's browser and the engine; returns the last."""
    payloads = reader.payloads()
    assert payloads, "the follower got nothing from the stream"
    for payload in payloads:
        assert payload["readonly"] is True
        browser.take(payload)
    assert browser.loss == stage.browser.loss
    # The same frame, its equations written in the follower's column names.
    assert {k: v for k, v in browser.frame.items() if k != "eq"} == {
        k: v for k, v in stage.browser.frame.items() if k != "eq"
    }
    weight, bias = stage.trainer.parameters(browser.frame["e"])
    assert browser.frame["eq"] == equations(
        weight, bias, browser.setup["inputs"], browser.setup["targets"]
    )
    ds = stage.workbench.dataset
    assert_frame_is_the_engines(browser.frame, stage.trainer, ds.inputs, ds.targets)
    engine = np.asarray(stage.trainer.losses_after(), dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(browser.loss, dtype=np.float32), engine)
    return payload


@pytest.mark.parametrize(
    "settings",
    [{}, {"engine": "nn", "opt": "adam", "lr": 0.05, "batch": 2, "std": True, "stdy": True}],
    ids=["scratch", "nn adam mini-batches standardized"],
)
def test_a_follower_sees_every_step_play_pause_look_and_reset_as_the_engine(make_rooms, settings):
    rooms = make_rooms()
    stage = Stage(rooms, **settings)
    reader = StreamReader(rooms, stage.presenter.code, "es")
    follower = reader
    browser = Browser()
    first = follow(stage, follower, browser)
    assert first["setup"]["labels"] == ES
    for _ in range(3):
        stage.send_event("step")
        follow(stage, follower, browser)
    assert browser.frame["e"] == stage.trainer.epoch == 3
    stage.send_event("run", epochs=20)
    payload = follow(stage, follower, browser)
    assert payload["mode"] == "run" and browser.frame["e"] == 23
    stage.send_event("play", speed=1)
    payload = follow(stage, follower, browser)
    assert payload["playing"] and payload["mode"] == "play"
    assert payload["frames"][0]["e"] == 24
    stage.send_event("more", speed=1, shown=50)
    assert follow(stage, follower, browser)["playing"]
    stage.send_event("pause", shown=61)  # the presenter's views stopped on epoch 61
    payload = follow(stage, follower, browser)
    assert not payload["playing"] and stage.trainer.epoch == 61 and browser.frame["e"] == 61
    assert payload["latest"] == 61 and len(browser.loss) == 62
    stage.send_event("look", epoch=7)
    payload = follow(stage, follower, browser)
    assert payload["shown"] == 7 and browser.frame["e"] == 7
    stage.send_event("step", shown=61)
    follow(stage, follower, browser)
    assert browser.frame["e"] == 62
    stage.send_event("reset")
    payload = follow(stage, follower, browser)
    assert "setup" in payload and browser.frame["e"] == 0 and browser.loss == stage.browser.loss
    assert payload["setup"]["labels"] == ES
    reader.close()


def test_a_late_follower_and_a_reload_get_the_current_state_at_once(make_rooms, monkeypatch):
    monkeypatch.setattr(room_session, "KEYFRAME_EVERY", 4)  # periodic keyframes in between
    rooms = make_rooms()
    stage = Stage(rooms)
    early = StreamReader(rooms, stage.presenter.code)
    early_browser = Browser()
    follow(stage, early, early_browser)
    for _ in range(11):
        stage.send_event("step")
        follow(stage, early, early_browser)
    stage.send_event("run", epochs=30)
    follow(stage, early, early_browser)
    late = StreamReader(rooms, stage.presenter.code)
    late_browser = Browser()
    first, *after = late.payloads()  # the latest keyframe, then the deltas after it
    assert first["loss_from"] == 0 and "setup" in first
    assert all("setup" not in p for p in after)
    for payload in (first, *after):
        late_browser.take(payload)
    assert late_browser.loss == stage.browser.loss and late_browser.frame == stage.browser.frame
    assert late_browser.frame["e"] == stage.trainer.epoch == 41
    # a dropped connection resumes after the last version it holds: only what it missed
    stage.send_event("step")
    stage.send_event("step")
    resumed = StreamReader(rooms, stage.presenter.code, after=late.sent)
    late.close()
    payloads = resumed.payloads()
    assert [p["latest"] for p in payloads] == [42, 43] and "setup" not in payloads[0]
    for payload in payloads:
        late_browser.take(payload)
    assert late_browser.loss == stage.browser.loss and late_browser.frame == stage.browser.frame
    # what the follower's page shows beside the views
    follower = Follower.join(rooms, stage.presenter.code, "late")
    assert follower.table.equals(stage.workbench.table)
    ds = stage.workbench.dataset
    roles = {"inputs": ds.input_names, "targets": ds.target_names}
    assert follower.settings == replace(stage.workbench.settings, **roles)
    for reader in (early, resumed):
        reader.close()


CONFIGS = {
    "scratch": {"lr": 1e-5, "seed": 3},
    "nn adam mini-batches": {
        "engine": "nn",
        "opt": "adam",
        "lr": 0.05,
        "batch": 2,
        "std": True,
        "seed": 4,
    },
    "nn momentum mini-batches, standardized targets": {
        "engine": "nn",
        "opt": "momentum",
        "lr": 0.01,
        "batch": 3,
        "std": True,
        "stdy": True,
        "data": "sample15",
    },
}


@pytest.mark.parametrize("settings", CONFIGS.values(), ids=CONFIGS.keys())
def test_make_it_mine_continues_bit_for_bit_as_the_presenters_run(make_rooms, settings):
    rooms = make_rooms()
    stage = Stage(rooms, **settings)
    stage.send_event("run", epochs=9)
    stage.send_event("play", speed=2)
    reader = StreamReader(rooms, stage.presenter.code, "es")
    reader.payloads()
    stage.send_event("pause", shown=17, flush=False)  # played ahead, then landed on 17
    assert stage.trainer.epoch == 17
    # the click comes once the follower's views show epoch 17: the fork went out before
    while (payloads := reader.payloads()) and payloads[-1]["frames"][-1]["e"] != 17:
        pass
    assert payloads[-1]["frames"][-1]["e"] == 17
    mine = make_it_mine(rooms, stage.presenter.code, "es")
    reader.close()
    assert mine.settings.lang == "es" and mine.trainer.epoch == 17
    assert_same(record(mine.trainer), record(stage.trainer))
    assert mine.trainer is not stage.trainer
    mine.run(25)
    stage.workbench.run(25)
    assert_same(record(mine.trainer), record(stage.trainer))
    assert mine.optimum == stage.workbench.optimum


def test_make_it_mine_takes_an_uploaded_table_with_text_and_missing_cells(make_rooms):
    rooms = make_rooms()
    stage = Stage(rooms)
    table = pd.DataFrame(
        {
            "region": ["north", "south", None, "west", "east", "centre"],
            "x": [1.0, 2.0, 3.0, np.nan, 5.0, 6.0],
            "y": [2.1, 3.9, 6.2, 8.1, 9.8, 12.2],
        }
    )
    assert not stage.workbench.load_table(table, "mine.csv")  # refused for the missing cell
    stage.workbench.set_drop_missing(True)  # … and taken without that row
    stage.workbench.set_roles(("x",), ("y",))
    stage.send_event("sync")
    stage.send_event("step")
    assert stage.workbench.errors == {}
    mine = make_it_mine(rooms, stage.presenter.code)
    pd.testing.assert_frame_equal(mine.table, stage.workbench.table)
    assert mine.source_label == "mine.csv" and mine.settings == stage.workbench.settings
    mine.run(10)
    stage.workbench.run(10)
    assert_same(record(mine.trainer), record(stage.trainer))


def test_the_board_shows_a_forked_run_and_the_presenter_shows_it_to_the_room(make_rooms):
    rooms = make_rooms()
    stage = Stage(rooms, lr=3e-5)
    stage.send_event("run", epochs=5)
    follower = Follower.join(rooms, stage.presenter.code, "attendee")
    reader = StreamReader(rooms, stage.presenter.code)
    reader.payloads()
    mine = make_it_mine(rooms, stage.presenter.code)
    mine.update(lr=1e-3)  # "who raised the learning rate and exploded"
    mine.run(200)
    assert mine.trainer.diverged
    reporter = ForkReporter(rooms, stage.presenter.code, follower.follower_id, "<b>Ana</b>")
    entry = reporter.report(mine)
    assert entry is not None
    assert reporter.report(mine) is None  # nothing new to say
    [shown] = stage.presenter.board()
    summary = shown.summary
    assert shown.entry_id == entry and summary.nickname == "<b>Ana</b>"
    assert summary.learning_rate == 1e-3 and summary.diverged
    assert summary.epoch == mine.trainer.epoch
    assert summary.loss == mine.trainer.losses_after()[-1]
    assert summary.optimum == mine.optimum
    assert summary.curve[-1] == (mine.trainer.epoch, summary.loss)
    assert summary.options["engine"] == "scratch"
    stage.presenter.show(entry)
    [message] = reader.receive()  # no new views, but the shown run came, with a new context
    assert message.kind == "shown" and message.fields["entry"]["entry_id"] == entry
    assert message.fields["context"] != follower.context
    follower.refresh()
    assert message.fields["context"] == follower.context
    assert follower.board_shown["entry_id"] == entry
    assert follower.board_shown["summary"]["learning_rate"] == 1e-3
    late = Follower.join(rooms, stage.presenter.code, "late")
    assert late.board_shown == follower.board_shown
    late_reader = StreamReader(rooms, stage.presenter.code)
    assert late_reader.receive()[-1].fields["context"] == late.context
    for r in (reader, late_reader):
        r.close()


def presenter_state(stage: Stage, rooms) -> tuple:
    frames = rooms.frames(stage.presenter.code)
    return record(stage.trainer), [f.version for f in frames], rooms.fork(stage.presenter.code)


def test_nothing_a_follower_sends_changes_the_presenters_run(make_rooms):
    rooms = make_rooms()
    stage = Stage(rooms)
    stage.send_event("run", epochs=12)
    code = stage.presenter.code
    follower = Follower.join(rooms, f"  {code[:4].lower()}-{code[4:]} ", "attendee")
    reader = StreamReader(rooms, code)
    browser = Browser()
    follow(stage, reader, browser)
    before_record, before_versions, before_fork = presenter_state(stage, rooms)

    # the store's presenter calls with anything but the secret
    guesses = ["", code, follower.follower_id, secret_hash(""), "x" * 10_000]
    for guess in guesses:
        for call in (
            lambda g: rooms.publish(code, g, {"k": "view"}),
            lambda g: rooms.set_fork(code, g, b"PK"),
            lambda g: rooms.show(code, g, None),
            lambda g: rooms.touch(code, g),
            lambda g: rooms.end(code, g),
            lambda g: rooms.board(code, g),
        ):
            with pytest.raises(LinregError) as error:
                call(guess)
            assert error.value.code == "room_not_presenter"
    # a forked run and its report touch only the attendee's copy and the board
    mine = make_it_mine(rooms, code)
    mine.edit_table(mine.table.assign(apples=mine.table["apples"] * 10))
    mine.run(50)
    ForkReporter(rooms, code, follower.follower_id).report(mine)
    # crafted link values: no room, then refused
    for text in (f"{code}&secret=x", f"?room={code}", "<script>", "../../etc", "A" * 500):
        with pytest.raises(LinregError) as error:
            Follower.join(rooms, text, "crafty")
        assert error.value.code in ("room_not_found", "room_lookups_refused")
    with pytest.raises(LinregError) as error:
        Follower.join(rooms, code, "crafty")
    assert error.value.code == "room_lookups_refused"

    after_record, after_versions, after_fork = presenter_state(stage, rooms)
    assert_same(after_record, before_record)
    assert after_versions == before_versions and after_fork == before_fork
    assert not hasattr(follower, "keys") and not hasattr(follower, "secret")
    stage.send_event("step")  # the presenter goes on as if nothing happened
    assert follow(stage, reader, browser)["latest"] == 13
    reader.close()


def test_a_spanish_follower_of_an_english_presenter(make_rooms):
    rooms = make_rooms()
    stage = Stage(rooms)
    stage.send_event("step")
    follower = Follower.join(rooms, stage.presenter.code, "attendee", "es")
    reader = StreamReader(rooms, stage.presenter.code, "es")
    payload, step = reader.payloads()  # the keyframe, then the step
    assert payload["setup"]["labels"] == ES
    assert payload["setup"]["inputs"] == ["temperatura", "lluvia", "humedad"]
    assert payload["setup"]["targets"] == ["manzanas", "naranjas"]
    assert list(follower.table.columns) == [
        "temperatura",
        "lluvia",
        "humedad",
        "manzanas",
        "naranjas",
    ]
    assert follower.settings.lang == "es" and follower.settings.inputs[0] == "temperatura"
    assert stage.browser.setup["labels"] == EN
    # the room's frames carry no words of the presenter's
    for frame in rooms.frames(stage.presenter.code):
        assert frame.data.get("setup", {}).get("labels", {}) == {}
        assert EN["step"] not in frame.text and EN["loss_title"] not in frame.text
    weight, bias = stage.trainer.parameters(1)
    names = (payload["setup"]["inputs"], payload["setup"]["targets"])
    assert step["frames"][-1]["e"] == 1
    assert step["frames"][-1]["eq"] == equations(weight, bias, *names)
    # the follower switches to English: a new stream, the setup again, in English
    reader.close()
    payload, _ = StreamReader(rooms, stage.presenter.code, "en").payloads()
    assert payload["setup"]["labels"] == EN and payload["setup"]["inputs"][0] == "temperature"
    follower.refresh("en")
    assert list(follower.table.columns)[0] == "temperature"


def test_when_the_room_ends_followers_are_told_and_forks_are_gone(make_rooms):
    rooms = make_rooms()
    stage = Stage(rooms)
    follower = Follower.join(rooms, stage.presenter.code, "attendee")
    reader = StreamReader(rooms, stage.presenter.code)
    reader.payloads()
    rooms.heartbeat(stage.presenter.code, follower.follower_id)  # the stream's, on the page
    assert stage.presenter.followers() == 1
    stage.presenter.end()
    assert [m.kind for m in reader.receive()] == ["end"]
    follower.refresh()
    assert follower.ended and follower.error.code == "room_ended"
    with pytest.raises(LinregError) as error:
        make_it_mine(rooms, stage.presenter.code)
    assert error.value.code == "room_ended"
    assert stage.presenter.publish(stage.live.last, stage.workbench) is None
    assert stage.presenter.board() == []


def test_a_follower_behind_by_several_frames_catches_up_in_order(make_rooms):
    rooms = make_rooms()
    stage = Stage(rooms)
    follower = StreamReader(rooms, stage.presenter.code)
    browser = Browser()
    follow(stage, follower, browser)
    for _ in range(5):
        stage.send_event("step")
    stage.send_event("play", speed=1)
    stage.send_event("more", speed=1, shown=20)
    payloads = follower.payloads()
    for payload in payloads:
        browser.take(payload)
    assert browser.loss == stage.browser.loss and browser.frame == stage.browser.frame
    played = [f["e"] for p in payloads for f in p["frames"] if p["mode"] == "play"]
    assert played[-1] == stage.trainer.epoch and played == sorted(played)
    stage.send_event("pause", shown=30)
    follow(stage, follower, browser)
    assert browser.frame["e"] == 30 == stage.trainer.epoch
    follower.close()


def test_a_room_started_before_any_payload_shows_the_current_epoch(make_rooms):
    """A presenter may start a room before its views sent anything: the keyframe is built from
    the workbench itself."""
    rooms = make_rooms()
    workbench = Workbench(Settings())
    workbench.run(3)
    presenter = Presenter.start(rooms, workbench, None, background=False)
    presenter.publish(None, workbench)
    assert presenter.error is None
    follower = StreamReader(rooms, presenter.code)
    [payload] = follower.payloads()
    browser = Browser()
    browser.take(payload)
    assert browser.frame["e"] == 3
    ds = workbench.dataset
    assert_frame_is_the_engines(browser.frame, workbench.trainer, ds.inputs, ds.targets)
    follower.close()
