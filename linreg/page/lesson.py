"""The guided lesson on the page (issue 18): the chapter, its question, the reveal.

Alone, the learner answers the chapter's question; Reveal then asks the engine for the answer
(a dry run from the run's exact state, ``linreg.questions``), performs the Step or the Run on
the learner's own run, and says whether the answer was right (an element with
``data-result="right"`` or ``"wrong"``).
"""

from __future__ import annotations

import html

import streamlit as st

from linreg.dashboard import lesson
from linreg.dashboard.quiz import choice_label, describe
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError
from linreg.formatting import number
from linreg.page import session
from linreg.page.session import workbench
from linreg.page.text import plain
from linreg.questions import Question, Result

STATE = "lesson_state"  # {"chapter", "guess", "revealed": (question, outcome, guess), "error"}
FRONT = "lesson_front"  # the chapter whose view was last brought to the front
TABS_KEY = "view_tab"  # the server-drawn views' tabs (linreg.page.views.tabs_ui)
MAX_BUTTONS = 8  # more choices than this (a wide table's weights): a select box


def toggle_ui(wb: Workbench, lang: str) -> None:
    """The sidebar's way into the lesson, and out of it."""
    if wb.settings.lesson:
        st.button(t("lesson.leave", lang), key="lesson_leave", on_click=go_to, args=(0,))
    else:
        st.button(
            t("lesson.start", lang),
            key="lesson_start",
            on_click=go_to,
            args=(1,),
            help=t("lesson.start_help", lang),
        )


def go_to(number: int) -> None:
    """Open chapter ``number`` (0: leave the lesson) and bring its view to the front."""
    wb = workbench()
    wb.update(lesson=number)
    st.session_state[STATE] = {"chapter": number}
    if number:
        _bring_to_front(lesson.chapter(number), wb.settings.lang)


def _bring_to_front(chapter: lesson.Chapter, lang: str) -> None:
    if chapter.view in lesson.TAB_VIEWS:
        st.session_state[TABS_KEY] = t(f"tab.{chapter.view}", lang)
    st.session_state[FRONT] = chapter.number


def _state(number: int) -> dict:
    state = st.session_state.get(STATE)
    if state is None or state.get("chapter") != number:
        state = st.session_state[STATE] = {"chapter": number}
    return state


def lesson_ui(wb: Workbench, lang: str) -> None:
    """The chapter of ``?lesson=N``: its words, the view it is about, one thing to do, its
    question, Back and Next. Nothing without a lesson."""
    number = wb.settings.lesson
    if not number:
        return
    chapter = lesson.chapter(number)
    if st.session_state.get(FRONT) != number:  # opened by a link
        _bring_to_front(chapter, lang)
    count = len(lesson.CHAPTERS)
    with st.container(border=True, key="lesson"):
        st.subheader(
            t(
                "lesson.chapter",
                lang,
                number=number,
                count=count,
                title=plain(chapter.text("title", lang)),
            )
        )
        st.markdown(plain(chapter.text("text", lang)))
        st.markdown(t("lesson.look", lang, view=t(f"lesson.view.{chapter.view}", lang)))
        st.markdown(t("lesson.do", lang, do=plain(chapter.text("do", lang))))
        question_ui(wb, lang, chapter)
        back, _, forward = st.columns([1, 4, 1])
        back.button(
            t("lesson.back", lang),
            key="lesson_back",
            on_click=go_to,
            args=(number - 1,),
            disabled=number == 1,
            width="stretch",
        )
        forward.button(
            t("lesson.next", lang),
            key="lesson_next",
            on_click=go_to,
            args=(number + 1,),
            disabled=number == count,
            width="stretch",
        )


