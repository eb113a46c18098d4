"""Per-session state and the callbacks that change it. Nothing here is shared between sessions."""

from __future__ import annotations

import time

import streamlit as st

from linreg import data
from linreg.dashboard.settings import Settings, from_query
from linreg.dashboard.workbench import Notice, Place, Workbench
from linreg.errors import LinregError

FRAME_SECONDS = 0.15  # least training time per animation frame during Run
MAX_FRAME_SECONDS = 1.0  # most: the curve still moves at least about once a second


def workbench() -> Workbench:
    """This session's workbench, created once from the URL's settings."""
    if "workbench" not in st.session_state:
        settings, ignored = from_query(st.query_params.to_dict())
        wb = Workbench(settings)
        if ignored:
            names = ", ".join(f"{name}={value}" for name, value in ignored)
            wb.notice = Notice("notice.ignored_params", {"params": names})
        st.session_state.workbench = wb
        st.session_state.playing = False
        st.session_state.remaining = 0  # epochs left in a Run
        st.session_state.generation = 0  # grows with every Play, Pause, Run and stop
        st.session_state.widget_version = 0
        st.session_state.upload_version = 0
    return st.session_state.workbench


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
    stop()
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
    stop()
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
    stop()
    workbench().set_roles(tuple(st.session_state[inputs_key]), tuple(st.session_state[targets_key]))


def on_drop(key: str) -> None:
    workbench().set_drop_missing(bool(st.session_state[key]))


def bump_widgets() -> None:
    """Recreate widgets whose shown value the program changed (their keys carry this version)."""
    st.session_state.widget_version += 1


# The animation timer (run_every) is set when the page is drawn in full. Play and Pause live
# outside the fragment, so their clicks rerun the whole page anyway. Step, Run and Reset live in
# the fragment: when they start or stop an animation they end with st.rerun(), which from a
# callback makes that click's own rerun a full-app one, so the timer and which of Play/Pause is
# enabled change together. (A rerun asked for later, from the script, left a moment where a
# click was lost.)


def on_step() -> None:
    was_animating = animating()
    stop()
    workbench().step()
    if was_animating:
        st.rerun()


def on_run(key: str) -> None:
    _next_generation()
    st.session_state.playing = False
    st.session_state.remaining = int(st.session_state[key])
    st.rerun()


# Play and Pause are two actions, not one toggle: Streamlit may deliver one click twice (the
# browser sends a pending click with a timer tick and again on its own), and a toggle would
# undo itself.
def on_play() -> None:
    _next_generation()
    st.session_state.remaining = 0
    st.session_state.playing = True


def on_pause() -> None:
    stop()


def on_reset() -> None:
    was_animating = animating()
    stop()
    workbench().reset()
    if was_animating:
        st.rerun()


def on_clear_runs() -> None:
    workbench().clear_runs()


def stop() -> None:
    _next_generation()
    st.session_state.playing = False
    st.session_state.remaining = 0


def _next_generation() -> None:
    st.session_state.generation = st.session_state.get("generation", 0) + 1


def animating() -> bool:
    return bool(st.session_state.playing or st.session_state.remaining)


def advance() -> None:
    """One animation frame: Play runs ``speed`` epochs, Run as many as fit in ``frame_budget``.

    A frame started before a Pause, Step or new Run (another generation) changes nothing:
    with fast reruns, a click starts a new script run while this one may still be finishing.
    """
    wb = workbench()
    generation = st.session_state.generation

    def wanted() -> bool:
        return st.session_state.generation == generation and animating()

    if not wanted():
        return
    if st.session_state.playing:
        wb.run(wb.settings.speed, wanted=wanted)
        if wb.diverged and wanted():
            stop()
        return
    remaining = st.session_state.remaining
    last = st.session_state.get("trained_until")
    between = time.perf_counter() - last[1] if last and last[0] == generation else None
    done = wb.run(remaining, seconds=frame_budget(between), wanted=wanted)
    if st.session_state.generation == generation:
        st.session_state.remaining = 0 if wb.diverged else remaining - done
        st.session_state.trained_until = (generation, time.perf_counter())


def frame_budget(between_seconds: float | None) -> float:
    """Seconds of training for the next frame of a Run.

    As long as the time between the last two frames' training (``between_seconds``: drawing the
    views and sending them, the browser's redraw, the wait for the next frame), within
    FRAME_SECONDS and MAX_FRAME_SECONDS: on a slow browser or server, at least half of a Run's
    time goes to training. None for a Run's first frame.
    """
    if between_seconds is None:
        return FRAME_SECONDS
    return min(MAX_FRAME_SECONDS, max(FRAME_SECONDS, between_seconds))
