"""The room's side of predict-then-reveal, without a transport: the poll (one answer per
follower, changeable until the reveal, closed by it), the tally, the results, the scoreboard
per nickname, and the challenge's ranking and verification."""

import math

import numpy as np
import pytest

from linreg import LinregError, TrainConfig, Trainer
from linreg import questions as q
from linreg.dashboard.challenge import Challenge, Entry, entry_from
from linreg.dashboard.quiz import NUMBER_BINS, Poll, Scoreboard, clean_nickname, describe
from linreg.dashboard.texts import t
from tests.test_trainer import SEED_INPUTS, SEED_TARGETS

NAMES = {"targets": ("apples", "oranges"), "inputs": ("temperature", "rainfall", "humidity")}


def outcome_of(question: q.Question, config: TrainConfig | None = None) -> q.Outcome:
    return question.answer(Trainer(SEED_INPUTS, SEED_TARGETS, config))


def test_one_answer_per_follower_a_second_replaces_it():
    poll = Poll(q.LossDirection())
    assert poll.answer("ana", "up")
    assert poll.answer("ana", "down")  # changed her mind: replaces, never adds
    assert poll.answer("ana", "down")  # a crafted repeat: still one
    assert poll.answer("ben", "up")
    assert poll.tally().counts == {"up": 1, "down": 1}
    assert poll.tally().total == 2


@pytest.mark.parametrize("bad", ["sideways", "UP", "", None, 1, ["up"], {"choice": "up"}])
def test_an_answer_that_is_not_a_choice_is_refused(bad):
    poll = Poll(q.LossDirection())
    poll.answer("ana", "down")
    assert not poll.answer("ana", bad)
    assert poll.answers == {"ana": "down"}  # the earlier answer stands


def test_the_reveal_closes_the_poll_and_judges_each_follower():
    question = q.LossDirection()
    poll = Poll(question)
    for follower, choice in [("ana", "down"), ("ben", "up"), ("cy", "down")]:
        poll.answer(follower, choice)
    assert poll.result("ana") is None  # nothing before the reveal
    outcome = outcome_of(question)
    assert outcome.answer == "down"
    results = poll.reveal(outcome)
    assert {f: r.right for f, r in results.items()} == {"ana": True, "ben": False, "cy": True}
    assert poll.closed
    assert not poll.answer("ben", "down")  # after the close: refused, nothing changes
    assert not poll.answer("dee", "down")  # nor a late newcomer
    assert poll.result("ben").right is False and poll.result("dee") is None
    assert poll.tally().counts == {"up": 1, "down": 2}
    assert poll.reveal(outcome_of(q.LossDirection(), TrainConfig(learning_rate=1))) == results


def test_a_withdrawn_answer_leaves_the_tally():
    poll = Poll(q.LossDirection())
    poll.answer("ana", "down")
    poll.withdraw("ana")
    assert poll.tally().counts == {"up": 0, "down": 0}


def test_every_choice_has_a_bar_even_without_answers():
    question = q.LargestChange(**NAMES)
    poll = Poll(question)
    poll.answer("ana", "apples·rainfall")
    counts = poll.tally().counts
    assert list(counts) == list(question.choices) and sum(counts.values()) == 1


def test_numbers_are_tallied_in_log_bins_and_scored_by_closeness():
    question = q.LossAfter(epochs=20)
    poll = Poll(question)
    guesses = {"a": 1.0, "b": 10.0, "c": 100.0, "d": 1000.0, "e": "250", "f": 999.0}
    for follower, guess in guesses.items():
        assert poll.answer(follower, guess)
    for bad in (-3.0, 0.0, math.inf, math.nan, "many", True):
        assert not poll.answer("g", bad)
    tally = poll.tally()
    assert tally.total == 6 and sum(tally.counts) == 6 and len(tally.counts) == NUMBER_BINS
    assert len(tally.edges) == NUMBER_BINS + 1
    assert tally.edges[0] == 1.0 and tally.edges[-1] == 1000.0
    assert np.all(np.diff(np.log10(tally.edges)) > 0)
    # 1 and 10 and 100 fall in bins 0, 2 and 5 of 8 over three decades (3/8 decade each)
    assert tally.counts[0] == 1 and tally.counts[2] == 1 and tally.counts[5] == 1
    assert tally.counts[-1] == 2  # 999 and 1000 share the last bin
    outcome = outcome_of(question)
    results = poll.reveal(outcome)
    actual = outcome.answer
    for follower, guess in guesses.items():
        expected = max(0.0, 1 - abs(math.log10(float(guess) / actual)))
        assert results[follower].score == pytest.approx(expected)
        assert results[follower].right == (expected >= q.RIGHT_CLOSENESS)


