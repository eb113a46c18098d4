"""The live room seen from a page's sessions: a presenter publishing, followers, forks.

Plain Python, no Streamlit: the glue between a ``Workbench`` / ``LiveSession`` and the room
store (``linreg.dashboard.room``). A page keeps one object per browser session:

- the presenter's session: ``Presenter.start(rooms, workbench)`` on "Start a room"; after every
  ``LiveSession.handle`` (and every rerun) ``presenter.publish(payload, workbench)``; the board
  with ``presenter.board()``, ``presenter.show(entry_id)``; ``presenter.end()``.
- a follower's session: ``Follower.join(rooms, text, client, lang)`` with the link's
  ``?room=`` value; its browser's live views receive the room's stream
  (``linreg.dashboard.room.stream``: pushed, read-only, in the follower's own words); the
  table and settings shown beside them are ``follower.table`` and ``follower.settings``
  after ``follower.refresh()``.
- "Make it mine": ``make_it_mine(rooms, code, lang)`` gives the attendee's own Workbench, then
  ``ForkReporter(rooms, code, follower_id, nickname).report(workbench)`` after its steps.

Room frames (JSON, see ``Presenter.publish``) carry numbers, names of the data's columns and
settings, never the presenter's words: each follower puts its own labels on them.

Room frame ``{"k": "view", ...}`` (keyframe and delta): the presenter's live payload
(``linreg.dashboard.live_message.LivePayload``, encoded) as its browser got it, without its
``setup``, with ``playing`` (the presenter is playing) and ``shown`` (the epoch the presenter's
views stop on: the look-back epoch when it is below ``latest``). A keyframe has ``loss_from`` 0
and the whole loss so far, ``setup`` (the live setup with no ``labels``: {}), ``settings``
(``Settings.to_query()``), ``roles`` ({"inputs": [...], "targets": [...]}), ``source`` (the
sample's name or the file's label), ``table`` (``{"columns", "rows", "n_rows"}``: the first
TABLE_ROWS rows, missing cells ``None``) and ``board_shown`` (the board entry the presenter
shows, or None). Room frame ``{"k": "shown", "entry": {...} | None}`` (delta): the board entry
the presenter now shows to the room.

Predict, then reveal in a room (issue 18): ``presenter.ask(question)`` opens a poll in the store
and publishes ``{"k": "question", "poll", "question", "choices"}``; each follower answers with
``follower.answer(choice, nickname)`` (kept in the store: one answer per follower, the last
one counts, refused once revealed); ``presenter.tally()`` counts them; ``presenter.reveal
(outcome)`` closes the poll, posts each follower's own result to the store (read with
``follower.ballot()``), adds them to the presenter's ``scoreboard`` and publishes ``{"k":
"reveal", "poll", "question", "outcome", "board"}``. ``presenter.chapter(n)`` publishes
``{"k": "chapter", "chapter": n}``. Keyframes carry the latest of each as ``poll`` and
``chapter``, so a follower who joins late sees them.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from linreg import data
from linreg.dashboard import live
from linreg.dashboard.challenge import Challenge, Entry, check_playable, data_digest, entry_from
from linreg.dashboard.live_message import LivePayload, LiveSetup, decode, encode
from linreg.dashboard.quiz import Poll, Scoreboard, Tally, clean_nickname
from linreg.dashboard.room import (
    BoardEntry,
    ForkSummary,
    RoomKeys,
    Rooms,
    deserialize_checkpoint,
    follower_link,
    new_follower_id,
    serialize_checkpoint,
    thin_curve,
)
from linreg.dashboard.room.stream import room_context, sample_names
from linreg.dashboard.settings import Settings, from_query
from linreg.dashboard.workbench import Workbench
from linreg.errors import LinregError
from linreg.questions import Outcome, Question, question_from
from linreg.trainer import TrainConfig, Trainer

TABLE_ROWS = 1000  # rows of the presenter's table a keyframe carries (the fork has them all)
KEYFRAME_EVERY = 200  # deltas between keyframes (a late joiner replays at most these)
FORK_SECONDS = 0.5  # while playing, the fork is refreshed at most this often
TOUCH_SECONDS = 60.0  # the presenter's reruns keep the room alive at most this often
WORKER_IDLE_SECONDS = 30.0  # a presenter's sending thread ends after this long without work
REPORT_SECONDS = 1.0  # a forked run reports to the board at most this often
FORK_SNAPSHOT_BYTES = 16 * 1024 * 1024  # a fork's parameter snapshots, thinned past this
FORK_FORMAT = 1
BOARD_ROWS = 10  # the scoreboard's rows a reveal shows the room


# -- the fork: data + settings + trainer state --------------------------------------------------
def fork_state(workbench: Workbench) -> tuple[dict[str, np.ndarray], dict]:
    """The presenter's table, settings and run as arrays (copies) and JSON-able metadata.

    arrays: ``table/<i>`` float64 (N,) for each numeric column i, ``trainer/…`` the trainer's
    ``state()``; meta: format, columns, text columns, source, settings, roles, trainer meta.
    """
    with workbench.lock:
        table = workbench.table
        arrays: dict[str, np.ndarray] = {}
        text_columns: dict[str, list] = {}
        for i, name in enumerate(table.columns):
            column = table[name]
            if pd.api.types.is_float_dtype(column.dtype):
                arrays[f"table/{i}"] = column.to_numpy(dtype=np.float64, copy=True)
            else:
                text_columns[str(i)] = [None if pd.isna(v) else str(v) for v in column]
        trainer_arrays, trainer_meta = workbench.trainer.state(FORK_SNAPSHOT_BYTES)
        arrays.update({f"trainer/{k}": v for k, v in trainer_arrays.items()})
        settings = workbench.settings
        meta = {
            "format": FORK_FORMAT,
            "columns": [str(c) for c in table.columns],
            "text_columns": text_columns,
            "source": workbench.source_label,
            "settings": settings.to_query(),
            "roles": {
                "inputs": list(workbench.dataset.input_names),
                "targets": list(workbench.dataset.target_names),
            },
            "trainer": trainer_meta,
        }
    return arrays, meta


def _settings(query: Mapping, roles: Mapping) -> Settings:
    settings, _ = from_query({k: str(v) for k, v in dict(query).items()})
    return replace(
        settings,
        inputs=tuple(str(n) for n in roles.get("inputs", ())),
        targets=tuple(str(n) for n in roles.get("targets", ())),
        present=False,  # the projector's mode stays the presenter's
    )


def workbench_from_fork(blob: bytes, lang: str | None = None) -> Workbench:
    """The attendee's own Workbench from ``serialize_checkpoint(*fork_state(…))`` bytes: the same table, settings and run,
    which trains on bit-for-bit as the presenter's would; in ``lang`` (the attendee's) if given.
    LinregError("bad_checkpoint") if the blob is not such a fork."""
    arrays, meta = deserialize_checkpoint(blob)
    try:
        if meta.get("format") != FORK_FORMAT:
            raise ValueError(f"fork format {meta.get('format')!r}")
        columns = [str(c) for c in meta["columns"]]
        texts = meta["text_columns"]
        table = pd.DataFrame(
            {
                name: (
                    np.asarray(arrays[f"table/{i}"], dtype=np.float64)
                    if str(i) not in texts
                    else list(texts[str(i)])
                )
                for i, name in enumerate(columns)
            }
        )
        settings = _settings(meta["settings"], meta["roles"])
        trainer_arrays = {
            k[len("trainer/") :]: v for k, v in arrays.items() if k.startswith("trainer/")
        }
        sample = settings.data if settings.data in data.SAMPLES else "sample5"
        workbench = Workbench(replace(settings, data=sample, inputs=(), targets=()))
        workbench.take_over(table, str(meta["source"]), settings, trainer_arrays, meta["trainer"])
    except LinregError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LinregError("bad_checkpoint", reason=str(exc) or type(exc).__name__) from exc
    if lang is not None and lang != workbench.settings.lang:
        workbench.update(lang=lang)
        workbench.notice = None
    return workbench


def make_it_mine(rooms: Rooms, code: str, lang: str | None = None) -> Workbench:
    """ "Make it mine": the room's latest fork as the attendee's own Workbench (see
    ``workbench_from_fork``). LinregError("room_ended") if the room is gone,
    LinregError("room_no_fork") if the presenter has published none yet."""
    blob = rooms.fork(code)
    if blob is None:
        raise LinregError("room_no_fork", room=code)
    return workbench_from_fork(blob, lang)


# -- what the presenter publishes -----------------------------------------------------------------
def _table_json(table: pd.DataFrame, max_rows: int = TABLE_ROWS) -> dict:
    head = table.head(max_rows)
    rows = []
    for record in head.itertuples(index=False, name=None):
        rows.append(
            [
                None
                if v is None or (isinstance(v, float) and not math.isfinite(v))
                else (float(v) if isinstance(v, int | float | np.number) else str(v))
                for v in record
            ]
        )
    return {"columns": [str(c) for c in table.columns], "rows": rows, "n_rows": int(len(table))}


def _setup_without_labels(workbench: Workbench) -> LiveSetup:
    ds = workbench.dataset
    return live.setup(
        input_names=ds.input_names,
        target_names=ds.target_names,
        inputs=ds.inputs,
        targets=ds.targets,
        optimum=workbench.reference.loss,
        labels={},
        standardized=workbench.trainer.config.standardize,
        earlier=[live.EarlierRun(run.label, run.loss) for run in workbench.runs],
    )


class Presenter:
    """The session that started a room: publishes its live views, its fork, reads the board.

    Only this object holds the room's secret. Its methods never raise for the room's own
    troubles: a LinregError (e.g. the room ended after being idle) is kept in ``error``.
    A room its store lost while this presenter was active (a Redis restart) is opened again
    from what this object holds (``followers``, called by the page every few seconds, sees to
    it): the same code, the latest keyframe, the fork and the board.
    With ``background`` (the default) the frames and forks go to the store from a thread of
    this presenter, in order, so the presenter's own answer never waits for the store or the
    followers; ``flush`` waits until they are out.
    """

    def __init__(self, rooms: Rooms, keys: RoomKeys, background: bool = True) -> None:
        self.rooms, self.keys = rooms, keys
        self.background = background
        self._outbox: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        self._version = 0  # frames this presenter sent: only it publishes in its room
        self.error: LinregError | None = None
        self.ended = False
        self._lock = threading.Lock()
        self._seq: int | None = None  # the live payload last published
        self._signature: tuple = ()  # run, table and settings of the last keyframe
        self._loss: list = []  # the loss points the presenter's browser holds
        self._deltas = 0
        self._view: dict = {}
        self._board_shown: dict | None = None
        self._fork_key: tuple = ()
        self._fork_time = -math.inf
        self._touched = time.monotonic()
        # What restores a room its store lost:
        self._lost = False
        self._keyframe: dict | None = None  # the last keyframe published
        self._stored = 0  # the version the store gave the last frame
        self._fork_blob: bytes | None = None
        self._board: list[BoardEntry] = []
        self._followers = 0
        # Predict, then reveal:
        self.poll: Poll | None = None  # the question asked last (closed once revealed)
        self.scoreboard = Scoreboard()
        self._polls = 0
        self._poll_frame: dict | None = None  # its question frame, then its reveal frame
        self._chapter = 0
        # A challenge: the game on the data as they were when it was set.
        self.challenge: Challenge | None = None
        self._challenges = 0
        self._challenge_frame: dict | None = None  # its description, as followers see it
        self._entries: dict[str, dict] = {}  # follower id → entry, as last read
        self._verified: dict[str, tuple[Entry, bool]] = {}  # follower id → (entry, verified)

    @classmethod
    def start(
        cls,
        rooms: Rooms,
        workbench: Workbench,
        payload: LivePayload | Mapping | None = None,
        background: bool = True,
    ) -> Presenter:
        """Open a room showing ``workbench``'s current state (and its fork) at once;
        ``payload``: the live views' latest (``LiveSession.message``), if the page has one."""
        presenter = cls(rooms, rooms.start(), background)
        presenter.publish(payload or None, workbench)
        presenter.flush()
        if presenter.error is not None:
            raise presenter.error
        return presenter

    @property
    def code(self) -> str:
        return self.keys.code

    def link(self, base_url: str) -> str:
        """The follower link, ``…?room=CODE`` on ``base_url``'s host and path."""
        return follower_link(base_url, self.code)

    @property
    def board_shown(self) -> dict | None:
        """The board entry shown to the room ({"entry_id", "summary"}), None if none."""
        return self._board_shown

    def followers(self) -> int:
        """How many followers are here now (heard from within the heartbeat time); the last
        count while the store does not answer. Restores the room if its store lost it."""
        try:
            if not self.ended and (self._lost or not self.rooms.exists(self.code)):
                self._restore()
            self._followers = self.rooms.follower_count(self.code)
        except LinregError as error:
            self.error = error
        return self._followers

    def _over(self, error: LinregError) -> None:
        """Keep ``error``. "room_ended" ends this presenter's room, unless the store lost the
        room while the presenter was active: then it is to be restored."""
        self.error = error
        if error.code == "room_ended":
            if time.monotonic() - self._touched < self.rooms.idle_seconds:
                self._lost = True
            else:
                self.ended = True

    def _restore(self) -> None:
        self.flush()
        with self._lock:
            if time.monotonic() - self._touched >= self.rooms.idle_seconds:
                self._over(LinregError("room_ended", room=self.code))
                return
            if self._keyframe is None:
                return
            self.rooms.restore(self.code, self.keys.secret, self._stored, self._board)
            frame = {
                **self._keyframe,
                **self._view,
                "loss_from": 0,
                "loss": list(self._loss),
                "board_shown": self._board_shown,
                "poll": self._poll_frame,
                "chapter": self._chapter,
                "challenge": self._challenge_frame,
            }
            if self._fork_blob is not None:
                self.rooms.set_fork(self.code, self.keys.secret, self._fork_blob)
            self._stored = self.rooms.publish(self.code, self.keys.secret, frame, keyframe=True)
            if self.poll is not None and not self.poll.closed:  # its answers from now on
                self.rooms.ask(self.code, self.keys.secret, self.poll.poll)
            if self._challenge_frame is not None:  # and the entries known so far
                name = self._challenge_frame["challenge"]
                self.rooms.open_challenge(self.code, self.keys.secret, name, self._challenge_frame)
                for follower, entry in self._entries.items():
                    self.rooms.enter(self.code, follower, name, entry)
            self._deltas, self._lost, self.error = 0, False, None

    # -- publishing ------------------------------------------------------------------------------
    def publish(self, payload: LivePayload | Mapping | None, workbench: Workbench) -> int | None:
        """Send what the presenter's views now show to the room; returns the frame's version
        in the room, None if nothing new (the same payload again) or the room is over.

        ``payload``: what ``LiveSession.handle`` just returned to the presenter's browser, as
        built (``LiveSession.message``) or encoded (None: the workbench's current epoch); it is
        forwarded as it is, without its setup. A keyframe goes out for a new run, new data, new
        settings, new setup and every KEYFRAME_EVERY deltas; a delta otherwise. The fork is
        refreshed when the views stop (pause, step, run, look, reset) and at most every
        FORK_SECONDS while playing.
        """
        if self.ended:
            return None
        with self._lock, workbench.lock:
            try:
                return self._publish(payload, workbench)
            except LinregError as error:
                self._over(error)
                return None

    def _publish(self, payload: LivePayload | Mapping | None, workbench: Workbench) -> int | None:
        trainer = workbench.trainer
        if payload is None:
            message = self._current_view(workbench)
        elif isinstance(payload, LivePayload):
            message = payload
        else:
            message = decode(LivePayload, payload)
        signature = (
            id(trainer),
            workbench.table_version,
            tuple(sorted(workbench.settings.to_query().items())),
            tuple(workbench.dataset.input_names),
            tuple(workbench.dataset.target_names),
            len(workbench.runs),
        )
        same_payload = message.seq > 0 and message.seq == self._seq
        if same_payload and signature == self._signature:
            self._touch()
            return None
        frames = message.frames
        view = encode(
            replace(
                message,
                setup=None,
                playing=message.mode == "play",
                shown=frames[-1].e if frames else self._view.get("shown", trainer.epoch),
            )
        )
        loss_from = int(view["loss_from"])
        keyframe = (
            message.setup is not None
            or signature != self._signature
            or self._deltas >= KEYFRAME_EVERY
            or loss_from > len(self._loss)
            or loss_from == 0
            or same_payload
        )
        if loss_from > len(self._loss):  # a payload was not published: take the trainer's
            self._loss = live.losses(trainer, 0)
        else:
            self._loss[loss_from:] = view["loss"]
        if keyframe:
            frame = {
                "k": "view",
                **view,
                "loss_from": 0,
                "loss": list(self._loss),
                "setup": encode(_setup_without_labels(workbench)),
                "settings": workbench.settings.to_query(),
                "roles": {
                    "inputs": list(workbench.dataset.input_names),
                    "targets": list(workbench.dataset.target_names),
                },
                "source": workbench.source_label,
                "table": _table_json(workbench.table),
                "board_shown": self._board_shown,
                "poll": self._poll_frame,
                "chapter": self._chapter,
                "challenge": self._challenge_frame,
            }
            self._deltas = 0
        else:
            frame = {"k": "view", **view}
            self._deltas += 1
        if keyframe:
            self._keyframe = frame
        self._seq, self._signature, self._view = message.seq, signature, view
        fork = self._fork_due(workbench, playing=view["playing"])
        self._touched = time.monotonic()
        self._version += 1
        self._send(lambda: self._deliver(frame, keyframe, fork))
        return self._version

    def _deliver(self, frame: dict, keyframe: bool, fork: tuple | None) -> None:
        """The fork first: a follower who sees a frame can take over at least that epoch."""
        if fork is not None:
            self._fork_blob = serialize_checkpoint(*fork)
            self.rooms.set_fork(self.code, self.keys.secret, self._fork_blob)
        self._stored = self.rooms.publish(self.code, self.keys.secret, frame, keyframe=keyframe)

    # -- the sending thread ---------------------------------------------------------------------
    def _send(self, job: Callable[[], None]) -> None:
        if not self.background:
            self._run(job)
            return
        with self._worker_lock:
            self._outbox.put(job)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name=f"linreg-room-{self.code}", daemon=True
                )
                self._worker.start()

    def _work(self) -> None:
        while True:
            try:
                job = self._outbox.get(timeout=WORKER_IDLE_SECONDS)
            except queue.Empty:
                with self._worker_lock:
                    if self._outbox.empty():
                        self._worker = None
                        return
                continue
            try:
                self._run(job)
            finally:
                self._outbox.task_done()

    def _run(self, job: Callable[[], None]) -> None:
        if self.ended:
            return
        try:
            job()
        except LinregError as error:
            self._over(error)
        except Exception as exc:  # noqa: BLE001 - a store's own failure must not end a page
            self.error = LinregError("room_store_unreachable", url="", reason=repr(exc))

    def flush(self) -> None:
        """Wait until every frame and fork published so far has reached the store."""
        if self.background:
            self._outbox.join()

    def _current_view(self, workbench: Workbench) -> LivePayload:
        """The workbench's current epoch as a payload of its own (``seq`` 0: from no browser)."""
        trainer, ds = workbench.trainer, workbench.dataset
        return LivePayload(
            run=self._view.get("run") or f"room{id(trainer)}",
            seq=0,
            event=0,
            latest=trainer.epoch,
            loss_from=0,
            loss=live.losses(trainer, 0),
            frames=[live.frame(trainer, ds, trainer.epoch)],
            mode="show",
            speed=1,
            diverged=live.divergence(trainer),
        )

    def _fork_due(
        self, workbench: Workbench, *, playing: bool, force: bool = False
    ) -> tuple | None:
        """The fork's state (copied now) if it is time to send it, else None."""
        trainer = workbench.trainer
        key = (id(trainer), trainer.epoch, trainer.learning_rate, self._signature)
        now = time.monotonic()
        if not force and key == self._fork_key:
            return None
        if not force and playing and now - self._fork_time < FORK_SECONDS:
            return None
        self._fork_key, self._fork_time = key, now
        return fork_state(workbench)

    def _touch(self) -> None:
        if time.monotonic() - self._touched >= TOUCH_SECONDS:
            self._touched = time.monotonic()
            self._send(lambda: self.rooms.touch(self.code, self.keys.secret))

    # -- the board ---------------------------------------------------------------------------------
    def board(self) -> list[BoardEntry]:
        """Every forked run reported in the room ([] once the room is gone; the last known
        while the store does not answer)."""
        try:
            self._board = self.rooms.board(self.code, self.keys.secret)
        except LinregError as error:
            self._over(error)
            return [] if self.ended else self._board
        return self._board

    def show(self, entry: str | None) -> None:
        """Show the board entry ``entry`` (its id) to every follower; None shows none."""
        self.flush()
        with self._lock:
            try:
                self.rooms.show(self.code, self.keys.secret, entry)
                shown = self.rooms.shown(self.code)
                self._board_shown = None if shown is None else _entry_dict(shown)
                self.rooms.publish(
                    self.code,
                    self.keys.secret,
                    {"k": "shown", "entry": self._board_shown},
                    keyframe=False,
                )
                self._deltas += 1
                self._version += 1
            except LinregError as error:
                self._over(error)

    # -- predict, then reveal ----------------------------------------------------------------------
    def _announce(self, frame: dict) -> None:
        """Publish a delta beside the views (under ``_lock``, after ``flush``)."""
        self.rooms.publish(self.code, self.keys.secret, frame, keyframe=False)
        self._deltas += 1
        self._version += 1

    def ask(self, question: Question) -> Poll | None:
        """Ask the room ``question``: a new poll, the one before forgotten (None if the room
        is over)."""
        self.flush()
        with self._lock:
            poll = Poll(question, poll=str(self._polls + 1))
            try:
                self.rooms.ask(self.code, self.keys.secret, poll.poll)
                frame = room_frame(poll.question_message())
                self._announce(frame)
            except LinregError as error:
                self._over(error)
                return None
            self._polls += 1
            self.poll, self._poll_frame = poll, frame
            return poll

    def tally(self) -> Tally | None:
        """The open poll's answers counted now (the final count once revealed; None before
        any question). The last count while the store does not answer."""
        poll = self.poll
        if poll is None:
            return None
        if not poll.closed:
            try:
                _take(poll, self.rooms.answers(self.code, self.keys.secret, poll.poll))
            except LinregError as error:
                self._over(error)
        return poll.tally()

    def reveal(self, outcome: Outcome) -> dict | None:
        """Close the poll with ``outcome`` (``question.answer`` of the presenter's run, before
        its action is performed): each follower's result goes to the store for them alone, the
        scores to the board, the outcome and the board to the room. The reveal frame, or None
        (no open poll, or the room is over)."""
        poll = self.poll
        if poll is None or poll.closed:
            return None
        self.flush()
        with self._lock:
            try:
                answers = self.rooms.close_poll(self.code, self.keys.secret, poll.poll)
                _take(poll, answers)
                results = poll.reveal(outcome)
                for follower in results:
                    self.scoreboard.name(follower, answers[follower].get("nickname", ""))
                self.scoreboard.add(results)
                yours = {follower: poll.yours(follower) for follower in results}
                self.rooms.post_results(self.code, self.keys.secret, poll.poll, yours)
                frame = {
                    **room_frame(poll.outcome_message()),
                    "board": [row.to_dict() for row in self.scoreboard.rows(BOARD_ROWS)],
                }
                self._announce(frame)
            except LinregError as error:
                self._over(error)
                return None
            self._poll_frame = frame
            return frame

    def chapter(self, number: int) -> None:
        """Followers follow the presenter's lesson chapter ``number`` (0: no lesson)."""
        number = int(number or 0)
        if number == self._chapter or self.ended:
            return
        self.flush()
        with self._lock:
            try:
                self._announce({"k": "chapter", "chapter": number})
            except LinregError as error:
                self._over(error)
                return
            self._chapter = number

    # -- a challenge -------------------------------------------------------------------------------
    def set_challenge(
        self, workbench: Workbench, target_loss: float, max_epochs: int
    ) -> Challenge | None:
        """Challenge the room: a loss ≤ ``target_loss`` within ``max_epochs`` on
        ``workbench``'s data as they are now; the challenge before (and its entries) ends.
        LinregError if the target or the limit is not valid (nothing changes then); None if
        the room is over."""
        with workbench.lock:
            ds = workbench.dataset
            challenge = Challenge(ds.inputs.copy(), ds.targets.copy(), target_loss, max_epochs)
        name = str(self._challenges + 1)
        description = challenge.describe(name)
        self.flush()
        with self._lock:
            try:
                self.rooms.open_challenge(self.code, self.keys.secret, name, description)
                self._announce({"k": "challenge", "challenge": description})
            except LinregError as error:
                self._over(error)
                return None
            self._challenges += 1
            self.challenge, self._challenge_frame = challenge, description
            self._entries, self._verified = {}, {}
            return challenge

    @property
    def challenge_description(self) -> dict | None:
        """The challenge as followers see it (``Challenge.describe``), None if none."""
        return self._challenge_frame

    def end_challenge(self) -> None:
        """No challenge from now on: followers are told, its entries forgotten."""
        if self.challenge is None:
            return
        self.flush()
        with self._lock:
            try:
                self.rooms.close_challenge(self.code, self.keys.secret)
                self._announce({"k": "challenge", "challenge": None})
            except LinregError as error:
                self._over(error)
                return
            self.challenge, self._challenge_frame = None, None
            self._entries, self._verified = {}, {}

    def ranking(self) -> list[tuple[int, Entry]]:
        """The challenge's entries as (rank, entry), best first (``Challenge.rank``); entries
        whose settings are not valid are left out. [] without a challenge; the last known
        while the store does not answer."""
        if self._challenge_frame is None:
            return []
        try:
            self._entries = self.rooms.entries(
                self.code, self.keys.secret, self._challenge_frame["challenge"]
            )
        except LinregError as error:
            self._over(error)
        entries = []
        for follower, values in self._entries.items():
            try:
                entries.append(entry_from(values, follower))
            except LinregError:
                continue
        return Challenge.rank(entries)

    def verify(self, entry: Entry) -> bool | None:
        """Re-run ``entry``'s settings on the challenge's data here: True if they reach what the
        entry says (``Challenge.verify``); None without a challenge."""
        challenge = self.challenge
        if challenge is None:
            return None
        verified = challenge.verify(entry)
        self._verified[entry.follower] = (entry, verified)
        return verified

    def verified(self, entry: Entry) -> bool | None:
        """What ``verify`` found for this very entry (None: not verified since it was sent)."""
        seen = self._verified.get(entry.follower)
        return seen[1] if seen is not None and seen[0] == entry else None

    def end(self) -> None:
        """Close the room: followers are told, its memory is freed."""
        self.flush()
        with self._lock:
            if not self.ended:
                try:
                    self.rooms.end(self.code, self.keys.secret)
                except LinregError as error:
                    if error.code != "room_ended":
                        raise
            self.ended = True


