"""The dashboard's layout: small ``*_ui()`` functions that turn widgets into calls on the workbench."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st
import torch

from linreg import data, trainer
from linreg.dashboard import live
from linreg.dashboard.settings import (
    DATA_SOURCES,
    LEARNING_RATE_RANGE,
    LEARNING_RATES,
    MAX_BATCH,
    MAX_SEED,
)
from linreg.dashboard.texts import LANGUAGES, t
from linreg.dashboard.workbench import Place, Workbench
from linreg.formatting import number
from linreg.page import lesson, room, session, views
from linreg.page.component import live_views
from linreg.page.session import workbench
from linreg.page.text import plain
from linreg.trainer import ENGINES, INITS, OPTIMIZERS

PAGE_CSS = Path(__file__).with_name("page.css")
PRESENT_CSS = Path(__file__).with_name("present.css")
EDIT_MAX_ROWS = 1000  # larger tables are shown as a read-only preview
PREVIEW_ROWS = 200

# One intra-op thread per computation: on a shared server each session's step runs in its own
# script thread, and more torch threads per step would only fight over the same cores.
torch.set_num_threads(int(os.environ.get("LINREG_TORCH_THREADS", "1")))
trainer.warm_up()


def main() -> None:
    st.set_page_config(page_title="linreg", page_icon="📉", layout="wide")
    st.html(PAGE_CSS)
    if room.follow_ui():  # a session following a room sees only the presenter's run
        return
    wb = workbench()
    lang = wb.settings.lang
    present = wb.settings.present
    if present:
        st.set_page_config(initial_sidebar_state="collapsed")
        st.html(PRESENT_CSS)
    with st.sidebar:
        language_ui(wb)
        present_ui(wb, lang)
        data_source_ui(wb, lang)
        roles_ui(wb, lang)
        training_ui(wb, lang)
        lesson.toggle_ui(wb, lang)
        room.presenter_ui(wb, lang)
    room.error_ui(lang)
    if present:  # the live views first; the lesson and the room's board under them, no table
        live_ui(wb)
        room.challenge_ui(wb, lang)
        room.quiz_ui(wb, lang)
        lesson.lesson_ui(wb, lang)
        room.board_ui(lang)
    else:
        st.title(t("app.title", lang))
        st.caption(t("app.subtitle", lang))
        room.challenge_ui(wb, lang)
        room.quiz_ui(wb, lang)
        room.board_ui(lang)
        lesson.lesson_ui(wb, lang)
        table_ui(wb, lang)
        live_ui(wb)
    session.sync_url(wb.settings)


# -- sidebar -----------------------------------------------------------------------------------
def language_ui(wb: Workbench) -> None:
    st.selectbox(
        "Language / Idioma",
        list(LANGUAGES),
        index=list(LANGUAGES).index(wb.settings.lang),
        format_func=LANGUAGES.get,
        key=f"lang_{st.session_state.widget_version}",
        on_change=session.on_setting,
        args=("lang", f"lang_{st.session_state.widget_version}"),
    )


def present_ui(wb: Workbench, lang: str) -> None:
    _setting(
        st.toggle,
        "present",
        t("side.present", lang),
        bool,
        value=wb.settings.present,
        help=t("side.present_help", lang),
    )


def data_source_ui(wb: Workbench, lang: str) -> None:
    st.header(t("side.data", lang))
    key = f"source_{st.session_state.widget_version}"
    st.radio(
        t("side.source", lang),
        DATA_SOURCES,
        index=DATA_SOURCES.index(wb.settings.data),
        format_func=lambda name: t(f"source.{name}", lang),
        key=key,
        on_change=session.on_source,
        args=(key,),
    )
    if wb.settings.data == "upload":
        st.file_uploader(
            t("side.upload", lang),
            type=["csv", "tsv", "txt"],
            key=session.upload_key(),
            on_change=session.on_upload,
            args=(session.upload_key(),),
            help=t("side.upload_help", lang, mb=data.MAX_BYTES // 2**20),
        )
        if wb.source_label not in data.SAMPLES:
            st.caption(plain(t("side.using_file", lang, name=wb.source_label)))
            for conversion in wb.conversions:
                st.caption(plain(conversion.message(lang)))
        else:
            st.caption(t("side.upload_waiting", lang))
    error_ui(wb, lang, Place.UPLOAD)
    error_ui(wb, lang, Place.DATA)


def roles_ui(wb: Workbench, lang: str) -> None:
    columns = data.numeric_columns(wb.table)
    version = f"{wb.table_version}_{st.session_state.widget_version}"
    inputs_key, targets_key = f"inputs_{version}", f"targets_{version}"
    st.multiselect(
        t("side.inputs", lang),
        columns,
        default=[c for c in wb.dataset.input_names if c in columns],
        key=inputs_key,
        on_change=session.on_roles,
        args=(inputs_key, targets_key),
    )
    st.multiselect(
        t("side.targets", lang),
        columns,
        default=[c for c in wb.dataset.target_names if c in columns],
        key=targets_key,
        on_change=session.on_roles,
        args=(inputs_key, targets_key),
    )
    error_ui(wb, lang, Place.ROLES)
    key = f"drop_{version}"
    st.checkbox(
        t("side.drop_missing", lang),
        value=wb.settings.drop,
        key=key,
        on_change=session.on_drop,
        args=(key,),
    )
    if wb.dataset.dropped_rows:
        st.caption(t("side.dropped", lang, count=len(wb.dataset.dropped_rows)))


def training_ui(wb: Workbench, lang: str) -> None:
    settings = wb.settings
    st.header(t("side.training", lang))
    _setting(
        st.radio,
        "engine",
        t("side.engine", lang),
        options=list(ENGINES),
        index=list(ENGINES).index(settings.engine),
        format_func=lambda e: t(f"engine.{e}", lang),
    )
    if settings.engine == "nn":
        _setting(
            st.selectbox,
            "opt",
            t("side.optimizer", lang),
            options=list(OPTIMIZERS),
            index=list(OPTIMIZERS).index(settings.opt),
            format_func=lambda o: t(f"opt.{o}", lang, **OPTIMIZERS[o].options),
        )
    _setting(
        st.select_slider,
        "lr",
        t("side.learning_rate", lang),
        key="lr_slider",
        options=sorted({*LEARNING_RATES, settings.lr}),
        value=settings.lr,
        format_func=lambda lr: f"{lr:g}",
        help=t("side.learning_rate_help", lang),
    )
    _setting(
        st.number_input,
        "lr",
        t("side.learning_rate_exact", lang),
        float,
        key="lr_exact",
        min_value=LEARNING_RATE_RANGE[0],
        max_value=LEARNING_RATE_RANGE[1],
        value=settings.lr,
        format="%g",
    )
    st.caption(
        t("side.stable_rate", lang, rate=number(wb.stable_learning_rate)),
        help=t("side.stable_rate_help", lang),
    )
    _setting(
        st.number_input,
        "batch",
        t("side.batch", lang),
        int,
        min_value=0,
        max_value=MAX_BATCH,
        value=settings.batch,
        step=1,
        help=t("side.batch_help", lang),
    )
    for name, label, explained in (
        ("std", t("side.standardize", lang), t("side.standardize_help", lang)),
        ("stdy", t("side.standardize_targets", lang), t("side.standardize_targets_help", lang)),
    ):
        _setting(st.checkbox, name, label, bool, value=getattr(settings, name), help=explained)
    _setting(
        st.selectbox,
        "init",
        t("side.init", lang),
        options=list(INITS),
        index=list(INITS).index(settings.init),
        format_func=lambda i: t(f"init.{i}", lang),
    )
    _setting(
        st.number_input,
        "seed",
        t("side.seed", lang),
        int,
        min_value=0,
        max_value=MAX_SEED,
        value=settings.seed,
        step=1,
    )
    error_ui(wb, lang, Place.SETTINGS)


def _setting(widget, name: str, label: str, convert=None, key: str = "", **options) -> None:
    """``widget`` bound to the setting ``name``: a change goes to the workbench (through
    ``convert``); its key carries the widget version, so a program change redraws it."""
    key = f"{key or name}_{st.session_state.widget_version}"
    args = (name, key) if convert is None else (name, key, convert)
    widget(label, key=key, on_change=session.on_setting, args=args, **options)


# -- main area ---------------------------------------------------------------------------------
def notice_ui(wb: Workbench, lang: str) -> None:
    if wb.notice is not None:
        text = t(wb.notice.key, lang, **_translated_params(wb.notice.params, lang))
        st.info(plain(text), icon=":material/info:")
        wb.notice = None


def _translated_params(params: dict, lang: str) -> dict:
    if "setting" in params:
        return {**params, "setting": t(f"setting.{params['setting']}", lang)}
    return params


def error_ui(wb: Workbench, lang: str, place: Place) -> None:
    error = wb.errors.get(place)
    if error is not None:
        st.error(plain(error.message(lang)), icon=":material/error:")


def _numbered(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its rows' labels (R's row names, pandas' index), or else numbered 1…N, as
    the error messages number them."""
    if _has_labels(table):
        return table
    return table.set_axis(pd.RangeIndex(1, len(table) + 1))


