"""The guided lesson through AppTest, in English and in Spanish: every chapter opened with Next,
its question answered, the reveal performed on the learner's own run and judged against what
that run shows afterwards."""

from __future__ import annotations

import re

import pytest

from linreg.dashboard import lesson
from linreg.dashboard.texts import t
from tests.test_app import click, done, epoch, new_app, payload, unescape, widget
from tests.test_questions import observed


def chapter_heading(at) -> str:
    return unescape(at.subheader[0].value)


def button(at, key: str):
    return at.button(key=key)


def result(at) -> str | None:
    """ "right" or "wrong": the data-result of the element the reveal wrote, if any."""
    for element in at.markdown:
        found = re.search(r'data-result="(right|wrong)"', element.value)
        if found:
            return found.group(1)
    return None


def answer_and_reveal(at, lang: str):
    """Answer the chapter's question (its first choice, or the loss as it is now for a number),
    reveal, and return (the question, the guess, the epoch it was asked at, the page after)."""
    wb = at.session_state.workbench
    chapter = lesson.chapter(wb.settings.lesson)
    question = chapter.question_for(wb.dataset.target_names, wb.dataset.input_names)
    start = wb.trainer.epoch
    if question.choices:
        guess = question.choices[0]
        choice = button(at, f"lesson_choice_{guess}")
        if guess in ("up", "down"):
            assert choice.label == t(f"choice.{guess}", lang)
        done(choice.click().run())
    else:
        guess = wb.trainer.current_loss()
        done(at.number_input(key=f"lesson_number_{chapter.number}").set_value(guess).run())
    assert result(at) is None
    reveal = button(at, "lesson_reveal")
    assert reveal.label == t("lesson.reveal", lang) and not reveal.disabled
    done(reveal.click().run())
    return question, guess, start


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_lesson_walked_through(lang):
    at = new_app(lesson="1", lang=lang)
    count = len(lesson.CHAPTERS)
    for number in range(1, count + 1):
        chapter = lesson.chapter(number)
        heading = t("lesson.chapter", lang, number=number, count=count, title="")
        assert chapter_heading(at).startswith(heading.strip())
        assert chapter.text("title", lang) in chapter_heading(at)
        assert dict(at.query_params)["lesson"] == str(number)
        back, forward = button(at, "lesson_back"), button(at, "lesson_next")
        assert (back.label, forward.label) == (t("lesson.back", lang), t("lesson.next", lang))
        assert back.disabled == (number == 1) and forward.disabled == (number == count)
        wb = at.session_state.workbench
        if wb.trainer.diverged:  # chapter 7's reveal diverges at 0.001: reset as the page says
            assert button(at, "lesson_reveal").disabled
            done(widget(at.number_input, "lr_exact_").set_value(1e-5).run())
            click(at, "reset")
            assert not at.session_state.workbench.trainer.diverged
        question, guess, start = answer_and_reveal(at, lang)
        trainer = at.session_state.workbench.trainer
        truth = observed(question, trainer, start)  # what the run shows now
        expected = question.result(guess, _as_outcome(question, truth))
        assert result(at) == ("right" if expected.right else "wrong"), (number, guess, truth)
        assert epoch(at) == trainer.epoch > start or trainer.diverged  # the views moved on
        if number < count:
            done(button(at, "lesson_next").click().run())


def _as_outcome(question, answer):
    """An outcome carrying only ``answer`` (what ``Question.result`` compares with)."""
    from linreg.questions import Outcome

    return Outcome(answer, 0, 0, 0.0, 0.0, (), None)


def test_spanish_names_the_buttons_and_a_right_answer():
    at = new_app(lesson="3", lang="es")
    assert button(at, "lesson_choice_up").label == "Sube"
    assert button(at, "lesson_choice_down").label == "Baja"
    assert button(at, "lesson_reveal").disabled  # nothing answered yet
    done(button(at, "lesson_choice_down").click().run())
    done(button(at, "lesson_reveal").click().run())
    assert result(at) == "right"  # at 1e-5 from the random start the loss goes down
    text = next(e.value for e in at.markdown if "data-result" in e.value)
    assert "Acertaste: la pérdida bajó" in text
    assert epoch(at) == 1


def test_back_next_and_leaving_the_lesson():
    at = new_app()
    assert not at.subheader  # the free dashboard: no chapter
    done(button(at, "lesson_start").click().run())
    assert dict(at.query_params)["lesson"] == "1"
    done(button(at, "lesson_next").click().run())
    done(button(at, "lesson_next").click().run())
    assert dict(at.query_params)["lesson"] == "3"
    done(button(at, "lesson_back").click().run())
    assert dict(at.query_params)["lesson"] == "2"
    done(button(at, "lesson_leave").click().run())
    assert "lesson" not in dict(at.query_params) and not at.subheader


def test_a_chapter_brings_its_view_to_the_front():
    at = new_app(lesson="4")  # gradients: Inside one step
    assert at.session_state["view_tab"] == t("tab.step")
    done(button(at, "lesson_next").click().run())
    done(button(at, "lesson_next").click().run())  # chapter 6: the loss curve (live views)
    done(button(at, "lesson_next").click().run())
    done(button(at, "lesson_next").click().run())  # chapter 8: the code
    assert at.session_state["view_tab"] == t("tab.code")


def test_an_invalid_chapter_is_ignored_with_a_notice():
    at = new_app(lesson="42")
    assert not at.subheader
    assert any("lesson=42" in unescape(e.value) for e in at.info)


def test_a_question_the_data_cannot_answer_says_why():
    at = new_app(lesson="4", targets="apples")  # chapter 4 asks about the second target
    assert any("not 2" in unescape(e.value) for e in at.info)
    assert payload(at)["latest"] == 0
