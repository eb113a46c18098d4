"""A room's challenge through AppTest: the presenter's session starts one (the target's default
derived from the data's optimum), followers' pages (``?room=CODE``) say it in their language,
two attendees make the run theirs with different learning rates and play, the presenter's board
ranks them as the engine says and Verify re-runs them; the presenter ends it."""

from __future__ import annotations

import re

from linreg.dashboard.challenge import DEFAULT_MAX_EPOCHS, default_target
from linreg.trainer import TrainConfig, Trainer
from tests.test_page_room import button, done, new_app, start_room, unescape
from tests.test_page_room_quiz import markdown


def start_challenge(presenter, target: float | None = None, limit: int | None = None):
    """Set the challenge in the presenter's room section; the default target unless given."""
    (target_input,) = [
        n for n in presenter.sidebar.number_input if n.key.startswith("challenge_target_")
    ]
    if target is not None:
        target_input.set_value(target)
    if limit is not None:
        presenter.sidebar.number_input(key="challenge_limit").set_value(limit)
    button(presenter.sidebar.button, "Start a challenge").click()
    return done(presenter.run())


def attendee(code: str, nickname: str, lr: float):
    """A follower who makes the run theirs, sets ``lr`` and plays the challenge."""
    at = new_app(room=code)
    at.sidebar.text_input(key="room_nickname").input(nickname)
    button(at.sidebar.button, "Make it mine").click()
    done(at.run())
    version = at.session_state.widget_version
    at.sidebar.number_input(key=f"lr_exact_{version}").set_value(lr)
    done(at.run())
    assert at.session_state.workbench.settings.lr == lr
    button(at.button, "Play the challenge").click()
    return done(at.run())


def epochs_by_the_engine(wb, target: float, limit: int, lr: float) -> int | None:
    trainer = Trainer(wb.dataset.inputs, wb.dataset.targets, TrainConfig(learning_rate=lr))
    trainer.run(limit)
    hits = [e for e, loss in enumerate(trainer.losses_after()) if loss <= target]
    return hits[0] if hits else None


def ranking(presenter) -> list[tuple[str, str, str]]:
    """(rank, epochs, verified) of each row of the board's challenge table, in order."""
    shown = markdown(presenter)
    return re.findall(r'data-rank="(\d+)" data-epochs="(\d*)" data-verified="(\w*)"', shown)


def test_a_challenge_set_played_by_two_attendees_ranked_and_verified():
    presenter = start_room()
    wb = presenter.session_state.workbench
    room = presenter.session_state.room_presenter
    expected = default_target(wb.reference.loss, float((wb.dataset.targets**2).mean()))
    start_challenge(presenter)
    assert room.challenge.target_loss == expected and room.challenge.max_epochs == 1000
    assert DEFAULT_MAX_EPOCHS == 1000
    said = f"Reach a loss ≤ {expected:g} within 1,000 epochs."
    assert said in markdown(presenter)
    assert "No entries yet" in unescape("\n".join(c.value for c in presenter.caption))

    follower = new_app(room=room.code)
    assert said in markdown(follower)
    spanish = new_app(room=room.code, lang="es")
    assert f"Alcanza una pérdida ≤ {expected:g} en 1,000 épocas como mucho." in markdown(spanish)

    fast = attendee(room.code, "Fast", 1e-4)
    slow = attendee(room.code, "Slow", 3e-5)
    epochs = {lr: epochs_by_the_engine(wb, expected, 1000, lr) for lr in (1e-4, 3e-5)}
    assert epochs[1e-4] < epochs[3e-5] <= 1000
    for at, lr in ((fast, 1e-4), (slow, 3e-5)):
        assert at.session_state.workbench.trainer.epoch == epochs[lr]  # the run the page shows
        assert f'data-challenge-epochs="{epochs[lr]}"' in markdown(at)
        assert f"Your settings reached the target in {epochs[lr]} epochs" in markdown(at)

    done(presenter.run())
    assert ranking(presenter) == [("1", str(epochs[1e-4]), ""), ("2", str(epochs[3e-5]), "")]
    button(presenter.button, "Verify all").click()
    done(presenter.run())
    assert ranking(presenter) == [("1", str(epochs[1e-4]), "yes"), ("2", str(epochs[3e-5]), "yes")]

    button(presenter.sidebar.button, "End the challenge").click()
    done(presenter.run())
    assert room.challenge is None and 'data-board="challenge"' not in markdown(presenter)
    done(follower.run())
    assert said not in markdown(follower)


def test_a_target_that_is_not_positive_is_refused_with_a_message():
    presenter = start_room()
    start_challenge(presenter, target=0.0)
    assert presenter.session_state.room_presenter.challenge is None
    (error,) = presenter.error
    assert "target_loss" in unescape(error.value) and "found 0.0" in unescape(error.value)
