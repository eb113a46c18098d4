"""The live room on the page: the presenter's section and board, a follower's read-only page,
"Make it mine". The room itself (stores, frames, forks) is ``linreg.dashboard.room_session``.

Per session (``st.session_state``): ``room_presenter`` (Presenter, the session that started a
room and holds its secret), ``room_follower`` (a follower: its live views come by the room's stream,
``linreg.page.stream``), ``room_reporter`` (ForkReporter, after "Make it mine"),
``room_lang`` (a follower's language), ``room_error`` (a LinregError to show once).

A challenge (issue 18): the presenter sets it in the room's section (``challenge_setup_ui``)
and ranks and verifies the entries on the board (``_ranking_part``); a follower's page says the
target and the limit; an attendee who made the run theirs plays it (``challenge_ui``).
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from linreg.dashboard.challenge import (
    DEFAULT_MAX_EPOCHS,
    DEFAULT_TARGET_FACTOR,
    MAX_EPOCHS,
    Entry,
    default_target,
)
from linreg.dashboard.live_message import LivePayload
from linreg.dashboard.room import entry_id, qr_png, rooms_from_env
from linreg.dashboard.room_session import (
    Follower,
    ForkReporter,
    Presenter,
    config_options,
    make_it_mine,
)
from linreg.dashboard.texts import LANGUAGES, t
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError
from linreg.formatting import number
from linreg.page import quiz, session
from linreg.page.component import room_views
from linreg.page.text import plain

FOLLOWERS_SECONDS = 2.0  # the presenter's count of followers is refreshed this often
BOARD_SECONDS = 2.0  # the presenter's board likewise
CHALLENGE_SECONDS = 3.0  # an attendee's page looks for a new (or ended) challenge this often
DEFAULT_BASE_URL = "http://localhost:8501/"


def rooms():
    return rooms_from_env()


def _client() -> str:
    """Who asks, for the rate limit of failed lookups: the address, else this session."""
    address = st.context.ip_address
    if address:
        return f"ip:{address}"
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id if ctx is not None else 'unknown'}"


def _base_url() -> str:
    return st.context.url or DEFAULT_BASE_URL


@functools.lru_cache(maxsize=16)
def _qr(link: str) -> bytes:
    return qr_png(link)


def error_ui(lang: str) -> None:
    error = st.session_state.pop("room_error", None)
    if error is not None:
        st.error(plain(error.message(lang)), icon=":material/error:")


# -- the presenter -------------------------------------------------------------------------------
def presenter_ui(wb: Workbench, lang: str) -> None:
    """The sidebar's room section: start a room, or the running room's link, code, QR, count."""
    st.header(t("room.header", lang))
    presenter: Presenter | None = st.session_state.get("room_presenter")
    if presenter is not None and presenter.ended:
        if presenter.error is not None:
            st.error(plain(presenter.error.message(lang)), icon=":material/error:")
        del st.session_state["room_presenter"]
        presenter = None
    if presenter is None:
        st.button(t("room.start", lang), on_click=_start, args=(wb,), key="room_start")
        st.caption(t("room.start_help", lang))
        if "room_follower" not in st.session_state:
            join_ui(lang)
        return
    link = presenter.link(_base_url())
    st.caption(t("room.code", lang))
    st.html(f'<div class="linreg-room-code" style="{CODE_STYLE}">{presenter.code}</div>')
    st.caption(t("room.link", lang))
    st.code(link, language=None, wrap_lines=True)
    st.image(_qr(link), width="stretch", caption=t("room.qr", lang), alt=t("room.qr_alt", lang))
    st.button(t("room.show_big", lang), on_click=_big_qr, args=(link, presenter.code, lang))
    _followers_ui(presenter, lang)
    challenge_setup_ui(presenter, wb, lang)
    st.button(t("room.end", lang), on_click=_end, key="room_end", type="primary")


CODE_STYLE = (
    "font-size:2.4rem;font-weight:700;letter-spacing:0.12em;font-family:'Source Code Pro',"
    "monospace;text-align:center;padding:0.2rem 0"
)


@st.fragment(run_every=FOLLOWERS_SECONDS)
def _followers_ui(presenter: Presenter, lang: str) -> None:
    count = presenter.followers()
    st.markdown(
        f'<span data-room="followers">{t("room.followers", lang, count=count)}</span>',
        unsafe_allow_html=True,
    )


@st.dialog(" ", width="large")
def _big_qr(link: str, code: str, lang: str) -> None:
    st.html(f'<div class="linreg-room-code" style="{CODE_STYLE};font-size:4rem">{code}</div>')
    st.image(_qr(link), width=640, alt=t("room.qr_alt", lang))
    st.code(link, language=None, wrap_lines=True)


def _start(wb: Workbench) -> None:
    try:
        st.session_state.room_presenter = Presenter.start(rooms(), wb, session.live().message)
    except LinregError as error:
        st.session_state.room_error = error


def _end() -> None:
    presenter = st.session_state.pop("room_presenter", None)
    if presenter is not None:
        try:
            presenter.end()
        except LinregError as error:
            st.session_state.room_error = error


# -- the presenter's challenge ----------------------------------------------------------------
def challenge_setup_ui(presenter: Presenter, wb: Workbench, lang: str) -> None:
    """Start a challenge on the data as they are (a target loss, an epoch limit), or the one
    on and its end."""
    st.subheader(t("challenge.header", lang))
    if presenter.challenge is not None:
        challenge_info_ui(presenter.challenge_description, lang)
        st.button(
            t("challenge.end", lang),
            on_click=_end_challenge,
            args=(presenter,),
            key="challenge_end",
        )
        return
    optimum = wb.reference.loss
    start = float(np.mean(np.square(wb.dataset.targets)))  # the loss of zero weights
    names = "|".join((*wb.dataset.input_names, "→", *wb.dataset.target_names))
    target_key = f"challenge_target_{wb.table_version}_{names}"  # new data: a new default
    st.number_input(
        t("challenge.target", lang),
        min_value=0.0,
        value=default_target(optimum, start),
        format="%g",
        key=target_key,
        help=t(
            "challenge.target_help", lang, factor=DEFAULT_TARGET_FACTOR, optimum=number(optimum)
        ),
    )
    st.number_input(
        t("challenge.limit", lang),
        min_value=1,
        max_value=MAX_EPOCHS,
        value=DEFAULT_MAX_EPOCHS,
        step=100,
        key="challenge_limit",
    )
    st.button(
        t("challenge.start", lang),
        on_click=_start_challenge,
        args=(presenter, wb, target_key),
        key="challenge_start",
    )


def _start_challenge(presenter: Presenter, wb: Workbench, target_key: str) -> None:
    target = st.session_state.get(target_key)
    limit = st.session_state.get("challenge_limit")
    try:
        presenter.set_challenge(wb, target, limit)
    except LinregError as error:
        st.session_state.room_error = error


def _end_challenge(presenter: Presenter) -> None:
    presenter.end_challenge()


def challenge_info_ui(challenge: Mapping | None, lang: str) -> None:
    """The challenge's target and limit, as everyone in the room reads them."""
    if not challenge:
        return
    target, limit = float(challenge["target_loss"]), int(challenge["max_epochs"])
    text = t("challenge.on", lang, target=number(target), limit=f"{limit:,}")
    st.html(
        f'<div class="linreg-challenge" data-challenge-target="{target!r}" '
        f'data-challenge-limit="{limit}"><b>{html.escape(t("challenge.header", lang))}</b>: '
        f"{html.escape(text)}</div>"
    )


