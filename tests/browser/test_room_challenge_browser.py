"""A room's challenge (issue 18) in real browsers: the presenter sets one (the default target,
10× the data's optimum; 1,000 epochs); two followers, one in Spanish, read it in their words,
make the run theirs with different learning rates and play; each page shows the run that
reached the target, the presenter's board ranks them by the epochs linreg's Trainer needs with
those settings, and Verify re-runs them on the server and confirms."""

from __future__ import annotations

import numpy as np
import pytest
from browserkit import assert_no_traceback, button, readout, sample, screenshot, wait_idle
from playwright.sync_api import Page, expect
from test_room_browser import open_follower, start_room
from test_room_quiz_browser import set_nickname
from test_screens import _assert_accessible

from linreg import TrainConfig, Trainer, least_squares
from linreg.dashboard.challenge import default_target

pytestmark = pytest.mark.browser

LIMIT = 1000


def epochs_to(target: float, lr: float) -> int | None:
    """The engine's answer: the first epoch whose loss is ≤ target at learning rate ``lr``."""
    inputs, targets = sample()
    trainer = Trainer(inputs, targets, TrainConfig(learning_rate=lr))
    trainer.run(LIMIT)
    hits = np.flatnonzero(trainer.losses_after() <= target)
    return int(hits[0]) if len(hits) else None


def play(page: Page, words: dict, nickname: str, lr: float) -> None:
    """Make the room's run mine, type a learning rate, play the challenge."""
    set_nickname(page, words["nickname"], nickname)
    button(page, words["mine"]).click()
    expect(button(page, words["step"])).to_be_visible()
    wait_idle(page)
    rate = page.get_by_role("spinbutton", name=words["lr"])
    rate.fill(f"{lr:g}")
    rate.press("Enter")
    wait_idle(page)
    button(page, words["play"]).click()
    wait_idle(page)


ENGLISH = {
    "nickname": "Nickname on the room board (optional)",
    "mine": "Make it mine",
    "step": "Step",
    "lr": "… or type an exact learning rate",
    "play": "Play the challenge",
}
SPANISH = {
    "nickname": "Apodo en el tablero (opcional)",
    "mine": "Hacerla mía",
    "step": "Paso",
    "lr": "… o escribe una tasa exacta",
    "play": "Jugar el reto",
}


def test_a_challenge_played_by_two_followers_ranked_as_the_engine_says_and_verified(
    browser, open_page
):
    inputs, targets = sample()
    target = default_target(least_squares(inputs, targets).loss, float(np.mean(targets**2)))
    fast, slow = 1e-4, 3e-5
    epochs = {fast: epochs_to(target, fast), slow: epochs_to(target, slow)}
    assert epochs[fast] < epochs[slow] <= LIMIT

    presenter = open_page()
    link = start_room(presenter)
    sidebar = presenter.get_by_test_id("stSidebar")
    button(presenter, "Start a challenge").click()
    wait_idle(presenter)
    said = f"Reach a loss ≤ {target:g} within {LIMIT:,} epochs."
    expect(sidebar.locator(".linreg-challenge")).to_contain_text(said)

    ana = open_follower(browser, link)
    bea = open_follower(browser, link, "&lang=es")
    try:
        expect(ana.locator(".st-key-room_challenge")).to_contain_text(said)
        spanish = f"Alcanza una pérdida ≤ {target:g} en {LIMIT:,} épocas como mucho."
        expect(bea.locator(".st-key-room_challenge")).to_contain_text(spanish)
        expect(bea.locator(".st-key-room_challenge")).to_contain_text("Jugar el reto")
        _assert_accessible(bea, "a follower's page with a challenge, in Spanish")

        board = presenter.locator('[data-board="challenge"]')
        rows = board.locator("tr[data-entry]")
        play(bea, SPANISH, "Bea", slow)  # the slower one plays first
        expect(rows).to_have_count(1)  # the board reads the room every 2 s
        play(ana, ENGLISH, "Ana", fast)
        for page, lr in ((ana, fast), (bea, slow)):
            expect(page.locator(f'[data-challenge-epochs="{epochs[lr]}"]')).to_be_visible()
            expect(readout(page, "epoch")).to_have_text(f"{epochs[lr]:,}")
        expect(bea.locator(".st-key-room_challenge")).to_contain_text(
            f"Tus ajustes alcanzaron el objetivo en {epochs[slow]} épocas"
        )

        expect(rows).to_have_count(2)
        for rank, (name, lr) in enumerate((("Ana", fast), ("Bea", slow)), start=1):
            row = rows.nth(rank - 1)
            expect(row).to_have_attribute("data-rank", str(rank))
            expect(row).to_have_attribute("data-epochs", str(epochs[lr]))
            expect(row).to_have_attribute("data-verified", "")
            expect(row).to_contain_text(name)
            expect(row).to_contain_text(f"{lr:g}")

        # The entry picked is still Bea's, the first one there was, though Ana's now ranks
        # above it; Verify re-runs it alone.
        pick = presenter.get_by_role("combobox", name="Entry to verify")
        expect(pick).to_have_value(f"Bea · learning rate {slow:g} · {epochs[slow]} epochs")
        button(presenter, "Verify").click()
        wait_idle(presenter)
        expect(rows.nth(1)).to_have_attribute("data-verified", "yes")
        expect(rows.nth(0)).to_have_attribute("data-verified", "")
        button(presenter, "Verify all").click()
        wait_idle(presenter)
        for rank in range(2):
            expect(rows.nth(rank)).to_have_attribute("data-verified", "yes")
        screenshot(presenter, "room-challenge-presenter")
        screenshot(bea, "room-challenge-follower-es")
        _assert_accessible(presenter, "the presenter's board with a challenge")
        _assert_accessible(bea, "an attendee's page with a challenge, in Spanish")

        button(presenter, "End the challenge").click()
        wait_idle(presenter)
        expect(board).to_have_count(0)
        expect(ana.locator(".st-key-room_challenge")).to_have_count(0)  # within a few seconds
        for page in (presenter, ana, bea):
            assert_no_traceback(page)
    finally:
        for page in (ana, bea):
            page.context.close()