def _has_labels(table: pd.DataFrame) -> bool:
    return not isinstance(table.index, pd.RangeIndex)


def table_ui(wb: Workbench, lang: str) -> None:
    table = wb.table
    with st.expander(
        t("main.data", lang, rows=len(table), columns=len(table.columns)), expanded=len(table) <= 20
    ):
        if len(table) > EDIT_MAX_ROWS:
            preview = _numbered(table.head(PREVIEW_ROWS))
            st.dataframe(preview, hide_index=False, width="stretch", height=300)
            st.caption(t("main.preview", lang, shown=PREVIEW_ROWS, rows=len(table)))
            return
        key = f"editor_{wb.table_version}"
        base, seen = f"base_{key}", f"seen_{key}"
        if base not in st.session_state:
            # The editor always gets the table as it was loaded: it adds its own edits on top.
            # Fed back its own output, it would become a new widget and drop the next edit.
            stale = ("base_editor_", "seen_editor_")
            for old in [k for k in st.session_state if str(k).startswith(stale)]:
                del st.session_state[old]
            st.session_state[base] = st.session_state[seen] = _numbered(table)
        edited = st.data_editor(
            st.session_state[base], num_rows="dynamic", hide_index=False, width="stretch", key=key
        )
        if not edited.equals(st.session_state[seen]):
            st.session_state[seen] = edited
            wb.edit_table(edited if _has_labels(wb.table) else edited.reset_index(drop=True))
        error_ui(wb, lang, Place.EDIT)


def live_ui(wb: Workbench) -> None:
    """The live views (drawn in the browser) and the views that follow the epoch they show.

    A fragment: a click in the live views (Step, Run, Play's batches, Pause, Reset, a look
    back) reruns only this part. The component's callback answers the click first (see
    ``linreg.page.component``), so the notice, the warning and the tabs below show the run as
    the click left it.
    """

    @st.fragment
    def live_part() -> None:
        lang = wb.settings.lang
        notice_ui(wb, lang)
        views.diverged_ui(wb, lang)
        shown = session.live()
        live_views(shown, live.labels(t, lang), on_payload=room.publisher(wb))
        views.tabs_ui(wb, lang, shown.shown, playing=shown.playing)
        session.sync_url(wb.settings)

    live_part()