def question_ui(wb: Workbench, lang: str, chapter: lesson.Chapter) -> None:
    """The chapter's question: answer buttons (or a number), Reveal, and the result."""
    state = _state(chapter.number)
    st.markdown(f"**{t('lesson.predict', lang)}** — {plain(chapter.text('ask', lang))}")
    try:
        question = chapter.question_for(wb.dataset.target_names, wb.dataset.input_names)
    except LinregError as error:
        st.info(plain(error.message(lang)), icon=":material/info:")
        return
    guess = state.get("guess")
    choices = question.choices
    if choices and len(choices) <= MAX_BUTTONS:
        for column, choice in zip(st.columns(len(choices)), choices, strict=True):
            column.button(
                choice_label(choice, lang, t),
                key=f"lesson_choice_{choice}",
                on_click=_choose,
                args=(chapter.number, choice),
                type="primary" if guess == choice else "secondary",
                width="stretch",
            )
    elif choices:
        key = f"lesson_pick_{chapter.number}"
        st.selectbox(
            t("lesson.guess", lang),
            choices,
            index=None,
            key=key,
            on_change=_choose_from,
            args=(chapter.number, key),
        )
    else:
        key = f"lesson_number_{chapter.number}"
        st.number_input(
            t("lesson.guess", lang),
            min_value=0.0,
            value=None,
            format="%g",
            key=key,
            on_change=_choose_from,
            args=(chapter.number, key),
        )
    if guess is not None:
        answer = choice_label(guess, lang, t) if choices else number(guess)
        st.caption(t("lesson.your_answer", lang, answer=plain(answer)))
    st.button(
        t("lesson.reveal", lang),
        key="lesson_reveal",
        on_click=_reveal,
        args=(chapter.number,),
        disabled=guess is None or wb.trainer.diverged,
        help=t("lesson.reveal_help", lang, epochs=question.action.epochs),
    )
    if state.get("error") is not None:
        st.error(plain(state["error"].message(lang)), icon=":material/error:")
    if state.get("revealed") is not None:
        result_ui(lang, *state["revealed"])


def result_ui(
    lang: str, question, outcome, guess, result: Result | None = None, names=None
) -> None:
    """Right or wrong, and what happened: an element with ``data-result`` for tests and styles.
    ``result``: as judged elsewhere (a room's reveal), else judged here; ``names``: the
    columns' names in the reader's words, if the question has others (``choice_label``)."""
    result = result or question.result(guess, outcome)
    what = describe(question, outcome, lang, t, names)
    text = t("result.right" if result.right else "result.wrong", lang, what=what)
    if not question.choices:
        text += " " + t("result.score", lang, guess=number(guess), score=f"{result.score:.2f}")
    verdict = "right" if result.right else "wrong"
    st.markdown(
        f'<div class="linreg-result" data-result="{verdict}" role="status">'
        f"{'✓' if result.right else '✗'} {html.escape(text)}</div>",
        unsafe_allow_html=True,
    )


# -- callbacks ---------------------------------------------------------------------------------
def _choose(number: int, choice) -> None:
    state = _state(number)
    state.update(guess=choice, revealed=None, error=None)


def _choose_from(number: int, key: str) -> None:
    value = st.session_state.get(key)
    if value is not None:
        _choose(number, value)


def perform(wb: Workbench, question: Question) -> None:
    """A reveal's Step or Run on ``wb``'s real run (at the question's learning rate, if it
    names one); the live views show it at the next rerun."""
    action = question.action
    with wb.lock:
        if action.learning_rate is not None and action.learning_rate != wb.settings.lr:
            wb.update(lr=action.learning_rate)
            session.bump_widgets()
        wb.run(action.epochs)
    session.live().redraw()


def _reveal(number: int) -> None:
    """Answer the question by a dry run, then perform its Step or Run on the real run."""
    wb = workbench()
    state = _state(number)
    guess = state.get("guess")
    if guess is None:
        return
    chapter = lesson.chapter(number)
    try:
        question = chapter.question_for(wb.dataset.target_names, wb.dataset.input_names)
        with wb.lock:
            outcome = question.answer(wb.trainer)
            perform(wb, question)
    except LinregError as error:
        state.update(error=error)
        return
    state.update(guess=None, revealed=(question, outcome, guess), error=None)