def _ranking_ui(presenter: Presenter, lang: str) -> None:
    if presenter.challenge is not None:
        _ranking_part(presenter, lang)


@st.fragment(run_every=BOARD_SECONDS)
def _ranking_part(presenter: Presenter, lang: str) -> None:
    """The challenge's entries ranked: epochs to the target, the loss reached, verified or not;
    Verify re-runs an entry's settings here."""
    if presenter.challenge is None:
        return
    challenge_info_ui(presenter.challenge_description, lang)
    ranking = presenter.ranking()
    if not ranking:
        st.caption(t("challenge.empty", lang))
        return
    head = "".join(
        f"<th>{html.escape(t(key, lang))}</th>"
        for key in (
            "quiz.col_rank",
            "room.col_name",
            "room.col_lr",
            "room.col_options",
            "challenge.col_epochs",
            "challenge.col_loss",
            "challenge.col_verified",
        )
    )
    rows, ids = [], {}
    for rank, entry in ranking:
        public = entry_id(presenter.code, entry.follower)
        ids[public] = (rank, entry)
        verified = presenter.verified(entry)
        state = "" if verified is None else ("yes" if verified else "no")
        said = t(f"challenge.verified.{state or 'none'}", lang)
        epochs = "" if entry.epochs is None else str(entry.epochs)
        cells = (
            str(rank),
            entry.nickname or t("room.anonymous", lang),
            f"{entry.config.learning_rate:g}",
            _options_text(config_options(entry.config)),
            f"{entry.epochs:,}" if entry.epochs is not None else t("challenge.never", lang),
            number(entry.loss) if math.isfinite(entry.loss) else "–",
            said,
        )
        rows.append(
            f'<tr data-entry="{public}" data-rank="{rank}" data-epochs="{epochs}" '
            f'data-verified="{state}">' + "".join(f"<td>{html.escape(c)}</td>" for c in cells)
        )
    st.html(
        f'<table class="linreg-scores" data-board="challenge"><tr>{head}</tr>'
        f"{''.join(rows)}</table>"
    )
    # The picked entry is kept by its label while the ranks move: a label without the rank.
    labels: dict[str, str] = {}
    for public, (_, entry) in ids.items():
        label = _entry_label(entry, lang)
        same = sum(1 for other in labels.values() if other.split(" (#")[0] == label)
        labels[public] = f"{label} (#{same + 1})" if same else label
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="bottom")
    pick = left.selectbox(
        t("challenge.pick", lang), list(ids), format_func=labels.get, key="challenge_pick"
    )
    middle.button(
        t("challenge.verify", lang),
        on_click=_verify,
        args=(presenter, [ids[pick][1]]),
        help=t("challenge.verify_help", lang),
        key="challenge_verify",
    )
    right.button(
        t("challenge.verify_all", lang),
        on_click=_verify,
        args=(presenter, [entry for _, entry in ranking]),
        key="challenge_verify_all",
    )


