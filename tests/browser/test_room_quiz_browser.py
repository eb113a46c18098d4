"""Predict, then reveal in a room (issue 18) in real browsers: a presenter and three followers
(one in Spanish). The presenter asks the room; each follower answers on their own page (one
changes their mind, one clicks twice); the presenter's tally fills in; the reveal performs the
Step on the presenter's run, which every follower then shows, and each follower sees their own
result; the board keeps the scores per nickname (escaped). Then the presenter's lesson
chapter reaches the followers."""

from __future__ import annotations

import pytest
from browserkit import (
    assert_no_traceback,
    button,
    engine_losses,
    readout,
    sample,
    screenshot,
    wait_idle,
)
from playwright.sync_api import Page, expect
from test_room_browser import open_follower, start_room

from linreg import TrainConfig, Trainer
from linreg import questions as q

pytestmark = pytest.mark.browser


def set_nickname(page: Page, label: str, nickname: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(nickname)
    box.press("Enter")
    wait_idle(page)


def answer(page: Page, label: str) -> None:
    button(page, label).click()
    primary = "stBaseButton-primary"  # shown as this follower's answer
    expect(button(page, label)).to_have_attribute("data-testid", primary)
    wait_idle(page)


def test_the_room_answers_the_tally_fills_the_reveal_judges_each(browser, open_page):
    config = TrainConfig()
    inputs, targets = sample()
    truth = q.LossDirection().answer(Trainer(inputs, targets, config)).answer
    other = "up" if truth == "down" else "down"
    losses = engine_losses(inputs, targets, config, 1)
    words = {"up": ("Up", "Sube"), "down": ("Down", "Baja")}

    presenter = open_page()
    link = start_room(presenter)
    ana, bo = open_follower(browser, link), open_follower(browser, link)
    cy = open_follower(browser, link, "&lang=es")
    everyone = (ana, bo, cy)
    try:
        set_nickname(ana, "Nickname on the room board (optional)", "Ana <b>x</b>")
        set_nickname(cy, "Apodo en el tablero (opcional)", "Cy")
        button(presenter, "Ask the room").click()
        wait_idle(presenter)
        for page in everyone:
            expect(page.locator(".st-key-room_quiz")).to_be_visible()

        answer(ana, words[other][0])
        answer(ana, words[truth][0])  # Ana changes her mind: the last answer counts
        bo.get_by_role("button", name=words[other][0], exact=True).dblclick()  # twice: once
        wait_idle(bo)
        answer(cy, words[truth][1])  # Spanish buttons, the same choice
        expect(presenter.locator(f'[data-tally="{truth}"]')).to_have_text("2")
        expect(presenter.locator(f'[data-tally="{other}"]')).to_have_text("1")
        expect(presenter.get_by_text("Answers: 3")).to_be_visible()

        button(presenter, "Reveal").click()
        wait_idle(presenter)
        expect(readout(presenter, "epoch")).to_have_text("1")  # the reveal's Step, for real
        for page, verdict in ((ana, "right"), (bo, "wrong"), (cy, "right")):
            expect(page.locator(f'[data-result="{verdict}"]')).to_be_visible()
            expect(readout(page, "epoch")).to_have_text("1")
            expect(readout(page, "loss")).to_have_text(losses[1])
        expect(cy.get_by_text("Acertaste", exact=False)).to_be_visible()
        expect(cy.get_by_text("Puntuaciones")).to_be_visible()
        # The board: scores per nickname, the nickname as typed (text, not markup).
        for page in (presenter, bo):
            board = page.locator('[data-board="scores"]')
            expect(board.get_by_text("Ana <b>x</b>")).to_be_visible()
            expect(board.locator("b")).to_have_count(0)
            expect(board.locator('tr[data-score="1.00"]')).to_have_count(2)
            expect(board.get_by_text("anonymous")).to_be_visible()
        screenshot(presenter, "room-quiz-presenter")
        screenshot(cy, "room-quiz-follower-es")

        # A new question: the followers' buttons come back, the last result goes.
        button(presenter, "Ask the room").click()
        wait_idle(presenter)
        for page, label in ((ana, "Up"), (bo, "Up"), (cy, "Sube")):
            expect(button(page, label)).to_be_visible()
            expect(page.locator("[data-result]")).to_have_count(0)
        expect(presenter.get_by_text("Answers: 0")).to_be_visible()
        for page in (presenter, *everyone):
            assert_no_traceback(page)
    finally:
        for page in everyone:
            page.context.close()


def test_followers_follow_the_presenters_lesson_chapter(browser, open_page):
    presenter = open_page()
    link = start_room(presenter)
    follower = open_follower(browser, link, "&lang=es")
    try:
        button(presenter, "Guided lesson").click()
        wait_idle(presenter)
        expect(follower.locator(".st-key-room_chapter")).to_contain_text("Capítulo 1 de")
        button(presenter, "Next").click()
        wait_idle(presenter)
        expect(follower.locator(".st-key-room_chapter")).to_contain_text("Capítulo 2 de")
        # The chapter's own question, asked of the room.
        pick = presenter.get_by_role("combobox", name="Question")
        expect(pick).to_have_value("The lesson chapter's question")  # first in a lesson
        button(presenter, "Ask the room").click()
        wait_idle(presenter)
        expect(follower.locator(".st-key-room_quiz")).to_be_visible()
        assert_no_traceback(follower)
    finally:
        follower.context.close()
