"""The live room seen from a page's sessions: a presenter publishing, followers polling, forks.

Plain Python, no Streamlit: the glue between a ``Workbench`` / ``LiveSession`` and the room
store (``linreg.dashboard.room``). A page keeps one object per browser session:

- the presenter's session: ``Presenter.start(rooms, workbench)`` on "Start a room"; after every
  ``LiveSession.handle`` (and every rerun) ``presenter.publish(payload, workbench)``; the board
  with ``presenter.board()``, ``presenter.show(entry_id)``; ``presenter.end()``.
- a follower's session: ``Follower.join(rooms, text, client, labels)`` with the link's
  ``?room=`` value; then ``follower.poll(timeout, labels)`` in its loop gives the component's
  payload (``None``: nothing new), read-only and in the follower's own words; the table and
  settings shown are ``follower.table`` and ``follower.settings``.
- "Make it mine": ``make_it_mine(rooms, code, lang)`` gives the attendee's own Workbench, then
  ``ForkReporter(rooms, code, follower_id, nickname).report(workbench)`` after its steps.

Room frames (JSON, see ``Presenter.publish``) carry numbers, names of the data's columns and
settings, never the presenter's words: each follower puts its own labels on them.

Room frame ``{"k": "view", ...}`` (keyframe and delta): the live payload's ``run``, ``latest``,
``loss_from``, ``loss``, ``frames``, ``mode``, ``speed``, ``diverged`` (``linreg.dashboard.live``),
and ``playing`` (bool: the presenter is playing), ``shown`` (the epoch the presenter's views
stop on: the look-back epoch when it is below ``latest``). A keyframe adds ``loss_from`` 0 and
the whole loss so far, ``setup`` (the live setup without ``labels``), ``settings``
(``Settings.to_query()``), ``roles`` ({"inputs": [...], "targets": [...]}), ``source`` (the
sample's name or the file's label), ``table`` (``{"columns", "rows", "n_rows"}``: the first
TABLE_ROWS rows, missing cells ``None``) and ``board_shown`` (the board entry the presenter
shows, or None). Room frame ``{"k": "shown", "entry": {...} | None}`` (delta): the board entry
the presenter now shows to the room.
"""

from __future__ import annotations

import math
import queue
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from linreg import data
from linreg.dashboard import live
from linreg.dashboard.room import (
    BoardEntry,
    ForkSummary,
    Frame,
    RoomKeys,
    Rooms,
    Subscription,
    deserialize_checkpoint,
    follower_link,
    new_follower_id,
    qr_svg,
    serialize_checkpoint,
    thin_curve,
)
from linreg.dashboard.settings import Settings, from_query
from linreg.dashboard.views import equations
from linreg.dashboard.workbench import SAMPLE_NAMES_ES, Workbench
from linreg.errors import LinregError
from linreg.trainer import Trainer

TABLE_ROWS = 1000  # rows of the presenter's table a keyframe carries (the fork has them all)
KEYFRAME_EVERY = 200  # deltas between keyframes (a late joiner replays at most these)
FORK_SECONDS = 0.5  # while playing, the fork is refreshed at most this often
TOUCH_SECONDS = 60.0  # the presenter's reruns keep the room alive at most this often
WORKER_IDLE_SECONDS = 30.0  # a presenter's sending thread ends after this long without work
REPORT_SECONDS = 1.0  # a forked run reports to the board at most this often
FORK_SNAPSHOT_BYTES = 16 * 1024 * 1024  # a fork's parameter snapshots, thinned past this
FORK_FORMAT = 1


# -- the fork: data + settings + trainer state --------------------------------------------------
def fork_blob(workbench: Workbench) -> bytes:
    """The presenter's table, settings and run as ``serialize_checkpoint`` bytes (no pickle):
    ``fork_state`` serialized."""
    return serialize_checkpoint(*fork_state(workbench))


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
    )


