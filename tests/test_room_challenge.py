"""A room's challenge (issue 18), on both stores: the presenter sets a target and a limit on
the room's data, followers see it, attendees who made the run theirs play with their own
settings (one entry each, the last counts, none once it ended), the presenter ranks the entries
and verifies them by re-running their settings; only the presenter's secret sets, ends and
reads."""

from __future__ import annotations

import math

import pytest

from linreg.dashboard.challenge import Challenge, Entry, data_digest, default_target
from linreg.dashboard.room.stream import room_context
from linreg.dashboard.room_session import (
    Follower,
    ForkReporter,
    Presenter,
    make_it_mine,
)
from linreg.dashboard.settings import Settings
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError
from linreg.trainer import TrainConfig, Trainer


def refused(code: str, function, *args) -> None:
    with pytest.raises(LinregError) as caught:
        function(*args)
    assert caught.value.code == code


DESCRIPTION = {"challenge": "1", "target_loss": 4.83, "max_epochs": 1000, "data": "ab" * 16}


def entry(epochs: int | None, loss: float, lr: float = 1e-5, nickname: str = "") -> dict:
    config = TrainConfig(learning_rate=lr)
    return Entry("x", nickname, config, epochs, loss).to_dict()


# -- the store ------------------------------------------------------------------------------------
def test_entries_one_per_attendee_the_last_counts_none_for_another_challenge(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    assert rooms.challenge(keys.code) is None
    assert not rooms.enter(keys.code, "ana", "1", entry(90, 4.8))  # no challenge yet
    rooms.open_challenge(keys.code, keys.secret, "1", DESCRIPTION)
    assert rooms.challenge(keys.code) == DESCRIPTION  # anyone with the code reads it
    assert rooms.enter(keys.code, "ana", "1", entry(900, 4.8))
    assert rooms.enter(keys.code, "bo", "1", entry(None, 9.5, nickname="Bo"))
    assert rooms.enter(keys.code, "ana", "1", entry(90, 4.7, lr=1e-4))  # replaces
    assert not rooms.enter(keys.code, "cy", "2", entry(10, 1.0))  # not the open challenge
    assert rooms.entries(keys.code, keys.secret, "1") == {
        "ana": entry(90, 4.7, lr=1e-4),
        "bo": entry(None, 9.5, nickname="Bo"),
    }
    assert rooms.entries(keys.code, keys.secret, "2") == {}

    rooms.open_challenge(keys.code, keys.secret, "2", {**DESCRIPTION, "challenge": "2"})
    assert rooms.entries(keys.code, keys.secret, "2") == {}  # a new one forgets the entries
    assert not rooms.enter(keys.code, "ana", "1", entry(90, 4.7))
    assert rooms.enter(keys.code, "ana", "2", entry(90, 4.7))

    rooms.close_challenge(keys.code, keys.secret)
    assert rooms.challenge(keys.code) is None
    assert rooms.entries(keys.code, keys.secret, "2") == {}
    assert not rooms.enter(keys.code, "ana", "2", entry(90, 4.7))


def test_only_the_presenter_sets_ends_and_reads_a_challenge(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.open_challenge(keys.code, keys.secret, "1", DESCRIPTION)
    refused("room_not_presenter", rooms.open_challenge, keys.code, "x", "2", DESCRIPTION)
    refused("room_not_presenter", rooms.close_challenge, keys.code, "x")
    refused("room_not_presenter", rooms.entries, keys.code, "x", "1")
    assert rooms.challenge(keys.code) == DESCRIPTION  # unchanged


def test_a_challenge_keeps_at_most_max_entries_each_short(make_rooms, monkeypatch):
    limit = 3
    monkeypatch.setattr("linreg.dashboard.room.local.MAX_ENTRIES", limit)
    monkeypatch.setattr("linreg.dashboard.room.redis_store.MAX_ENTRIES", limit)
    rooms = make_rooms()
    keys = rooms.start()
    rooms.open_challenge(keys.code, keys.secret, "1", DESCRIPTION)
    for i in range(limit):
        assert rooms.enter(keys.code, f"f{i}", "1", entry(i + 1, 4.0))
    refused("room_challenge_full", rooms.enter, keys.code, "late", "1", entry(1, 4.0))
    assert rooms.enter(keys.code, "f0", "1", entry(5, 4.0))  # one's own entry again
    refused("bad_setting", rooms.enter, keys.code, "f1", "1", {"nickname": "x" * 5000})


def test_a_challenge_ends_with_its_room(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.open_challenge(keys.code, keys.secret, "1", DESCRIPTION)
    rooms.enter(keys.code, "ana", "1", entry(90, 4.7))
    rooms.end(keys.code, keys.secret)
    refused("room_ended", rooms.challenge, keys.code)
    refused("room_ended", rooms.enter, keys.code, "ana", "1", entry(90, 4.7))
    if make_rooms.kind == "redis":
        assert not rooms._redis.keys(f"*{keys.code}*")


# -- presenter, followers and attendees ----------------------------------------------------------
def stage(rooms) -> tuple[Presenter, Workbench]:
    workbench = Workbench(Settings(data="sample5"))
    return Presenter.start(rooms, workbench, background=False), workbench


def attendee(rooms, presenter, name: str, lang: str = "en", **settings) -> tuple:
    """An attendee who made the presenter's run theirs and chose ``settings``."""
    mine = make_it_mine(rooms, presenter.code, lang)
    if settings:
        mine.update(**settings)
    return ForkReporter(rooms, presenter.code, name, name.title()), mine


def epochs_by_the_engine(workbench: Workbench, target: float, limit: int, lr: float):
    """The oracle: linreg's Trainer with those settings, the whole limit, the first epoch whose
    loss is ≤ target."""
    trainer = Trainer(
        workbench.dataset.inputs, workbench.dataset.targets, TrainConfig(learning_rate=lr)
    )
    trainer.run(limit)
    losses = trainer.losses_after()
    hits = [e for e, loss in enumerate(losses) if loss <= target]
    return hits[0] if hits else None


def test_a_challenge_set_shown_played_ranked_and_verified(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    follower = Follower(rooms, presenter.code, follower_id="watcher")
    follower.refresh()
    assert follower.challenge is None
    before = follower.context

    target = default_target(workbench.reference.loss, workbench.trainer.current_loss())
    assert target == pytest.approx(10 * workbench.reference.loss, rel=1e-2)
    challenge = presenter.set_challenge(workbench, target, 1000)
    assert challenge.digest == data_digest(workbench.dataset.inputs, workbench.dataset.targets)
    follower.refresh()
    assert follower.context != before  # a follower's page redraws once for it
    assert follower.challenge == {
        "challenge": "1",
        "target_loss": target,
        "max_epochs": 1000,
        "data": challenge.digest,
    }

    ana, ana_wb = attendee(rooms, presenter, "ana", lr=1e-4)
    bo, bo_wb = attendee(rooms, presenter, "bo", "es", lr=3e-5)  # Spanish names, same numbers
    slow, slow_wb = attendee(rooms, presenter, "slow", lr=1e-6)
    played = {}
    for reporter, wb in ((ana, ana_wb), (bo, bo_wb), (slow, slow_wb)):
        wb.run(7)  # whatever the attendee's run did before: the challenge starts it again
        played[reporter.follower_id] = reporter.play(wb, reporter.challenge())
        assert wb.trainer.epoch == (played[reporter.follower_id].epochs or 1000)
    assert played["ana"].epochs == epochs_by_the_engine(workbench, target, 1000, 1e-4)
    assert played["bo"].epochs == epochs_by_the_engine(workbench, target, 1000, 3e-5)
    assert played["slow"].epochs is None and math.isfinite(played["slow"].loss)

    ranking = presenter.ranking()
    assert [(rank, e.nickname) for rank, e in ranking] == [(1, "Ana"), (2, "Bo"), (3, "Slow")]
    assert [e for _, e in ranking] == [played["ana"], played["bo"], played["slow"]]
    for _, one in ranking:
        assert presenter.verified(one) is None
        assert presenter.verify(one) is True
        assert presenter.verified(one) is True

    # A forged entry (fewer epochs than its settings need) ranks, and fails verification.
    forged = Entry("eve", "Eve", TrainConfig(learning_rate=1e-5), 3, target / 2)
    assert rooms.enter(presenter.code, "eve", "1", forged.to_dict())
    first = presenter.ranking()[0][1]
    assert first.nickname == "Eve" and presenter.verify(first) is False

    # Playing again replaces the attendee's entry; its old verification no longer counts.
    bo_wb.update(lr=5e-5)
    again = bo.play(bo_wb, bo.challenge())
    (bo_now,) = [e for _, e in presenter.ranking() if e.follower == "bo"]
    assert bo_now == again and presenter.verified(bo_now) is None

    presenter.end_challenge()
    follower.refresh()
    assert follower.challenge is None and presenter.ranking() == []
    refused("room_no_challenge", ana.play, ana_wb, {**challenge.describe("1")})


def test_a_run_on_other_data_or_with_standardized_targets_cannot_play(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    presenter.set_challenge(workbench, 5.0, 100)
    ana, mine = attendee(rooms, presenter, "ana")
    mine.load_sample("sample15")
    epoch = mine.trainer.epoch
    refused("challenge_other_data", ana.play, mine, ana.challenge())
    assert mine.trainer.epoch == epoch  # nothing changed
    bo, theirs = attendee(rooms, presenter, "bo", stdy=True)
    refused("challenge_standardized_targets", bo.play, theirs, bo.challenge())
    assert presenter.ranking() == []


def test_a_bad_target_or_limit_is_refused_and_nothing_changes(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    for target, limit in ((0.0, 100), (-1.0, 100), (5.0, 0), (5.0, 10**9)):
        refused("bad_setting", presenter.set_challenge, workbench, target, limit)
    assert presenter.challenge is None
    assert room_context(rooms.frames(presenter.code)).challenge is None


def test_a_late_follower_sees_the_challenge_from_the_keyframe(make_rooms):
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    presenter.set_challenge(workbench, 5.0, 100)
    workbench.run(1)
    presenter.publish(None, workbench)  # a new epoch: a keyframe, the only frame kept
    late = Follower(rooms, presenter.code, follower_id="late")
    late.refresh()
    assert late.challenge["target_loss"] == 5.0 and late.challenge["max_epochs"] == 100


def test_a_challenge_and_its_entries_come_back_after_redis_lost_the_room(redis_url):
    import redis

    from linreg.dashboard.room.redis_store import RedisRooms

    redis.Redis.from_url(redis_url).flushdb()
    rooms = RedisRooms(redis_url)
    try:
        presenter, workbench = stage(rooms)
        presenter.set_challenge(workbench, 5.0, 300)
        ana, mine = attendee(rooms, presenter, "ana", lr=1e-4)
        played = ana.play(mine, ana.challenge())
        assert [e for _, e in presenter.ranking()] == [played]
        redis.Redis.from_url(redis_url).flushdb()  # redis-server restarted empty
        presenter.followers()  # the presenter's page puts the room back
        assert rooms.challenge(presenter.code)["target_loss"] == 5.0
        assert [e for _, e in presenter.ranking()] == [played]
        assert ana.play(mine, ana.challenge()) == played  # and takes entries again
    finally:
        rooms.close()


def test_the_challenge_ranks_as_the_engine_says(make_rooms):
    """Challenge.rank on entries played by the room equals sorting by the engine's epochs."""
    rooms = make_rooms()
    presenter, workbench = stage(rooms)
    challenge = presenter.set_challenge(workbench, 10.0, 400)
    rates = (2e-5, 1e-4, 5e-5)
    for i, lr in enumerate(rates):
        reporter, mine = attendee(rooms, presenter, f"a{i}", lr=lr)
        reporter.play(mine, reporter.challenge())
    epochs = {lr: challenge.play(TrainConfig(learning_rate=lr))[0] for lr in rates}
    ranked = [e.config.learning_rate for _, e in presenter.ranking()]
    assert ranked == sorted(rates, key=lambda lr: epochs[lr])
    assert isinstance(challenge, Challenge)
