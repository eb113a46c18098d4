"""Predict, then reveal in a room (issue 18), on both stores: the presenter asks, followers
answer (one answer each, the last counts, none after the reveal), the tally, each follower's own
result, the scores per nickname; only the presenter's secret asks and reveals."""

from __future__ import annotations

import pytest

from linreg import questions as q
from linreg.dashboard.room.stream import room_context
from linreg.dashboard.room_session import Follower, Presenter
from linreg.dashboard.settings import Settings
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError


def refused(code: str, function, *args) -> None:
    with pytest.raises(LinregError) as caught:
        function(*args)
    assert caught.value.code == code


def keyframe(n: int) -> dict:
    return {"k": "view", "n": n}


# -- the store ------------------------------------------------------------------------------------
def test_answers_one_per_follower_the_last_counts_none_after_the_close(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.publish(keys.code, keys.secret, keyframe(1))
    rooms.ask(keys.code, keys.secret, "1")
    assert rooms.answer(keys.code, "ana", "1", {"choice": "up", "nickname": "Ana"})
    assert rooms.answer(keys.code, "bo", "1", {"choice": "down", "nickname": ""})
    assert rooms.answer(keys.code, "ana", "1", {"choice": "down", "nickname": "Ana"})  # replaces
    assert not rooms.answer(keys.code, "cy", "2", {"choice": "up"})  # not the open poll
    assert rooms.answers(keys.code, keys.secret, "1") == {
        "ana": {"choice": "down", "nickname": "Ana"},
        "bo": {"choice": "down", "nickname": ""},
    }
    assert rooms.answers(keys.code, keys.secret, "2") == {}
    final = rooms.close_poll(keys.code, keys.secret, "1")
    assert set(final) == {"ana", "bo"}
    assert not rooms.answer(keys.code, "ana", "1", {"choice": "up"})  # after the reveal
    assert not rooms.answer(keys.code, "dee", "1", {"choice": "up"})
    assert rooms.answers(keys.code, keys.secret, "1") == final

    assert rooms.ballot(keys.code, "ana", "1") == ({"choice": "down", "nickname": "Ana"}, None)
    rooms.post_results(keys.code, keys.secret, "1", {"ana": {"right": True, "score": 1.0}})
    assert rooms.ballot(keys.code, "ana", "1")[1] == {"right": True, "score": 1.0}
    assert rooms.ballot(keys.code, "bo", "1") == ({"choice": "down", "nickname": ""}, None)
    assert rooms.ballot(keys.code, "ana", "7") == (None, None)

    rooms.ask(keys.code, keys.secret, "2")  # a new question forgets the last one's answers
    assert rooms.answers(keys.code, keys.secret, "2") == {}
    assert rooms.ballot(keys.code, "ana", "1") == (None, None)
    assert rooms.answer(keys.code, "ana", "2", {"choice": "yes"})


def test_only_the_presenter_asks_reads_and_closes(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.ask(keys.code, keys.secret, "1")
    for call in (rooms.ask, rooms.answers, rooms.close_poll):
        refused("room_not_presenter", call, keys.code, "not the secret", "1")
    refused("room_not_presenter", rooms.post_results, keys.code, "x", "1", {"f": {}})
    assert rooms.answer(keys.code, "ana", "1", {"choice": "up"})  # still open


def test_results_are_posted_only_for_a_closed_poll(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.ask(keys.code, keys.secret, "1")
    rooms.answer(keys.code, "ana", "1", {"choice": "up"})
    rooms.post_results(keys.code, keys.secret, "1", {"ana": {"right": True}})
    assert rooms.ballot(keys.code, "ana", "1")[1] is None


def test_a_poll_keeps_at_most_max_answers(make_rooms, monkeypatch):
    limit = 3
    monkeypatch.setattr("linreg.dashboard.room.local.MAX_ANSWERS", limit)
    monkeypatch.setattr("linreg.dashboard.room.redis_store.MAX_ANSWERS", limit)
    rooms = make_rooms()
    keys = rooms.start()
    rooms.ask(keys.code, keys.secret, "1")
    for i in range(limit):
        assert rooms.answer(keys.code, f"f{i}", "1", {"choice": "up"})
    refused("room_poll_full", rooms.answer, keys.code, "late", "1", {"choice": "up"})
    assert rooms.answer(keys.code, "f0", "1", {"choice": "down"})  # changing one's own answer


def test_a_poll_ends_with_its_room(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.ask(keys.code, keys.secret, "1")
    rooms.answer(keys.code, "ana", "1", {"choice": "up"})
    rooms.end(keys.code, keys.secret)
    refused("room_ended", rooms.answer, keys.code, "ana", "1", {"choice": "up"})
    refused("room_ended", rooms.ballot, keys.code, "ana", "1")
    if make_rooms.kind == "redis":
        assert not rooms._redis.keys(f"*{keys.code}*")


# -- presenter and followers ------------------------------------------------------------------------
def stage(rooms) -> tuple[Presenter, Workbench]:
    workbench = Workbench(Settings(data="sample5"))
    return Presenter.start(rooms, workbench, background=False), workbench


def followers(rooms, presenter, *names):
    out = [Follower(rooms, presenter.code, follower_id=name) for name in names]
    for follower in out:
        follower.refresh()
    return out


def test_a_question_asked_answered_tallied_and_revealed(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    ana, bo, cy = followers(rooms, presenter, "ana", "bo", "cy")
    assert ana.question is None and not ana.answer("down")
    before = ana.context

    poll = presenter.ask(q.LossDirection())
    for follower in (ana, bo, cy):
        follower.refresh()
    assert ana.context != before  # the follower's page redraws once for the question
    assert ana.question == q.LossDirection() and not ana.revealed
    assert ana.answer("up", "Ana <b>")
    assert ana.answer("down", "Ana <b>")  # changed: replaces the first
    assert bo.answer("up")
    assert cy.answer("down", "Cy")
    assert not cy.answer("sideways")  # not a choice: nothing kept
    tally = presenter.tally()
    assert tally.total == 3 and tally.counts == {"up": 1, "down": 2}

    outcome = poll.question.answer(workbench.trainer)
    frame = presenter.reveal(outcome)
    assert frame["k"] == "reveal" and frame["outcome"]["answer"] == outcome.answer
    assert presenter.reveal(outcome) is None  # once
    assert not bo.answer("down")  # the poll is closed even before bo's page knows
    assert presenter.tally().counts == {"up": 1, "down": 2}  # the final count stays

    for follower in (ana, bo, cy):
        follower.refresh()
        assert follower.revealed and follower.outcome.answer == outcome.answer
    right = outcome.answer
    for follower, choice in ((ana, "down"), (bo, "up"), (cy, "down")):
        answer, result = follower.ballot()
        assert answer["choice"] == choice
        assert result == {
            "choice": choice,
            "right": choice == right,
            "score": float(choice == right),
        }
    board = {row["nickname"]: row for row in frame["board"]}
    assert set(board) == {"Ana <b>", "", "Cy"}  # nicknames kept as typed (escaped when drawn)
    assert board["Cy"]["score"] == float(right == "down")
    assert board[""]["score"] == float(right == "up")


def test_a_number_question_and_scores_over_two_questions(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    ana, bo = followers(rooms, presenter, "ana", "bo")
    total = {"ana": 0.0, "bo": 0.0}
    for question in (q.LossDirection(), q.LossAfter(epochs=5)):
        poll = presenter.ask(question)
        ana.refresh()
        bo.refresh()
        outcome = poll.question.answer(workbench.trainer)
        if question.choices:
            assert ana.answer(outcome.answer, "Ana")
            assert bo.answer(next(c for c in question.choices if c != outcome.answer), "Bo")
        else:
            assert ana.answer(outcome.answer * 1.01, "Ana")
            assert bo.answer(str(outcome.answer * 100), "Bo")  # a number's text
            assert not bo.answer(-1.0, "Bo")
            tally = presenter.tally()
            assert tally.total == 2 and sum(tally.counts) == 2 and len(tally.edges) == 9
        presenter.reveal(outcome)
        question.action.perform(workbench.trainer)
        for name, follower in (("ana", ana), ("bo", bo)):
            follower.refresh()
            total[name] += follower.ballot()[1]["score"]
    rows = {row.nickname: row for row in presenter.scoreboard.rows()}
    assert rows["Ana"].score == pytest.approx(total["ana"]) and rows["Ana"].rank == 1
    assert rows["Bo"].score == pytest.approx(total["bo"]) == 0.0
    assert rows["Ana"].answered == rows["Bo"].answered == 2


def test_a_late_follower_sees_the_poll_and_chapter_from_the_keyframe(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    presenter.chapter(3)
    presenter.ask(q.LossDirection())
    workbench.run(1)
    presenter.publish(None, workbench)  # a new epoch: a keyframe, the only frame kept
    late = followers(rooms, presenter, "late")[0]
    assert late.chapter == 3 and late.question == q.LossDirection()
    context = room_context(rooms.frames(presenter.code))
    assert context.poll["k"] == "question" and context.chapter == 3


def test_a_follower_holds_no_secret_and_cannot_reveal(make_rooms):
    rooms = make_rooms()
    presenter, _ = stage(rooms)
    presenter.ask(q.LossDirection())
    follower = followers(rooms, presenter, "ana")[0]
    assert presenter.keys.secret not in repr(vars(follower))
    refused("room_not_presenter", rooms.close_poll, presenter.code, follower.follower_id, "1")


def test_an_open_poll_takes_answers_again_after_redis_lost_the_room(redis_url):
    import redis

    from linreg.dashboard.room.redis_store import RedisRooms

    redis.Redis.from_url(redis_url).flushdb()
    rooms = RedisRooms(redis_url)
    try:
        presenter, _ = stage(rooms)
        presenter.ask(q.LossDirection())
        ana = followers(rooms, presenter, "ana")[0]
        assert ana.answer("up")
        redis.Redis.from_url(redis_url).flushdb()  # redis-server restarted empty
        presenter.followers()  # the presenter's page puts the room back
        assert rooms.exists(presenter.code)
        ana.refresh()
        assert ana.question == q.LossDirection()  # the keyframe carries the poll
        assert ana.answer("down")
        assert presenter.tally().counts == {"up": 0, "down": 1}
    finally:
        rooms.close()