def _entry_label(entry: Entry, lang: str) -> str:
    epochs = (
        t("challenge.never", lang)
        if entry.epochs is None
        else t("challenge.epochs", lang, epochs=f"{entry.epochs:,}")
    )
    return t(
        "challenge.entry",
        lang,
        name=entry.nickname or t("room.anonymous", lang),
        lr=f"{entry.config.learning_rate:g}",
        epochs=epochs,
    )


def _verify(presenter: Presenter, entries: list[Entry]) -> None:
    try:
        for entry in entries:
            presenter.verify(entry)
    except LinregError as error:
        st.session_state.room_error = error


def publisher(wb: Workbench) -> Callable[[LivePayload], None] | None:
    """What to do with each payload of this session's live views: publish it to the room it
    presents, report its own run to the room it forked from; None if neither."""
    presenter: Presenter | None = st.session_state.get("room_presenter")
    reporter: ForkReporter | None = st.session_state.get("room_reporter")
    if presenter is None and reporter is None:
        return None

    def on_payload(payload: LivePayload) -> None:
        if presenter is not None and not presenter.ended:
            presenter.publish(payload, wb)
        if reporter is not None and reporter.error is None:
            reporter.report(wb, force=payload.mode != "play")

    return on_payload


def quiz_ui(wb: Workbench, lang: str) -> None:
    """The presenter's Ask the room / Reveal, with the live tally (``linreg.page.quiz``)."""
    presenter: Presenter | None = st.session_state.get("room_presenter")
    if presenter is not None and not presenter.ended:
        quiz.presenter_ui(presenter, wb, lang)


def board_ui(lang: str) -> None:
    """The presenter's board: every run forked in the room, and the one shown to the room."""
    presenter: Presenter | None = st.session_state.get("room_presenter")
    if presenter is None or presenter.ended:
        return
    with st.expander(t("room.board", lang), expanded=True):
        _ranking_ui(presenter, lang)
        _board_part(presenter, lang)