def room_frame(message: Mapping) -> dict:
    """A quiz message (``{"type": …}``, ``linreg.dashboard.quiz``) as a room frame
    (``{"k": …}``)."""
    frame = {k: v for k, v in message.items() if k != "type"}
    return {"k": message["type"], **frame}


def _take(poll: Poll, answers: Mapping[str, Mapping]) -> None:
    """``poll``'s answers as the store holds them now (the invalid ones left out)."""
    poll.answers.clear()
    for follower, answer in answers.items():
        poll.answer(follower, answer.get("choice"))


def _entry_dict(entry: BoardEntry) -> dict:
    return {"entry_id": entry.entry_id, "summary": entry.summary.to_dict()}


# -- a follower ---------------------------------------------------------------------------------
class Follower:
    """One attendee following a room. The live views come by the room's stream
    (``linreg.dashboard.room.stream``, served by the page); this object holds what the page
    shows beside them, read from the room when asked (``refresh``). Holds no secret: nothing
    it does reaches the presenter's run.

    After ``refresh``: ``settings`` (Settings, the presenter's, in the follower's language),
    ``table`` (DataFrame, the first TABLE_ROWS rows), ``table_rows`` (the table's full length),
    ``source``, ``board_shown`` (the board entry the presenter shows: {"entry_id", "summary"}
    or None), ``context`` (their digest, as the stream's messages carry it), ``ended`` (True
    once the room is over; ``error`` says why).
    """

    def __init__(
        self, rooms: Rooms, code: str, lang: str = "en", follower_id: str | None = None
    ) -> None:
        self.rooms, self.code = rooms, code
        self.follower_id = follower_id or new_follower_id()
        self.lang = lang
        self.error: LinregError | None = None
        self.ended = False
        self.settings: Settings | None = None
        self.table: pd.DataFrame | None = None
        self.table_rows = 0
        self.source = ""
        self.board_shown: dict | None = None
        self.context = ""
        self.poll: dict | None = None  # the room's question frame, or its reveal frame
        self.chapter = 0  # the presenter's lesson chapter
        self.challenge: dict | None = None  # the room's challenge, described

    @classmethod
    def join(cls, rooms: Rooms, text: str, client: str, lang: str = "en") -> Follower:
        """Follow the room whose code someone typed or a link gave (``text``); ``client``
        identifies the asker for the rate limit (a session id or an address). LinregError
        ("room_not_found", "room_lookups_refused", "room_ended") otherwise."""
        follower = cls(rooms, rooms.lookup(text, client), lang)
        follower.refresh()
        return follower

    def refresh(self, lang: str | None = None) -> None:
        """Read the presenter's settings, table and shown run as the room's frames have them
        now, in ``lang`` (the follower's language, if it changed)."""
        self.lang = lang or self.lang
        try:
            context = room_context(self.rooms.frames(self.code))
        except LinregError as error:
            self.error, self.ended = error, error.code == "room_ended"
            return
        parts, self.board_shown, self.context = context.parts, context.shown, context.digest
        self.poll, self.chapter = context.poll, context.chapter
        self.challenge = context.challenge
        if not parts:  # before the presenter's first frame
            return
        self.source = str(parts.get("source", ""))
        names = sample_names(self.source, self.lang)
        roles = {
            role: [names.get(n, n) for n in parts["roles"][role]] for role in ("inputs", "targets")
        }
        self.settings = replace(_settings(parts["settings"], roles), lang=self.lang)
        table = parts["table"]
        self.table = pd.DataFrame(table["rows"], columns=table["columns"]).rename(columns=names)
        self.table_rows = int(table["n_rows"])

    @property
    def question(self) -> Question | None:
        """The question the room's poll asks (asked or revealed), None if none."""
        return None if self.poll is None else question_from(self.poll["question"])

    @property
    def revealed(self) -> bool:
        return self.poll is not None and self.poll.get("k") == "reveal"

    @property
    def outcome(self) -> Outcome | None:
        return Outcome.from_dict(self.poll["outcome"]) if self.revealed else None

    def answer(self, choice: object, nickname: object = "") -> bool:
        """Answer the room's open poll (the last answer counts); False if it is revealed or
        ``choice`` is none of its choices. Only the choice and the nickname leave here."""
        question = self.question
        if question is None or self.revealed:
            return False
        probe = Poll(question, poll=self.poll["poll"])
        if not probe.answer(self.follower_id, choice):
            return False
        answer = {"choice": probe.answers[self.follower_id], "nickname": clean_nickname(nickname)}
        try:
            return self.rooms.answer(self.code, self.follower_id, probe.poll, answer)
        except LinregError as error:
            self.error = error
            return False

    def ballot(self) -> tuple[dict | None, dict | None]:
        """(this follower's answer to the room's poll, their result once revealed)."""
        if self.poll is None:
            return None, None
        try:
            return self.rooms.ballot(self.code, self.follower_id, self.poll["poll"])
        except LinregError as error:
            self.error = error
            return None, None


