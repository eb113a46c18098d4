"""Predict, then reveal in a room through AppTest: a number question asked by the presenter's
session, answered in a follower's session (``?room=CODE``) with a number, tallied in bins,
revealed: the follower's own result and score, the presenter's Step run for real."""

from __future__ import annotations

from tests.test_page_room import button, done, new_app, start_room


def markdown(at) -> str:
    return "\n".join(str(e.value) for e in at.markdown) + "\n".join(
        str(e.proto.body) for e in at.get("html")
    )


def test_a_number_question_answered_tallied_and_revealed():
    presenter = start_room()
    room = presenter.session_state.room_presenter
    presenter.selectbox(key="quiz_kind_False").set_value("loss_after")
    done(presenter.run())
    button(presenter.button, "Ask the room").click()
    done(presenter.run())
    room.flush()
    assert room.poll.question.kind == "loss_after" and not room.poll.closed

    follower = new_app(room=room.code)
    assert "What will the loss be after 100 more epochs?" in markdown(follower)
    follower.number_input(key="room_guess").set_value(0.0)  # not a positive number: refused
    button(follower.button, "Answer").click()
    done(follower.run())
    assert room.tally().total == 0
    follower.number_input(key="room_guess").set_value(2.5)
    button(follower.button, "Answer").click()
    done(follower.run())
    tally = room.tally()
    assert tally.total == 1 and tally.counts == [1] and tally.edges == [2.5, 2.5]

    epoch = presenter.session_state.workbench.trainer.epoch
    button(presenter.button, "Reveal").click()
    done(presenter.run())
    assert presenter.session_state.workbench.trainer.epoch == epoch + 100  # for real
    assert room.poll.closed
    done(follower.run())
    shown = markdown(follower)
    result = room.poll.question.result(2.5, room.poll.outcome)
    assert f'data-result="{"right" if result.right else "wrong"}"' in shown
    assert f"Your guess 2.5 scores {result.score:.2f} of 1" in shown
    assert room.scoreboard.rows()[0].score == result.score
    assert not [b for b in follower.button if b.label == "Answer"]  # closed: no more answers


def test_a_weights_name_reads_in_a_spanish_followers_words():
    """The English presenter's question names the sample's columns in English; a Spanish
    follower's buttons, question and result name them in Spanish (the choice sent is the same)."""
    presenter = start_room()
    room = presenter.session_state.room_presenter
    presenter.selectbox(key="quiz_kind_False").set_value("largest_change")
    done(presenter.run())
    button(presenter.button, "Ask the room").click()
    done(presenter.run())
    room.flush()
    assert "apples·temperature" in room.poll.question.choices

    follower = new_app(room=room.code, lang="es")
    labels = [b.label for b in follower.button]
    assert "manzanas·temperatura" in labels and "naranjas·humedad" in labels
    assert not [label for label in labels if "apples" in label or "temperature" in label]
    button(follower.button, "manzanas·temperatura").click()
    done(follower.run())
    assert room.tally().counts["apples·temperature"] == 1  # the presenter's name, as asked

    button(presenter.button, "Reveal").click()
    done(presenter.run())
    done(follower.run())
    shown = markdown(follower)
    assert 'data-result="' in shown and "apples" not in shown and "manzanas·" in shown

    presenter.selectbox(key="quiz_kind_False").set_value("weight_direction")
    done(presenter.run())
    button(presenter.button, "Ask the room").click()
    done(presenter.run())
    done(follower.run())
    assert "¿el peso manzanas·temperatura aumentará o disminuirá?" in markdown(follower)