@st.fragment(run_every=BOARD_SECONDS)
def _board_part(presenter: Presenter, lang: str) -> None:
    entries = presenter.board()
    if not entries:
        st.caption(t("room.board_empty", lang))
        return
    entries = sorted(entries, key=lambda e: e.entry_id)
    rows = []
    for entry in entries:
        s = entry.summary
        rows.append(
            {
                "name": s.nickname or t("room.anonymous", lang),
                "lr": s.learning_rate,
                "epoch": s.epoch,
                "loss": _finite(s.loss),
                "ratio": (
                    _finite(s.loss / s.optimum)
                    if s.optimum and math.isfinite(s.loss) and s.optimum > 0
                    else None
                ),
                "diverged": s.diverged,
                "curve": [_finite(v) for _, v in s.curve],
                "options": _options_text(s.options),
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(t("room.col_name", lang)),
            "lr": st.column_config.NumberColumn(t("room.col_lr", lang), format="%g"),
            "options": st.column_config.TextColumn(t("room.col_options", lang)),
            "epoch": st.column_config.NumberColumn(t("room.col_epoch", lang), format="%d"),
            "loss": st.column_config.NumberColumn(t("room.col_loss", lang), format="%.4g"),
            "ratio": st.column_config.NumberColumn(
                t("room.col_ratio", lang), format="%.3g×", help=t("room.col_ratio_help", lang)
            ),
            "diverged": st.column_config.CheckboxColumn(t("room.col_diverged", lang)),
            "curve": st.column_config.LineChartColumn(t("room.col_curve", lang)),
        },
        key="room_board_table",
    )
    ids = [e.entry_id for e in entries]
    names = {e.entry_id: _entry_name(e.summary.to_dict(), lang) for e in entries}
    shown = presenter.board_shown
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    choice = left.selectbox(t("room.pick", lang), ids, format_func=names.get, key="room_board_pick")
    with right:
        if shown is None:
            st.button(t("room.show", lang), on_click=_show_entry, args=(presenter, choice))
        else:
            st.button(t("room.unshow", lang), on_click=_show_entry, args=(presenter, None))
    shown_ui(shown, lang)


def _show_entry(presenter: Presenter, entry: str | None) -> None:
    presenter.show(entry)


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _options_text(options: Mapping) -> str:
    """A run's options, short: the engine (and optimizer), then only what is not the default."""
    parts = [str(options.get("engine", ""))]
    if options.get("optimizer"):
        parts.append(str(options["optimizer"]))
    if options.get("batch"):
        parts.append(f"batch {options['batch']}")
    if options.get("standardize"):
        parts.append("std x")
    if options.get("standardize_targets"):
        parts.append("std y")
    if options.get("init") and options.get("init") != "uniform":
        parts.append(str(options["init"]))
    if options.get("seed"):
        parts.append(f"seed {options['seed']}")
    known = {"engine", "optimizer", "batch", "standardize", "standardize_targets", "init", "seed"}
    parts += [f"{k}={v}" for k, v in options.items() if k not in known]
    return " · ".join(p for p in parts if p)


def _entry_name(summary: Mapping, lang: str) -> str:
    name = summary.get("nickname") or t("room.anonymous", lang)
    return t(
        "room.entry",
        lang,
        name=name,
        lr=f"{summary['learning_rate']:g}",
        epoch=f"{int(summary['epoch']):,}",
    )


def shown_ui(entry: Mapping | None, lang: str) -> None:
    """The board's run the presenter shows to the room (read-only), with its curve."""
    if not entry:
        return
    s = entry["summary"]
    with st.container(border=True):
        st.markdown(f"**{plain(t('room.showing', lang, name=_entry_name(s, lang)))}**")
        loss = s["loss"]
        status = t("room.diverged", lang) if s["diverged"] else t("room.converging", lang)
        st.caption(
            plain(
                t(
                    "room.shown_numbers",
                    lang,
                    loss=number(loss) if loss is not None else "–",
                    optimum=number(s["optimum"]) if s.get("optimum") is not None else "–",
                    options=_options_text(s["options"]),
                    status=status,
                )
            )
        )
        curve = pd.DataFrame(
            [(e, _finite(v)) for e, v in s["curve"]],
            columns=[t("room.col_epoch", lang), t("room.col_loss", lang)],
        ).set_index(t("room.col_epoch", lang))
        if len(curve):
            st.line_chart(curve, height=200)