def test_one_number_makes_one_bin():
    poll = Poll(q.LossAfter(epochs=3))
    poll.answer("a", 5)
    poll.answer("b", 5.0)
    tally = poll.tally()
    assert tally.counts == [2] and tally.edges == [5.0, 5.0]
    assert Poll(q.LossAfter(epochs=3)).tally().to_dict() == {
        "total": 0,
        "counts": [],
        "edges": None,
    }


def test_the_scoreboard_counts_per_nickname_escaped_and_anonymous_by_default():
    board = Scoreboard()
    board.name("ana", "  Ana  <b>la</b>\n\x00 ")
    board.name("ben", "")
    for answers, outcome_config in [
        ({"ana": "down", "ben": "up", "cy": "down"}, None),
        ({"ana": "down", "ben": "down"}, None),
    ]:
        poll = Poll(q.LossDirection())
        for follower, choice in answers.items():
            poll.answer(follower, choice)
        board.add(poll.reveal(outcome_of(q.LossDirection(), outcome_config)))
    rows = board.rows()
    assert [(r.rank, r.nickname, r.score, r.answered, r.right) for r in rows] == [
        (1, "Ana <b>la</b>", 2.0, 2, 2),
        (2, "", 1.0, 2, 1),  # ben: anonymous
        (2, "", 1.0, 1, 1),  # cy never gave a name
    ]
    assert rows[0].name_html == "Ana &lt;b&gt;la&lt;/b&gt;"
    assert board.rows(limit=1) == rows[:1]


def test_nicknames_are_kept_short_and_printable():
    assert clean_nickname("x" * 100) == "x" * 24
    assert clean_nickname("a\u202eb\tc d") == "abc d"  # format and control characters go
    assert clean_nickname(None) == ""


@pytest.mark.parametrize("lang", ["en", "es"])
def test_what_happened_is_said_for_every_kind(lang):
    diverging = TrainConfig(learning_rate=1e-3)
    for question, config in [
        (q.LossDirection(), None),
        (q.LargestChange(**NAMES), None),
        (q.WeightDirection(**NAMES, target="oranges", input="humidity"), None),
        (q.Divergence(epochs=30, learning_rate=1e-3), None),
        (q.Divergence(epochs=5), None),
        (q.LossAfter(epochs=5), None),
        (q.LossAfter(epochs=30), diverging),
    ]:
        outcome = outcome_of(question, config)
        text = describe(question, outcome, lang, t)
        assert text and "{" not in text
        if outcome.diverged_at:
            assert str(outcome.diverged_at) in text


# -- the challenge -----------------------------------------------------------------------------
def challenge(target=50.0, limit=500) -> Challenge:
    return Challenge(SEED_INPUTS, SEED_TARGETS, target, limit)


def first_epoch_at_or_below(config: TrainConfig, target: float, limit: int):
    """The oracle: train the whole limit, then look for the first loss ≤ target."""
    trainer = Trainer(SEED_INPUTS, SEED_TARGETS, config)
    trainer.run(limit)
    losses = trainer.losses_after()
    hits = [e for e, loss in enumerate(losses) if loss <= target]
    return (hits[0], losses[hits[0]]) if hits else (None, float(np.nanmin(losses)))


