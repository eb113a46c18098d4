"""Predict, then reveal in a room (issue 18): the presenter's Ask / Reveal and live tally, a
follower's question, answer buttons and own result, the board of scores.

The presenter's session holds the poll (``Presenter.ask`` / ``tally`` / ``reveal``); followers
answer through their own session into the room store (``Follower.answer``), so answers reach
the presenter whichever server replica a follower's session runs on. A follower's page redraws
this part when the room's stream brings a question or a reveal (they change the room's context
digest), never per answer; the presenter's tally refreshes every TALLY_SECONDS.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from linreg.dashboard import lesson as chapters
from linreg.dashboard.quiz import asks, choice_label, describe, question_of_kind
from linreg.dashboard.room.stream import sample_names
from linreg.dashboard.room_session import Follower, Presenter
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError
from linreg.formatting import number
from linreg.page.lesson import MAX_BUTTONS, perform, result_ui
from linreg.page.text import plain
from linreg.questions import KINDS, Result

TALLY_SECONDS = 0.5  # the presenter's tally is read again this often
NOTE = "room_quiz_note"  # a follower's answer the room refused: say why once


# -- the presenter ------------------------------------------------------------------------------
def presenter_ui(presenter: Presenter, wb: Workbench, lang: str) -> None:
    """Ask the room (the lesson chapter's question, or any kind), the tally, Reveal."""
    presenter.chapter(wb.settings.lesson or 0)
    with st.expander(t("quiz.header", lang), expanded=True):
        kinds = (["chapter"] if wb.settings.lesson else []) + list(KINDS)
        kind = st.selectbox(
            t("quiz.which", lang),
            kinds,
            format_func=lambda k: t(f"quiz.kind.{k}", lang),
            key=f"quiz_kind_{bool(wb.settings.lesson)}",  # in a lesson: its chapter's first
        )
        poll = presenter.poll
        ask, reveal = st.columns(2)
        ask.button(t("quiz.ask", lang), key="quiz_ask", on_click=_ask, args=(presenter, wb, kind))
        reveal.button(
            t("quiz.reveal", lang),
            key="quiz_reveal",
            on_click=_reveal,
            args=(presenter, wb),
            disabled=poll is None or poll.closed,
            help=t("quiz.reveal_help", lang),
            type="primary",
        )
        names = sample_names(wb.source_label, lang)  # asked before a change of language
        if poll is not None and poll.closed:
            _tally(presenter, lang, names)
        elif poll is not None:
            _live_tally(presenter, lang, names)


def _tally(presenter: Presenter, lang: str, names: Mapping[str, str]) -> None:
    """The question, its answers counted, and once revealed what happened and the scores."""
    poll = presenter.poll
    tally = presenter.tally()
    st.markdown(f"**{plain(asks(poll.question, lang, t, names))}**")
    st.caption(t("quiz.answers", lang, count=tally.total))
    if poll.question.choices:
        cells = "".join(
            f'<div class="linreg-tally"><span>{html.escape(choice_label(c, lang, t, names))}</span> '
            f'<b data-tally="{html.escape(c)}">{n}</b></div>'
            for c, n in tally.counts.items()
        )
        st.html(f'<div class="linreg-tallies">{cells}</div>')
    elif tally.total:
        edges = tally.edges
        labels = [f"{number(edges[i])} – {number(edges[i + 1])}" for i in range(len(tally.counts))]
        bars = pd.DataFrame({t("quiz.col_answers", lang): tally.counts}, index=labels)
        st.bar_chart(bars, height=200)
    if poll.closed:
        what = describe(poll.question, poll.outcome, lang, t, names)
        st.markdown(f"**{plain(what[:1].upper() + what[1:])}**")  # a sentence of its own
        scores_ui([row.to_dict() for row in presenter.scoreboard.rows()], lang)


def _ask(presenter: Presenter, wb: Workbench, kind: str) -> None:
    names = (tuple(wb.dataset.target_names), tuple(wb.dataset.input_names))
    try:
        if kind == "chapter":
            question = chapters.chapter(wb.settings.lesson).question_for(*names)
        else:
            question = question_of_kind(kind, *names)
    except LinregError as error:
        st.session_state.room_error = error
        return
    presenter.ask(question)


def _reveal(presenter: Presenter, wb: Workbench) -> None:
    """The answer by a dry run, the poll closed with it, then the Step or Run for real: the
    room sees it on its stream as usual."""
    poll = presenter.poll
    if poll is None or poll.closed:
        return
    try:
        with wb.lock:
            outcome = poll.question.answer(wb.trainer)
        presenter.reveal(outcome)
        perform(wb, poll.question)
    except LinregError as error:
        st.session_state.room_error = error


# Only while answers come in does the tally read the store again, on its own.
_live_tally = st.fragment(run_every=TALLY_SECONDS)(_tally)


# -- a follower ---------------------------------------------------------------------------------
def chapter_ui(follower: Follower, lang: str) -> None:
    """The presenter's lesson chapter, followed."""
    if not follower.chapter:
        return
    chapter = chapters.chapter(follower.chapter)
    with st.container(border=True, key="room_chapter"):
        st.subheader(
            t(
                "lesson.chapter",
                lang,
                number=chapter.number,
                count=len(chapters.CHAPTERS),
                title=plain(chapter.text("title", lang)),
            )
        )
        st.markdown(plain(chapter.text("text", lang)))


def follower_ui(follower: Follower, lang: str) -> None:
    """The room's question: answer buttons (changeable until the reveal), then the answer,
    this follower's own result and the scores. A sample's columns are named in the
    follower's language, whatever the presenter's."""
    question = follower.question
    if question is None:
        return
    names = sample_names(follower.source, lang)
    answer, result = follower.ballot()
    with st.container(border=True, key="room_quiz"):
        st.markdown(f"**{t('quiz.header', lang)}** — {plain(asks(question, lang, t, names))}")
        note = st.session_state.pop(NOTE, None)
        if note:
            st.warning(t(note, lang), icon=":material/lock:")
        if follower.revealed:
            outcome = follower.outcome
            if answer is None or result is None:
                what = describe(question, outcome, lang, t, names)
                st.markdown(
                    f'<div class="linreg-result" data-result="none" role="status">'
                    f"{html.escape(t('quiz.no_answer', lang, what=what))}</div>",
                    unsafe_allow_html=True,
                )
            else:
                judged = Result(bool(result["right"]), float(result["score"]))
                result_ui(lang, question, outcome, answer["choice"], judged, names)
            scores_ui(follower.poll.get("board", []), lang)
            return
        mine = None if answer is None else answer["choice"]
        choices = question.choices
        if choices and len(choices) <= MAX_BUTTONS:
            for column, choice in zip(st.columns(len(choices)), choices, strict=True):
                column.button(
                    choice_label(choice, lang, t, names),
                    key=f"room_choice_{choice}",
                    on_click=_answer,
                    args=(follower, choice),
                    type="primary" if mine == choice else "secondary",
                    width="stretch",
                )
        else:
            with st.form("room_answer", border=False):
                if choices:
                    st.selectbox(
                        t("quiz.your_guess", lang),
                        choices,
                        format_func=lambda c: choice_label(c, lang, t, names),
                        key="room_guess",
                    )
                else:
                    st.number_input(
                        t("quiz.your_guess", lang),
                        min_value=0.0,
                        value=None,
                        format="%g",
                        key="room_guess",
                    )
                st.form_submit_button(
                    t("quiz.send", lang), on_click=_answer_typed, args=(follower,)
                )
        if mine is not None:
            shown = choice_label(mine, lang, t, names) if choices else number(mine)
            st.caption(t("lesson.your_answer", lang, answer=plain(shown)))
        st.caption(t("quiz.waiting", lang))


def _answer(follower: Follower, choice: object) -> None:
    """Send the answer; a revealed poll refuses it (the page then shows the reveal)."""
    nickname = st.session_state.get("room_nickname", "")
    if choice is not None and not follower.answer(choice, nickname):
        follower.refresh()
        if follower.revealed:
            st.session_state[NOTE] = "quiz.closed"


def _answer_typed(follower: Follower) -> None:
    _answer(follower, st.session_state.get("room_guess"))


def scores_ui(rows: Sequence[Mapping], lang: str) -> None:
    """The board of scores per nickname (escaped; "anonymous" for none)."""
    if not rows:
        return
    head = (
        f"<tr><th>{t('quiz.col_rank', lang)}</th><th>{t('room.col_name', lang)}</th>"
        f"<th>{t('quiz.col_score', lang)}</th><th>{t('quiz.col_right', lang)}</th></tr>"
    )
    body = "".join(
        f'<tr data-score="{row["score"]:.2f}"><td>{int(row["rank"])}</td>'
        f"<td>{html.escape(row['nickname'] or t('room.anonymous', lang))}</td>"
        f"<td>{row['score']:.2f}</td><td>{int(row['right'])}/{int(row['answered'])}</td></tr>"
        for row in rows
    )
    st.markdown(f"**{t('quiz.scores', lang)}**")
    st.html(f'<table class="linreg-scores" data-board="scores">{head}{body}</table>')