# -- an attendee's challenge -------------------------------------------------------------------
def challenge_ui(wb: Workbench, lang: str) -> None:
    """An attendee who made the room's run theirs: the room's challenge, Play the challenge,
    and what their settings reached."""
    reporter: ForkReporter | None = st.session_state.get("room_reporter")
    if reporter is None:
        return
    challenge = reporter.challenge()
    _challenge_watch(reporter, challenge)
    if challenge is None:
        return
    with st.container(border=True, key="room_challenge"):
        challenge_info_ui(challenge, lang)
        entry = reporter.entry if reporter.entered == challenge["challenge"] else None
        if entry is not None:
            if entry.epochs is not None:
                said = t(
                    "challenge.reached", lang, epochs=f"{entry.epochs:,}", loss=number(entry.loss)
                )
            else:
                limit = f"{int(challenge['max_epochs']):,}"
                loss = number(entry.loss) if math.isfinite(entry.loss) else "–"
                said = t("challenge.not_reached", lang, limit=limit, loss=loss)
            epochs = "" if entry.epochs is None else entry.epochs
            st.html(
                f'<div class="linreg-result" data-challenge-epochs="{epochs}" role="status">'
                f"{html.escape(said)}</div>"
            )
        st.button(
            t("challenge.play", lang),
            on_click=_play_challenge,
            args=(wb, reporter, challenge),
            type="primary",
            help=t("challenge.play_help", lang),
            key="challenge_play",
        )


@st.fragment(run_every=CHALLENGE_SECONDS)
def _challenge_watch(reporter: ForkReporter, shown: Mapping | None) -> None:
    """Redraw the page once the room's challenge is not the one shown (set, ended, replaced)."""
    if reporter.challenge() != shown:
        st.rerun()


def _play_challenge(wb: Workbench, reporter: ForkReporter, challenge: Mapping) -> None:
    """The attendee's run, started again and trained up to the target or the limit; the
    live views then show it."""
    try:
        reporter.play(wb, challenge)
    except LinregError as error:
        st.session_state.room_error = error
    session.live().redraw()


# -- joining -----------------------------------------------------------------------------------
def join_ui(lang: str) -> None:
    """A small box to type a room's code."""
    with st.form("room_join", border=False, clear_on_submit=False):
        st.text_input(t("room.join_code", lang), key="room_join_code", max_chars=20)
        st.form_submit_button(t("room.join", lang), on_click=_join_typed, args=(lang,))


def _join_typed(lang: str) -> None:
    _join(str(st.session_state.get("room_join_code", "")), lang)


def _join(text: str, lang: str) -> bool:
    try:
        follower = Follower.join(rooms(), text, _client(), lang)
    except LinregError as error:
        st.session_state.room_error = error
        return False
    st.session_state.room_follower = follower
    st.session_state.room_lang = lang
    st.query_params.from_dict({"room": follower.code, "lang": lang})
    return True