@pytest.mark.parametrize(
    "config",
    [
        TrainConfig(learning_rate=1e-5),
        TrainConfig(learning_rate=5e-5, seed=3),
        TrainConfig(learning_rate=0.1, standardize=True, batch_size=2),
        TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", standardize=True),
        TrainConfig(learning_rate=1e-3),  # diverges: never reaches
        TrainConfig(learning_rate=1e-7),  # too slow for the limit
    ],
)
def test_an_entry_reaches_the_target_when_the_full_run_first_does(config):
    game = challenge()
    entry = game.entry("f", "", config)
    assert (entry.epochs, entry.loss) == first_epoch_at_or_below(config, 50.0, 500)
    assert game.verify(entry)


def test_a_forged_entry_fails_verification():
    game = challenge()
    honest = game.entry("ana", "Ana", TrainConfig(learning_rate=5e-5))
    assert game.verify(honest)
    for forged in (
        Entry("ana", "Ana", honest.config, honest.epochs - 1, honest.loss),
        Entry("ana", "Ana", honest.config.with_(seed=1), honest.epochs, honest.loss),
    ):
        assert not game.verify(forged)
    slow = game.entry("ben", "", TrainConfig(learning_rate=1e-7))
    assert slow.epochs is None and game.verify(slow)
    assert not game.verify(Entry("ben", "", slow.config, None, slow.loss / 2))


def test_entries_rank_by_epochs_then_loss_then_the_unreached_by_loss():
    config = TrainConfig()
    entries = [
        Entry("a", "slow", config, 120, 49.0),
        Entry("b", "fast", config, 30, 49.5),
        Entry("c", "fast too", config, 30, 48.0),
        Entry("d", "never", config, None, 60.0),
        Entry("e", "closer", config, None, 55.0),
        Entry("f", "diverged", config, None, math.inf),
        Entry("g", "tie", config, 30, 48.0),
    ]
    ranked = Challenge.rank(entries)
    assert [(rank, e.nickname) for rank, e in ranked] == [
        (1, "fast too"),
        (1, "tie"),
        (3, "fast"),
        (4, "slow"),
        (5, "closer"),
        (6, "never"),
        (7, "diverged"),
    ]


def test_a_challenge_needs_a_positive_target_and_a_limit():
    for target, limit in [(0.0, 10), (-1, 10), (math.nan, 10), (1.0, 0), (1.0, 10**9), (1.0, 2.5)]:
        with pytest.raises(LinregError):
            challenge(target, limit)


def test_an_entry_travels_as_a_dict_and_bad_ones_are_refused():
    game = challenge()
    entry = game.entry("x", "<Zoë>", TrainConfig(learning_rate=5e-5))
    back = entry_from(entry.to_dict(), "x")
    assert back == entry and back.name_html == "&lt;Zoë&gt;"
    for bad in (
        {},
        {"config": {"learning_rate": -1}, "epochs": 3, "loss": 1},
        {"config": {"colour": "red"}, "epochs": 3, "loss": 1},
        {"config": {}, "epochs": "many", "loss": 1},
    ):
        with pytest.raises(LinregError):
            entry_from(bad, "x")


def test_the_messages_a_room_sends_and_receives():
    import json

    question = q.LossDirection()
    poll = Poll(question, poll="p7")
    asked = poll.question_message()
    assert asked == {
        "type": "question",
        "poll": "p7",
        "question": {"kind": "loss_direction"},
        "choices": ["up", "down"],
    }
    assert poll.answer_from("ana", {"type": "answer", "poll": "p7", "choice": "down"})
    assert not poll.answer_from("ana", {"type": "answer", "poll": "p6", "choice": "up"})
    assert not poll.answer_from("ana", "down")
    assert poll.answer_from("ben", {"poll": "p7", "choice": "up"})
    assert poll.tally_message() == {
        "type": "tally",
        "poll": "p7",
        "total": 2,
        "counts": {"up": 1, "down": 1},
        "edges": None,
    }
    with pytest.raises(ValueError):
        poll.reveal_message("ana")
    poll.reveal(outcome_of(question))
    ana, nobody = poll.reveal_message("ana"), poll.reveal_message("zed")
    assert ana["yours"] == {"choice": "down", "right": True, "score": 1.0}
    assert nobody["yours"] is None and nobody["outcome"]["answer"] == "down"
    for message in (asked, poll.tally_message(), ana):
        assert json.loads(json.dumps(message, allow_nan=False))["poll"] == "p7"  # plain JSON
