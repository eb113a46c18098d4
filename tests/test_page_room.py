"""The live room on the page, through AppTest: a presenter's session starts a room and
publishes; a follower's session (``?room=CODE``) shows the presenter's run read-only; its live views
come by the room's stream (``tests/test_stream.py``, and in Chromium); "Make it mine" gives the follower the presenter's run, which trains on as the presenter's does.

Both AppTest sessions run in this process and share its in-process room store
(``rooms_from_env()`` without LINREG_ROOMS_URL), as two browser tabs on one server do.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import replace

import numpy as np
from streamlit.testing.v1 import AppTest

from linreg.dashboard.live import labels as live_labels
from linreg.dashboard.room import rooms_from_env
from linreg.dashboard.room.stream import room_context
from linreg.dashboard.texts import t
from linreg.errors import LinregError

_ids = itertools.count(1)


def new_app(**query: str) -> AppTest:
    at = AppTest.from_file("../linreg/page/script.py", default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    return done(at)


def done(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


def payload(at: AppTest) -> dict:
    (component,) = [e for e in at.main if getattr(e, "type", "") == "bidi_component"]
    return json.loads(component.proto.json)


def send(at: AppTest, session, kind: str, **extra) -> AppTest:
    """The component's event ``kind`` handed to ``session`` as its callback does, then a rerun."""
    shown = payload(at)
    event = {
        "id": next(_ids),
        "kind": kind,
        "run": shown["run"],
        "have": shown["loss_from"] + len(shown["loss"]),
        "shown": shown["frames"][-1]["e"] if shown["frames"] else shown["latest"],
        **extra,
    }
    session.handle(event, live_labels(t, "en"))
    return done(at.run())  # the rerun's mount hands the answer to the room, as in a browser


def button(elements, label: str):
    (found,) = [b for b in elements if b.label == label]
    return found


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def start_room(steps: int = 0) -> AppTest:
    at = new_app()
    button(at.sidebar.button, "Start a room").click()
    done(at.run())
    for _ in range(steps):
        send(at, at.session_state.live, "step")
    at.session_state.room_presenter.flush()
    return at


def stream(at: AppTest) -> dict:
    """What a follower's page hands its live views: the room's stream, not payloads."""
    return payload(at)["stream"]


def test_start_a_room_shows_link_code_and_publishes():
    at = start_room(steps=3)
    presenter = at.session_state.room_presenter
    (link,) = [c.value for c in at.sidebar.code]
    assert link.endswith(f"?room={presenter.code}")
    assert any(presenter.code in h.proto.body for h in at.sidebar if h.type == "html")
    assert len([e for e in at.sidebar if e.type == "image"]) == 1  # the QR code
    assert [b.label for b in at.sidebar.button if b.label == "End the room"] == ["End the room"]
    # The room holds the presenter's run as it is now: a fork at epoch 3.
    wb = rooms_from_env()
    assert wb.exists(presenter.code)
    button(at.sidebar.button, "End the room").click()
    done(at.run())
    assert not wb.exists(presenter.code)
    assert [b.label for b in at.sidebar.button if b.label == "Start a room"] == ["Start a room"]


def test_a_bad_code_shows_the_error_and_the_usual_page():
    at = new_app(room="NOPE-NOPE")
    expected = LinregError("room_not_found", text="NOPE-NOPE").message("en")
    assert [unescape(e.value) for e in at.error] == [expected]
    assert "room" not in at.query_params
    # The page is otherwise the usual one: its own run and the room section.
    assert payload(at)["latest"] == 0 and not payload(at).get("readonly")
    assert "Start a room" in [b.label for b in at.sidebar.button]


def test_a_follower_page_opens_the_room_stream_and_changes_nothing_of_the_presenters():
    at = start_room(steps=3)
    presenter_wb = at.session_state.workbench
    code = at.session_state.room_presenter.code
    before = presenter_wb.trainer.parameters()
    # A crafted link: the settings in it change nothing, the follower sees the presenter's.
    fol = new_app(room=code, lr="1", seed="5")
    assert dict(fol.query_params) == {"room": code, "lang": "en"}
    shown = stream(fol)
    assert shown["url"] == f"room/{code}/events?lang=en"
    assert shown["words"]["reconnecting"] == t("room.reconnecting", "en")
    # the digest of what is beside the views: the one the stream's messages carry now
    rooms = rooms_from_env()
    assert shown["context"] == room_context(rooms.frames(code)).digest
    assert "workbench" not in fol.session_state  # a follower trains nothing of its own
    follower = fol.session_state.room_follower
    assert follower.settings.lr == 1e-5 and follower.settings.seed == 0
    # The follower's component sends nothing anywhere but "rerun once": no events reach a run.
    for _ in range(3):
        done(fol.run())
    at.session_state.room_presenter.flush()
    assert presenter_wb.trainer.epoch == 3
    assert presenter_wb.settings.lr == 1e-5 and presenter_wb.settings.seed == 0
    for now, then in zip(presenter_wb.trainer.parameters(), before, strict=True):
        np.testing.assert_array_equal(now, then)
    # In Spanish if the follower chooses it: a stream in Spanish, the table's names too.
    fol.selectbox(key="room_lang_select").set_value("es")
    done(fol.run())
    assert stream(fol)["url"] == f"room/{code}/events?lang=es"
    assert list(fol.session_state.room_follower.table.columns)[0] == "temperatura"
    assert "Hacerla mía" in [b.label for b in fol.sidebar.button]


def test_make_it_mine_takes_the_presenters_run_over():
    at = start_room(steps=4)
    presenter_wb = at.session_state.workbench
    code = at.session_state.room_presenter.code
    fol = new_app(room=code)
    fol.sidebar.text_input(key="room_nickname").input("<b>Ana</b>")
    button(fol.sidebar.button, "Make it mine").click()
    done(fol.run())
    mine = fol.session_state.workbench
    assert mine is not presenter_wb
    assert "room" not in fol.query_params
    assert mine.trainer.epoch == 4
    assert replace(mine.settings, inputs=(), targets=()) == replace(
        presenter_wb.settings, inputs=(), targets=()
    )
    assert mine.dataset.input_names == presenter_wb.dataset.input_names
    assert mine.dataset.target_names == presenter_wb.dataset.target_names
    assert mine.table.equals(presenter_wb.table)
    for own, theirs in zip(
        mine.trainer.parameters(), presenter_wb.trainer.parameters(), strict=True
    ):
        np.testing.assert_array_equal(own, theirs)
    # Both train on: the attendee's run continues exactly as the presenter's does.
    send(fol, fol.session_state.live, "step")
    send(at, at.session_state.live, "step")
    for own, theirs in zip(
        mine.trainer.parameters(), presenter_wb.trainer.parameters(), strict=True
    ):
        np.testing.assert_array_equal(own, theirs)
    assert mine.trainer.epoch == presenter_wb.trainer.epoch == 5
    # Its own page: the usual one, with the attendee's own controls' run.
    assert payload(fol)["latest"] == 5 and not payload(fol).get("readonly")
    # The presenter's board lists the run with its (escaped) nickname and epoch.
    board = at.session_state.room_presenter.board()
    assert [(e.summary.nickname, e.summary.epoch) for e in board] == [("<b>Ana</b>", 5)]
    done(at.run())
    (table,) = [d for d in at.main.dataframe if "name" in d.value.columns]
    assert table.value["name"].tolist() == ["<b>Ana</b>"]
    assert table.value["epoch"].tolist() == [5]
