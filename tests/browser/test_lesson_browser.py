"""The guided lesson in Chromium: a chapter's question answered, then revealed on the learner's
own run; the result element and the live views agree with the engine's own numbers."""

from __future__ import annotations

import re

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
from playwright.sync_api import expect

from linreg import TrainConfig

pytestmark = pytest.mark.browser


def test_a_chapter_question_answered_then_revealed(open_page):
    page = open_page("?lesson=3")
    expect(page.get_by_role("heading", name="Chapter 3 of 9")).to_be_visible()
    expect(button(page, "Back")).to_be_enabled()
    expect(page.locator("[data-result]")).to_have_count(0)
    expect(button(page, "Reveal")).to_be_disabled()  # answer first
    button(page, "Up").click()
    wait_idle(page)
    expect(page.get_by_text("Your answer: Up")).to_be_visible()
    button(page, "Reveal").click()
    # at the seed's rate from the random start the loss goes down: "Up" was wrong
    expect(page.locator('[data-result="wrong"]')).to_contain_text("Not this time: the loss went")
    expect(readout(page, "epoch")).to_have_text("1")
    losses = engine_losses(*sample(), TrainConfig(), 1)  # the loss after epochs 0 and 1
    expect(page.locator("[data-result]")).to_contain_text(f"from {losses[0]} to {losses[1]}")
    expect(readout(page, "loss")).to_have_text(losses[1])
    wait_idle(page)
    assert_no_traceback(page)
    screenshot(page, "lesson_reveal")

    button(page, "Next").click()  # chapter 4: gradients, Inside one step brought to the front
    expect(page.get_by_role("heading", name="Chapter 4 of 9")).to_be_visible()
    expect(page.get_by_role("tab", name="Inside one step")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page).to_have_url(re.compile(r"[?&]lesson=4\b"))


def test_spanish_lesson_right_answer(open_page):
    page = open_page("?lesson=1&lang=es")
    expect(page.get_by_role("heading", name="Capítulo 1 de 9")).to_be_visible()
    expect(button(page, "Anterior")).to_be_disabled()
    button(page, "Baja").click()
    wait_idle(page)
    button(page, "Revelar").click()
    expect(page.locator('[data-result="right"]')).to_contain_text("Acertaste: la pérdida bajó")
    expect(readout(page, "epoch")).to_have_text("1")
    button(page, "Siguiente").click()
    expect(page.get_by_role("heading", name="Capítulo 2 de 9")).to_be_visible()
    assert_no_traceback(page)