# -- a follower's page ---------------------------------------------------------------------------
def follow_ui() -> bool:
    """The whole page of a session following a room (True), or False for the usual page (a
    session opened with a bad ``?room=`` code gets the usual page and the error)."""
    follower: Follower | None = st.session_state.get("room_follower")
    if follower is None:
        code = st.query_params.get("room")
        if code is None or "workbench" in st.session_state:
            return False
        lang = st.query_params.get("lang", "en")
        lang = lang if lang in LANGUAGES else "en"
        if not _join(code, lang):
            query = st.query_params.to_dict()
            query.pop("room", None)
            st.query_params.from_dict(query)
            return False
        follower = st.session_state.room_follower
    lang = st.session_state.room_lang
    with st.sidebar:
        st.selectbox(
            "Language / Idioma",
            list(LANGUAGES),
            index=list(LANGUAGES).index(lang),
            format_func=LANGUAGES.get,
            key="room_lang_select",
            on_change=_on_lang,
        )
        st.header(t("room.header", lang))
        st.markdown(plain(t("room.following", lang, code=follower.code)))
        st.caption(t("room.readonly", lang))
        st.text_input(
            t("room.nickname", lang),
            key="room_nickname",
            max_chars=32,
            help=t("room.nickname_help", lang),
        )
        st.button(t("room.mine", lang), on_click=_make_it_mine, type="primary", key="room_mine")
        st.caption(t("room.mine_help", lang))
        st.button(t("room.leave", lang), on_click=_leave, key="room_leave")
    st.title(t("app.title", lang))
    st.caption(t("app.subtitle", lang))
    error_ui(lang)
    _follow_part(follower, lang)
    return True


def _on_lang() -> None:
    lang = st.session_state.room_lang_select
    st.session_state.room_lang = lang
    st.query_params["lang"] = lang


@st.fragment
def _follow_part(follower: Follower, lang: str) -> None:
    """A follower's views: pushed by the room's stream into the browser; nothing reruns here
    per frame. The stream's note of a new context (settings, data, the shown run, a question,
    its reveal, the lesson's chapter) or of the room's end reruns this fragment once, to redraw
    what is beside the views."""
    follower.refresh(lang)
    _follower_context(follower, lang)
    if follower.ended:
        return
    quiz.chapter_ui(follower, lang)
    if follower.challenge:
        with st.container(border=True, key="room_challenge"):
            challenge_info_ui(follower.challenge, lang)
            st.caption(t("challenge.how", lang))
    quiz.follower_ui(follower, lang)
    room_views(
        f"room/{follower.code}/events?lang={lang}",
        follower.context,
        {
            "reconnecting": t("room.reconnecting", lang),
            "ended": t("room.stream_ended", lang),
        },
        key="room_live",
    )


def _follower_context(follower: Follower, lang: str) -> None:
    """The presenter's settings, table and shown run, as the room's frames brought them."""
    if follower.ended:
        error = follower.error or LinregError("room_ended", room=follower.code)
        st.error(plain(error.message(lang)), icon=":material/error:")
    shown_ui(follower.board_shown, lang)
    settings = follower.settings
    if settings is None:
        st.caption(t("room.waiting", lang))
        return
    engine = t(f"engine.{settings.engine}", lang)
    parts = [
        f"{t('side.engine', lang)}: {engine}",
        f"{t('side.learning_rate', lang)}: {settings.lr:g}",
        f"{t('side.batch', lang)}: {settings.batch}",
        f"{t('side.seed', lang)}: {settings.seed}",
        f"{t('side.inputs', lang)}: {', '.join(settings.inputs)}",
        f"{t('side.targets', lang)}: {', '.join(settings.targets)}",
    ]
    st.markdown(" · ".join(plain(p) for p in parts))
    table = follower.table
    if table is not None:
        label = t("room.data", lang, rows=follower.table_rows, columns=len(table.columns))
        with st.expander(label, expanded=len(table) <= 20):
            st.dataframe(table, hide_index=True, width="stretch")
            if follower.table_rows > len(table):
                st.caption(t("main.preview", lang, shown=len(table), rows=follower.table_rows))


def _make_it_mine() -> None:
    follower: Follower | None = st.session_state.get("room_follower")
    if follower is None:
        return
    lang = st.session_state.get("room_lang", "en")
    try:
        wb = make_it_mine(rooms(), follower.code, lang)
    except LinregError as error:
        st.session_state.room_error = error
        return
    nickname = str(st.session_state.get("room_nickname", "")).strip()
    reporter = ForkReporter(rooms(), follower.code, follower.follower_id, nickname)
    reporter.report(wb, force=True)
    _forget_follower()
    session.adopt(wb)
    st.session_state.room_reporter = reporter
    st.query_params.from_dict(wb.settings.to_query())


def _leave() -> None:
    _forget_follower()
    st.query_params.clear()


def _forget_follower() -> None:
    st.session_state.pop("room_follower", None)
