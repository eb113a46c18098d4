"""Per-session state and the callbacks that change it. Nothing here is shared between sessions."""

from __future__ import annotations

import streamlit as st

from linreg import data
from linreg.dashboard.live import LiveSession
from linreg.dashboard.settings import Settings, from_query
from linreg.dashboard.workbench import Notice, Place, Workbench
from linreg.errors import LinregError


def workbench() -> Workbench:
    """This session's workbench, created once from the URL's settings."""
    if "workbench" not in st.session_state:
        settings, ignored = from_query(st.query_params.to_dict())
        wb = Workbench(settings)
        if ignored:
            names = ", ".join(f"{name}={value}" for name, value in ignored)
            wb.notice = Notice("notice.ignored_params", {"params": names})
        st.session_state.workbench = wb
        # The live views' side of this session: answers the component's events.
        st.session_state.live = LiveSession(wb)
        st.session_state.widget_version = 0
        st.session_state.upload_version = 0
    return st.session_state.workbench


def adopt(wb: Workbench) -> None:
    """Make ``wb`` this session's workbench (e.g. a room's run taken over), with fresh views."""
    st.session_state.workbench = wb
    st.session_state.live = LiveSession(wb)
    st.session_state.widget_version = st.session_state.get("widget_version", 0) + 1
    st.session_state.upload_version = st.session_state.get("upload_version", 0)


def live() -> LiveSession:
    """This session's live views (see ``linreg.page.component``)."""
    workbench()
    return st.session_state.live


def sync_url(settings: Settings) -> None:
    """Mirror the settings in the URL so that a link reproduces them."""
    query = settings.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


@st.cache_data(max_entries=4, ttl=3600, show_spinner=False)
def parse_upload(content: bytes):
    """The uploaded bytes parsed once per distinct content (every caller gets its own copy).

    A room often uploads the same file: it is parsed once. At most four files, each for an
    hour, so big uploads do not pile up in the server's memory.
    """
    return data.read_table(content)


# -- callbacks ---------------------------------------------------------------------------------
def on_source(key: str) -> None:
    choice = st.session_state[key]
    wb = workbench()
    if choice == "upload":
        wb.expect_upload()
        on_upload(upload_key())
    else:
        wb.load_sample(choice)
        bump_widgets()


def on_upload(key: str) -> None:
    upload = st.session_state.get(key)
    if upload is None:
        return
    wb = workbench()
    try:
        table = parse_upload(upload.getvalue())
    except LinregError as error:
        wb.report(Place.UPLOAD, error)
        return
    if wb.load_table(table.frame, upload.name, table.conversions):
        bump_widgets()
        # A new, empty uploader: the old one would hand the whole file to every later rerun.
        st.session_state.upload_version += 1


def upload_key() -> str:
    return f"upload_file_{st.session_state.upload_version}"


def on_setting(name: str, key: str, convert=lambda value: value) -> None:
    wb = workbench()
    wb.update(**{name: convert(st.session_state[key])})
    if name in ("lr", "lang"):
        bump_widgets()


def on_roles(inputs_key: str, targets_key: str) -> None:
    workbench().set_roles(tuple(st.session_state[inputs_key]), tuple(st.session_state[targets_key]))


def on_drop(key: str) -> None:
    workbench().set_drop_missing(bool(st.session_state[key]))


def bump_widgets() -> None:
    """Recreate widgets whose shown value the program changed (their keys carry this version)."""
    st.session_state.widget_version += 1