# -- an attendee's own run on the board -----------------------------------------------------------
def config_options(config: TrainConfig) -> dict:
    """A run's settings but its learning rate, by name, as the board shows them."""
    options: dict = {"engine": config.engine}
    if config.engine == "nn":
        options["optimizer"] = config.optimizer
    options.update(
        batch=config.batch_size or 0,
        standardize=config.standardize,
        standardize_targets=config.standardize_targets,
        init=config.init,
        seed=config.seed,
    )
    return options


def fork_summary(workbench: Workbench, nickname: str = "") -> ForkSummary:
    """What the board shows of ``workbench``'s run: numbers and option names, no data."""
    with workbench.lock:
        trainer: Trainer = workbench.trainer
        config = trainer.config
        losses = trainer.losses_after()
        options = config_options(config)
        return ForkSummary(
            learning_rate=trainer.learning_rate,
            epoch=trainer.epoch,
            loss=float(losses[-1]),
            optimum=float(workbench.optimum),
            diverged=trainer.diverged,
            curve=tuple(thin_curve(losses)),
            options=options,
            nickname=nickname,
        )


class ForkReporter:
    """Reports an attendee's own run (after "Make it mine") to the room's board, throttled."""

    def __init__(self, rooms: Rooms, code: str, follower_id: str, nickname: str = "") -> None:
        self.rooms, self.code, self.follower_id = rooms, code, follower_id
        self.nickname = nickname
        self.entry_id: str | None = None
        self.error: LinregError | None = None
        self.entry: Entry | None = None  # the last challenge entry sent
        self.entered: str | None = None  # the challenge it was sent to
        self._sent: tuple = ()
        self._time = -math.inf

    def report(self, workbench: Workbench, force: bool = False) -> str | None:
        """Send the run's summary if it changed and REPORT_SECONDS passed (or ``force``);
        returns the board entry's id when sent, None otherwise (errors kept in ``error``)."""
        trainer = workbench.trainer
        key = (id(trainer), trainer.epoch, trainer.learning_rate, self.nickname)
        now = time.monotonic()
        if key == self._sent or (not force and now - self._time < REPORT_SECONDS):
            return None
        try:
            self.entry_id = self.rooms.report(
                self.code, self.follower_id, fork_summary(workbench, self.nickname)
            )
        except LinregError as error:
            self.error = error
            return None
        self._sent, self._time = key, now
        return self.entry_id

    def challenge(self) -> dict | None:
        """The room's open challenge ({"challenge", "target_loss", "max_epochs", "data"}), None
        if none, or if the room is gone or its store does not answer now."""
        try:
            return self.rooms.challenge(self.code)
        except LinregError:
            return None

    def play(self, workbench: Workbench, challenge: Mapping) -> Entry:
        """Play ``challenge`` (as ``challenge()`` gave it) with ``workbench``'s settings: its
        run starts again from its initial weights and trains up to the target or the limit
        (the page then shows that run), and the entry goes to the room. LinregError
        ("challenge_other_data") if the workbench's data are not the challenge's,
        ("challenge_standardized_targets"), ("room_no_challenge") if it has ended meanwhile,
        or the room's own errors; the run is then left as it was, unless it was played."""
        with workbench.lock:
            ds = workbench.dataset
            if data_digest(ds.inputs, ds.targets) != challenge["data"]:
                raise LinregError("challenge_other_data")
            check_playable(workbench.settings.train_config())
            game = Challenge(
                ds.inputs, ds.targets, float(challenge["target_loss"]), int(challenge["max_epochs"])
            )
            workbench.reset()
            workbench.notice = None
            epochs, loss = game.play_on(workbench.trainer)
            config = workbench.trainer.config
        entry = Entry(self.follower_id, clean_nickname(self.nickname), config, epochs, loss)
        name = str(challenge["challenge"])
        if not self.rooms.enter(self.code, self.follower_id, name, entry.to_dict()):
            raise LinregError("room_no_challenge", room=self.code)
        self.entry, self.entered = entry, name
        return entry