def workbench_from_fork(blob: bytes, lang: str | None = None) -> Workbench:
    """The attendee's own Workbench from ``fork_blob`` bytes: the same table, settings and run,
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


def _setup_without_labels(workbench: Workbench) -> dict:
    ds = workbench.dataset
    out = live.setup(
        input_names=ds.input_names,
        target_names=ds.target_names,
        inputs=ds.inputs,
        targets=ds.targets,
        optimum=workbench.reference.loss,
        labels={},
        standardized=workbench.trainer.config.standardize,
        earlier=[live.EarlierRun(run.label, run.loss) for run in workbench.runs],
    )
    out.pop("labels", None)
    return out


VIEW_KEYS = ("run", "latest", "loss_from", "loss", "frames", "mode", "speed", "diverged")


class Presenter:
    """The session that started a room: publishes its live views, its fork, reads the board.

    Only this object holds the room's secret. Its methods never raise for the room's own
    troubles: a LinregError (e.g. the room ended after being idle) is kept in ``error``.
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

    @classmethod
    def start(
        cls,
        rooms: Rooms,
        workbench: Workbench,
        payload: Mapping | None = None,
        background: bool = True,
    ) -> Presenter:
        """Open a room showing ``workbench``'s current state (and its fork) at once;
        ``payload``: the live views' latest (``LiveSession.last``), if the page has one."""
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

    def qr_svg(self, base_url: str) -> str:
        return qr_svg(self.link(base_url))

    def followers(self) -> int:
        """How many followers are here now (heard from within the heartbeat time)."""
        return self.rooms.follower_count(self.code)

    # -- publishing ------------------------------------------------------------------------------
    def publish(self, payload: Mapping | None, workbench: Workbench) -> int | None:
        """Send what the presenter's views now show to the room; returns the frame's version
        in the room, None if nothing new (the same payload again) or the room is over.

        ``payload``: what ``LiveSession.handle`` just returned to the presenter's browser (None:
        the workbench's current epoch). A keyframe goes out for a new run, new data, new
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
                self.error = error
                self.ended = error.code == "room_ended"
                return None

    def _publish(self, payload: Mapping | None, workbench: Workbench) -> int | None:
        trainer = workbench.trainer
        if payload is None:
            payload = self._current_view(workbench)
        signature = (
            id(trainer),
            workbench.table_version,
            tuple(sorted(workbench.settings.to_query().items())),
            tuple(workbench.dataset.input_names),
            tuple(workbench.dataset.target_names),
            len(workbench.runs),
        )
        same_payload = payload.get("seq") is not None and payload.get("seq") == self._seq
        if same_payload and signature == self._signature:
            self._touch()
            return None
        view = {key: payload[key] for key in VIEW_KEYS}
        frames = view["frames"]
        view["playing"] = view["mode"] == "play"
        view["shown"] = frames[-1]["e"] if frames else self._view.get("shown", trainer.epoch)
        loss_from = int(view["loss_from"])
        keyframe = (
            "setup" in payload
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
                "setup": _setup_without_labels(workbench),
                "settings": workbench.settings.to_query(),
                "roles": {
                    "inputs": list(workbench.dataset.input_names),
                    "targets": list(workbench.dataset.target_names),
                },
                "source": workbench.source_label,
                "table": _table_json(workbench.table),
                "board_shown": self._board_shown,
            }
            self._deltas = 0
        else:
            frame = {"k": "view", **view}
            self._deltas += 1
        self._seq, self._signature, self._view = payload.get("seq"), signature, view
        fork = self._fork_due(workbench, playing=view["playing"])
        self._touched = time.monotonic()
        self._version += 1
        self._send(lambda: self._deliver(frame, keyframe, fork))
        return self._version

    def _deliver(self, frame: dict, keyframe: bool, fork: tuple | None) -> None:
        """The fork first: a follower who sees a frame can take over at least that epoch."""
        if fork is not None:
            self.rooms.set_fork(self.code, self.keys.secret, serialize_checkpoint(*fork))
        self.rooms.publish(self.code, self.keys.secret, frame, keyframe=keyframe)

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
            self.error = error
            self.ended = error.code == "room_ended"
        except Exception as exc:  # noqa: BLE001 - a store's own failure must not end a page
            self.error = LinregError("room_store_unreachable", url="", reason=repr(exc))

    def flush(self) -> None:
        """Wait until every frame and fork published so far has reached the store."""
        if self.background:
            self._outbox.join()

    def _current_view(self, workbench: Workbench) -> dict:
        trainer, ds = workbench.trainer, workbench.dataset
        return {
            "run": self._view.get("run") or f"room{id(trainer)}",
            "seq": None,
            "latest": trainer.epoch,
            "loss_from": 0,
            "loss": live.losses(trainer, 0),
            "frames": [live.frame(trainer, ds, trainer.epoch)],
            "mode": "show",
            "speed": 1,
            "diverged": live.divergence(trainer),
        }

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

    def refresh_fork(self, workbench: Workbench) -> None:
        """Publish the fork now (e.g. when a Play stops without a payload)."""
        with self._lock, workbench.lock:
            fork = self._fork_due(workbench, playing=False, force=True)
        self._send(
            lambda: self.rooms.set_fork(self.code, self.keys.secret, serialize_checkpoint(*fork))
        )

    # -- the board ---------------------------------------------------------------------------------
    def board(self) -> list[BoardEntry]:
        """Every forked run reported in the room ([] once the room is gone)."""
        try:
            return self.rooms.board(self.code, self.keys.secret)
        except LinregError as error:
            self.error = error
            self.ended = self.ended or error.code == "room_ended"
            return []

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
                self.error = error

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


def _entry_dict(entry: BoardEntry) -> dict:
    return {"entry_id": entry.entry_id, "summary": entry.summary.to_dict()}


# -- a follower ----------------------------------------------------------------------------------
_decoded: weakref.WeakKeyDictionary[Frame, dict] = weakref.WeakKeyDictionary()
_decoded_lock = threading.Lock()


def _message(frame: Frame) -> dict:
    """A frame's JSON decoded once for every follower of this process (they share the Frame
    objects), kept as long as the frame is: read-only, callers copy what they change."""
    with _decoded_lock:
        message = _decoded.get(frame)
    if message is None:
        message = frame.data
        with _decoded_lock:
            _decoded[frame] = message
    return message


class Follower:
    """One attendee following a room: turns its frames into the component's payloads, in the
    attendee's words. Holds no secret: nothing it does reaches the presenter's run.

    After each ``poll``: ``settings`` (Settings, the presenter's, in the follower's language),
    ``table`` (DataFrame, the first TABLE_ROWS rows), ``table_rows`` (the table's full length),
    ``board_shown`` (the board entry the presenter shows: {"entry_id", "summary"} or None),
    ``ended`` (True once the room is over; ``error`` says why).
    """

    def __init__(
        self,
        rooms: Rooms,
        code: str,
        labels: Mapping[str, str] | None = None,
        lang: str = "en",
        follower_id: str | None = None,
    ) -> None:
        self.rooms, self.code = rooms, code
        self.follower_id = follower_id or new_follower_id()
        self.labels = dict(labels or {})
        self.lang = lang
        self.error: LinregError | None = None
        self.ended = False
        self.settings: Settings | None = None
        self.table: pd.DataFrame | None = None
        self.table_rows = 0
        self.source = ""
        self.board_shown: dict | None = None
        self.seq = 0
        self._sub: Subscription | None = rooms.follow(code, self.follower_id)
        self._run = ""
        self._setup: dict | None = None
        self._loss = np.empty(0)  # float64 copies of the room's loss points
        self._view: dict = {}
        self._last: dict | None = None
        # What the next payload must carry beyond the newest view:
        self._resend = True  # everything (setup, all loss points)
        self._cut: int | None = None  # loss points from here on
        self._frames: list = []
        self._fresh = False

    @classmethod
    def join(
        cls,
        rooms: Rooms,
        text: str,
        client: str,
        labels: Mapping[str, str] | None = None,
        lang: str = "en",
    ) -> Follower:
        """Follow the room whose code someone typed or a link gave (``text``); ``client``
        identifies the asker for the rate limit (a session id or an address). LinregError
        ("room_not_found", "room_lookups_refused", "room_ended") otherwise."""
        return cls(rooms, rooms.lookup(text, client), labels, lang)

    # -- receiving ---------------------------------------------------------------------------------
    def poll(
        self,
        timeout: float = 0.5,
        labels: Mapping[str, str] | None = None,
        lang: str | None = None,
    ) -> dict | None:
        """The component's next payload, waiting up to ``timeout`` s for the presenter; None if
        nothing changed. The first call (and any after falling far behind) gives the whole
        current state at once. ``labels``/``lang``: the follower's words now (a change resends
        the setup). None too once the room has ended (``ended``, ``error``)."""
        if lang is not None and lang != self.lang:
            self.lang = lang
            self._resend = True
            if self.settings is not None:
                self.settings = replace(self.settings, lang=lang)
                self._rename_table()
        if labels is not None and dict(labels) != self.labels:
            self.labels = dict(labels)
            self._resend = True
        if self.ended or self._sub is None:
            return None
        wait = 0.0 if self._resend and self._run else timeout
        try:
            frames = self._sub.receive(wait)
        except LinregError as error:
            self._close(error)
            return None
        for frame in frames:
            self._apply(frame)
        if not self._run or not (self._fresh or self._resend):
            return None
        return self._payload()

    def payload(self) -> dict | None:
        """The whole current state as one payload (a reload, the component's "sync")."""
        if not self._run:
            return None
        self._resend = True
        return self._payload()

    @property
    def last(self) -> dict | None:
        """The payload last given to the follower's browser (None before the first)."""
        return self._last

    def handle(self, event: Mapping | None) -> dict | None:
        """A component event from the follower's browser: read-only, nothing is sent anywhere.
        "sync" (or no event) gives the whole state again; any other kind changes nothing and
        gives the latest payload."""
        if event is None or event.get("kind") == "sync":
            return self.payload()
        return self._last

    def close(self) -> None:
        if self._sub is not None:
            self._sub.close()
            self._sub = None

    def _close(self, error: LinregError) -> None:
        self.error, self.ended = error, True
        self.close()

    def _apply(self, frame: Frame) -> None:
        message = _message(frame)
        kind = message.get("k")
        if kind == "shown":
            self.board_shown = message.get("entry")
            return
        if kind != "view":
            return
        if frame.keyframe:
            loss = np.asarray(message["loss"], dtype=np.float64)
            if message["run"] != self._run or message["setup"] != self._setup:
                self._resend = True
            else:  # the same run again (a periodic keyframe): send only what differs
                n = min(len(loss), len(self._loss))
                differ = np.flatnonzero(loss[:n] != self._loss[:n])
                first = int(differ[0]) if differ.size else n
                self._cut = first if self._cut is None else min(self._cut, first)
            self._run = message["run"]
            self._setup = message["setup"]
            self.source = str(message.get("source", ""))
            self.settings = replace(
                _settings(message["settings"], message["roles"]), lang=self.lang
            )
            table = message["table"]
            self.table = pd.DataFrame(table["rows"], columns=table["columns"])
            self.table_rows = int(table["n_rows"])
            self._rename_table()
            self.board_shown = message.get("board_shown")
            self._loss = loss
            self._frames = list(message["frames"])
        else:
            loss_from = int(message["loss_from"])
            if loss_from > len(self._loss):  # cannot happen in order: take everything again
                self._resend = True
                loss_from = len(self._loss)
            self._loss = np.concatenate(
                [self._loss[:loss_from], np.asarray(message["loss"], dtype=np.float64)]
            )
            self._cut = loss_from if self._cut is None else min(self._cut, loss_from)
            new = list(message["frames"])
            if (
                self._frames
                and new
                and message["mode"] == "play"
                and self._view.get("mode") == "play"
                and new[0]["e"] > self._frames[-1]["e"]
            ):
                self._frames += new
            elif new:
                self._frames = new
        self._view = {key: message[key] for key in (*VIEW_KEYS, "playing", "shown")}
        self._fresh = True

    def _rename_table(self) -> None:
        """A sample's column names in the follower's language (uploaded names stay)."""
        if self.table is None or self.source not in data.SAMPLES:
            return
        if self.lang == "es":
            mapping = SAMPLE_NAMES_ES
        else:
            mapping = {v: k for k, v in SAMPLE_NAMES_ES.items()}
        self.table = self.table.rename(columns=mapping)
        if self.settings is not None:
            self.settings = replace(
                self.settings,
                inputs=tuple(mapping.get(n, n) for n in self.settings.inputs),
                targets=tuple(mapping.get(n, n) for n in self.settings.targets),
            )

    def _setup_shown(self) -> dict:
        """The run's setup with the follower's labels and, for a sample, column names."""
        setup = {**self._setup, "labels": dict(self.labels)}
        if self.source in data.SAMPLES:
            if self.lang == "es":
                mapping = SAMPLE_NAMES_ES
            else:
                mapping = {v: k for k, v in SAMPLE_NAMES_ES.items()}
            setup["inputs"] = [mapping.get(n, n) for n in setup["inputs"]]
            setup["targets"] = [mapping.get(n, n) for n in setup["targets"]]
        return setup

    def _in_own_words(self, frames: list) -> list:
        """The frames' equations written with the follower's column names (a sample's names
        change with the language; the numbers are the presenter's float32 values)."""
        if self.source not in data.SAMPLES or not self._setup:
            return frames
        setup = self._setup_shown()
        if setup["inputs"] == self._setup["inputs"] and setup["targets"] == self._setup["targets"]:
            return frames
        return [
            {
                **f,
                "eq": equations(
                    np.asarray(f["W"], dtype=np.float32),
                    np.asarray(f["b"], dtype=np.float32),
                    setup["inputs"],
                    setup["targets"],
                ),
            }
            if f.get("W") is not None
            and None not in f["b"]
            and all(None not in row for row in f["W"])
            else f
            for f in frames
        ]

    def _payload(self) -> dict:
        view = self._view
        self.seq += 1
        if self._resend:
            loss_from = 0
        else:
            loss_from = self._sent if self._cut is None else min(self._cut, self._sent)
        frames = self._frames or view["frames"]
        payload = {
            "run": f"room-{self.code}-{view['run']}",
            "seq": self.seq,
            "event": 0,
            "latest": view["latest"],
            "loss_from": loss_from,
            "loss": self._loss[loss_from:].tolist(),
            "frames": frames,
            "mode": view["mode"],
            "speed": view["speed"],
            "diverged": view["diverged"],
            "playing": view["playing"],
            "shown": view["shown"],
            "readonly": True,
        }
        if self._resend:
            payload["setup"] = self._setup_shown()
        payload["frames"] = self._in_own_words(frames)
        self._sent = len(self._loss)
        self._resend, self._cut, self._fresh = False, None, False
        self._frames = []
        self._last = payload
        return payload

    _sent = 0  # loss points the follower's browser holds


# -- an attendee's own run on the board -----------------------------------------------------------
def fork_summary(workbench: Workbench, nickname: str = "") -> ForkSummary:
    """What the board shows of ``workbench``'s run: numbers and option names, no data."""
    with workbench.lock:
        trainer: Trainer = workbench.trainer
        config = trainer.config
        losses = trainer.losses_after()
        options = {"engine": config.engine}
        if config.engine == "nn":
            options["optimizer"] = config.optimizer
        options.update(
            batch=config.batch_size or 0,
            standardize=config.standardize,
            standardize_targets=config.standardize_targets,
            init=config.init,
            seed=config.seed,
        )
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
