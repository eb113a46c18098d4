"""The live views' payload: the numbers the browser draws, and only those it does not hold yet.

Plain Python (no Streamlit): the page passes the component's events to ``LiveSession.handle``
and mounts the component with the dict it returns: ``encode(LiveSession.message)``, a
``LivePayload`` (``linreg.dashboard.live_message``: its fields, shapes and JSON Schema).
Floats are written as the shortest text that reads back to the same float32 (the engine's
precision), non-finite values as ``None``; texts a person reads as numbers (``loss_text``,
``r2_text``, ``optimum_text``) come formatted here by ``linreg.formatting`` so the page shows
exactly them.

Events may carry ``prefs`` ({"run", "speed", "log"}: the Run epochs, the play speed and the
log switch as the browser shows them); ``LiveSession.handle`` saves changed ones in the
workbench's settings, so that a link reproduces them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from linreg.dashboard.live_message import (
    Divergence,
    EarlierCurve,
    LiveFrame,
    LivePayload,
    LiveSetup,
    Prefs,
    encode,
)
from linreg.dashboard.settings import MAX_RUN_EPOCHS, MAX_SPEED
from linreg.dashboard.views import equations
from linreg.formatting import number
from linreg.reference import r2_score
from linreg.trainer import Checkpoint, Trainer

SHOWN_ROWS = 200  # rows drawn in the predictions chart and table
FRAMES_PER_BATCH = 45  # Play: frames trained ahead per batch (≈ 0.75 s at 60 frames/s)
RUN_FRAMES = 45  # Run N: frames drawn on the way to epoch N
MAX_BATCH_EPOCHS = 20_000  # Play at a high speed: epochs trained per batch at most
# ... and for about this long at most, so that a slow machine keeps the curve moving: the frames
# then spread over what was trained (fewer epochs a frame than asked), never one frame a batch.
BATCH_SECONDS = 0.4
MAX_EARLIER_POINTS = 2000  # points per earlier run's curve

_ids = itertools.count(1)

# The component's words: its name for each → the page's text key (linreg.dashboard.texts).
LABEL_KEYS = {
    "step": "btn.step",
    "run": "btn.run",
    "epochs": "btn.epochs",
    "play": "btn.play",
    "pause": "btn.pause",
    "reset": "btn.reset",
    "speed": "btn.speed",
    "epoch": "metric.epoch",
    "loss": "metric.loss",
    "optimum": "metric.optimum",
    "r2": "metric.r2",
    "r2_mean": "metric.r2_mean",
    "look": "look.label",
    "look_help": "look.help",
    "optimum_help": "metric.optimum_help",
    "r2_help": "metric.r2_help",
    "predictions": "tab.predictions",
    "preview": "main.preview",
    "clear_runs": "loss.clear_runs",
    "weights_layout": "weights.layout",
    "W": "weights.matrix",
    "b": "weights.bias",
    "W_grad": "weights.grad",
    "b_grad": "weights.bias_grad",
    "grad_units": "weights.grad_units",
    "no_grad": "weights.no_grad",
    "loss_title": "loss.title",
    "log": "loss.log",
    "loss_empty": "loss.empty",
    "fig_epoch": "fig.epoch",
    "fig_loss": "fig.loss",
    "this_run": "fig.this_run",
    "shown_epoch": "fig.shown_epoch",
    "actual": "fig.actual",
    "predicted": "fig.predicted",
    "identity": "fig.identity",
    "fitted": "fig.fitted",
    "row": "pred.row",
    "col_actual": "pred.actual",
    "col_predicted": "pred.predicted",
    "col_error": "pred.error",
    "weights_title": "weights.title",
    "announce": "live.announce",
    "announce_change": "live.announce_change",
    "skip_controls": "live.skip_controls",
    "skip_views": "live.skip_views",
}
# Templates the browser fills itself: their parameters are left as "{name}".
TEMPLATE_PARAMS = ("epoch", "each", "shown", "rows", "count", "loss", "change")


class _Blank(str):
    """A template parameter left for the browser: formats as ``{name}`` whatever the spec
    (the browser writes the number itself)."""

    def __format__(self, spec: str) -> str:
        return "{" + str.__str__(self) + "}"


def labels(text, lang: str) -> dict[str, str]:
    """The component's words in ``lang``; ``text(key, lang, **params)`` is the page's lookup."""
    blanks = {name: _Blank(name) for name in TEMPLATE_PARAMS}
    return {name: text(key, lang, **blanks) for name, key in LABEL_KEYS.items()}


def f32(values) -> list | float | None:
    """Values as JSON numbers: the shortest decimal text reading back to the same float32."""
    with np.errstate(over="ignore"):  # beyond float32: infinite, sent as None
        array = np.asarray(values, dtype=np.float32)
    if array.ndim == 0:
        value = array.item()
        return float(str(array)) if math.isfinite(value) else None
    return [f32(v) for v in array]


def r2_text(r2: Sequence[float]) -> str:
    """R² as the page reads it: one per target while they fit (``0.912 / 0.874``), past two
    their mean (each one is in the readout's help); a hopeless fit (R² can reach −10¹⁷)
    reads "< −999"."""

    def one(value: float) -> str:
        return f"{value:.3f}" if value > -1000 else "< −999"

    return " / ".join(map(one, r2)) if len(r2) <= 2 else one(float(np.mean(r2)))


def shown_rows(n_rows: int) -> np.ndarray:
    """Indices of the rows drawn (the first ``SHOWN_ROWS``), (R,)."""
    return np.arange(min(n_rows, SHOWN_ROWS))


def losses(trainer: Trainer, start: int) -> list:
    """Loss after each epoch ``start`` … trainer.epoch, as payload numbers."""
    start = max(0, min(start, trainer.epoch + 1))
    values = np.append(trainer.history.loss[start:], trainer.current_loss())
    return f32(values[: trainer.epoch + 1 - start])


def frame(trainer: Trainer, dataset, epoch: int) -> LiveFrame:
    """The numbers of every live view at ``epoch``; ``dataset`` has inputs (N, D), targets
    (N, K), input_names and target_names."""
    inputs, targets = dataset.inputs, dataset.targets
    weight, bias = trainer.parameters(epoch)
    snapshot = trainer.history.snapshot(epoch)
    gradients = epoch > 0 and snapshot.epoch == epoch
    predictions = inputs @ weight.T + bias
    r2 = r2_score(targets, predictions)
    rows = shown_rows(len(inputs))
    loss = trainer.loss_after(epoch)
    change = None if epoch == 0 else loss - trainer.loss_after(epoch - 1)
    line = None
    if inputs.shape[1] == 1:
        ends = np.array([np.nanmin(inputs[:, 0]), np.nanmax(inputs[:, 0])])
        line = f32(weight[:, :1] * ends[None, :] + bias[:, None])
    return LiveFrame(
        e=epoch,
        W=f32(weight),
        b=f32(bias),
        gW=f32(snapshot.weight_grad) if gradients else None,
        gb=f32(snapshot.bias_grad) if gradients else None,
        p=f32(predictions[rows]),
        r2=f32(r2),
        loss_text=number(loss),
        change_text=None if change is None else number(change),
        r2_text=r2_text(r2),
        eq=equations(weight, bias, dataset.input_names, dataset.target_names),
        line=line,
    )


@dataclass(frozen=True)
class EarlierRun:
    """An earlier run's curve to draw faintly behind this one."""

    label: str
    loss: np.ndarray  # (E + 1,): loss after epoch 0 … E


def setup(
    *,
    input_names: Sequence[str],
    target_names: Sequence[str],
    inputs: np.ndarray,
    targets: np.ndarray,
    optimum: float,
    labels: Mapping[str, str],
    standardized: bool,
    earlier: Sequence[EarlierRun] = (),
    prefs: Prefs | None = None,
) -> LiveSetup:
    """What stays the same during a run: names, words, the rows' actual values, the optimum,
    and ``prefs`` (run, speed, log) as the controls start."""
    rows = shown_rows(len(targets))
    one_input = inputs.shape[1] == 1
    return LiveSetup(
        inputs=list(input_names),
        targets=list(target_names),
        labels=dict(labels),
        optimum=f32(optimum),
        optimum_text=number(optimum),
        n_rows=int(len(targets)),
        actual=f32(targets[rows]),
        standardized=bool(standardized),
        prefs=prefs or Prefs(run=100, speed=1, log=False),
        earlier=[_decimated(run.label, run.loss, MAX_EARLIER_POINTS) for run in earlier],
        x=f32(inputs[rows, 0]) if one_input else None,
        x_ends=f32([np.nanmin(inputs[:, 0]), np.nanmax(inputs[:, 0])]) if one_input else None,
    )


def _decimated(label: str, loss: np.ndarray, max_points: int) -> EarlierCurve:
    """Every point of a short curve; of a long one an evenly spaced subset with the last."""
    n = len(loss)
    keep = np.unique(np.linspace(0, n - 1, min(n, max_points)).round().astype(int))
    return EarlierCurve(label=label, epochs=keep.tolist(), loss=f32(loss[keep]))


def divergence(trainer: Trainer) -> Divergence | None:
    """Why and when the run diverged, and at which learning rate; None while it has not."""
    if not trainer.diverged:
        return None
    return Divergence(
        reason=trainer.divergence, epoch=trainer.diverged_at, lr=f"{trainer.learning_rate:g}"
    )


def frame_epochs(start: int, stop: int, speed: int) -> list[int]:
    """Epochs drawn going from ``start`` to ``stop`` at ``speed`` epochs a frame, ending on stop."""
    epochs = list(range(start + speed, stop, speed))
    return [*epochs, stop] if stop > start else []


@dataclass
class LiveSession:
    """One browser's live views of a workbench: answers the component's events with payloads.

    ``workbench`` needs ``trainer``, ``dataset`` (inputs, targets, input_names, target_names),
    ``reference.loss``, ``runs`` (label, loss), ``lock``, ``step()``, ``reset()``. ``labels``
    gives the words in the page's language; ``setup`` is resent when they change.
    """

    workbench: object
    labels: Mapping[str, str] = field(default_factory=dict)
    seq: int = 0
    run_id: str = ""
    _trainer: object = None  # the trainer last seen (held: an id could be reused)
    _runs_seen: int = -1
    _labels_sent: dict = field(default_factory=dict)
    _checkpoints: list[Checkpoint] = field(default_factory=list)
    message: LivePayload | None = None  # the last payload, as built
    last: dict = field(default_factory=dict)  # the last payload, encoded: what the page sends
    handled: int = 0  # id of the last browser event handled
    shown: int = 0  # the epoch the views show once the last answer is drawn

    # -- events -------------------------------------------------------------------------------
    def handle(self, event: Mapping | None, labels: Mapping[str, str] | None = None) -> dict:
        """The payload answering ``event`` (a dict the component sent), or the current one.

        Events: {"id", "kind", "run", "have", "shown", "prefs", ...}; kinds: "step", "run"
        (with "epochs"), "play" and "more" (with "speed"), "pause", "reset", "look" (with
        "epoch"), "clear_runs", "prefs" (only the preferences changed), "sync" (the browser
        lost its numbers: send everything again).
        """
        if labels is not None:
            self.labels = dict(labels)
        wb = self.workbench
        with wb.lock:
            new_run = self._follow_trainer()
            if event is None or int(event.get("id", 0)) <= self.handled:
                if self.last and not new_run and self._labels_sent == dict(self.labels):
                    return self.last
                return self._answer(0, have=0, frames=[self.trainer.epoch], setup=True)
            self.handled = int(event["id"])
            self._save_prefs(event.get("prefs"))
            kind = event.get("kind")
            same_run = event.get("run") == self.run_id
            if kind == "more" and not same_run:
                kind = "sync"  # a batch asked for by the views of a run that is gone
            have = int(event.get("have", 0)) if same_run else 0
            resend = new_run or have == 0 or kind == "sync"
            if kind == "reset":
                wb.reset()
                self._follow_trainer()
                return self._answer(self.handled, have=0, frames=[0], setup=True)
            if kind == "clear_runs":
                wb.clear_runs()
                self._follow_trainer()
                return self._answer(self.handled, have=0, frames=[self.trainer.epoch], setup=True)
            if kind in ("pause", "step", "run", "play"):
                self._land_on(int(event.get("shown", self.trainer.epoch)))
                have = min(have, self.trainer.epoch + 1)
            if kind == "step":
                wb.step()
                return self._answer(self.handled, have, [self.trainer.epoch], setup=resend)
            if kind == "run":
                start = self.trainer.epoch
                self._checkpoints = [self.trainer.checkpoint()]
                wb.run(max(1, min(int(event.get("epochs", 1)), MAX_RUN_EPOCHS)))
                speed = max(1, math.ceil((self.trainer.epoch - start) / RUN_FRAMES))
                frames = frame_epochs(start, self.trainer.epoch, speed)
                return self._answer(self.handled, have, frames, setup=resend, mode="run")
            if kind in ("play", "more"):
                speed = max(1, min(int(event.get("speed", 1)), MAX_SPEED))
                if kind == "play":
                    self._checkpoints = []
                start = self.trainer.epoch
                self._checkpoints = [*self._checkpoints[-3:], self.trainer.checkpoint()]
                batch = min(FRAMES_PER_BATCH * speed, MAX_BATCH_EPOCHS)
                trained = wb.run(batch, BATCH_SECONDS)
                stride = min(speed, max(1, math.ceil(trained / FRAMES_PER_BATCH)))
                frames = frame_epochs(start, self.trainer.epoch, stride)
                mode = "show" if self.trainer.diverged and not frames else "play"
                self.shown = start
                return self._answer(
                    self.handled, have, frames, setup=resend, mode=mode, speed=speed
                )
            if kind == "look":
                epoch = max(0, min(int(event.get("epoch", 0)), self.trainer.epoch))
                return self._answer(self.handled, have, [epoch], setup=resend)
            # "pause" (already landed), "prefs", "sync" and anything unknown: the views as
            # they are (a look back stays where it is).
            epoch = self.shown if kind == "prefs" else self.trainer.epoch
            return self._answer(self.handled, have, [epoch], setup=resend)

    def _save_prefs(self, prefs: Mapping | None) -> None:
        """Keep the controls' Run epochs, speed and log switch in the workbench's settings."""
        if not prefs:
            return
        settings = self.workbench.settings
        bounds = {"run": MAX_RUN_EPOCHS, "speed": MAX_SPEED}
        changed: dict[str, object] = {}
        for name, top in bounds.items():
            try:
                value = max(1, min(int(prefs.get(name, getattr(settings, name))), top))
            except (TypeError, ValueError):
                continue
            if value != getattr(settings, name):
                changed[name] = value
        if "log" in prefs and bool(prefs["log"]) != settings.log:
            changed["log"] = bool(prefs["log"])
        if changed:
            self.workbench.update(**changed)

    def redraw(self) -> None:
        """Send the trainer's latest epoch at the next mount: the run changed outside the views
        (a lesson's reveal)."""
        self.message, self.last = None, {}

    @property
    def playing(self) -> bool:
        """True while the browser plays batches the server trained ahead."""
        return self.last.get("mode") == "play"

    @property
    def trainer(self) -> Trainer:
        return self.workbench.trainer

    # -- internals ----------------------------------------------------------------------------
    def _follow_trainer(self) -> bool:
        """True when the workbench's trainer is a new run (reset, new data or settings)."""
        if self.trainer is self._trainer and len(self.workbench.runs) == self._runs_seen:
            return False
        self._trainer = self.trainer
        self._runs_seen = len(self.workbench.runs)
        self.run_id = f"r{next(_ids)}"
        self._checkpoints = []
        return True

    def _land_on(self, shown: int) -> None:
        """Bring the trainer back to ``shown`` if it trained ahead of what the browser shows.

        The nearest checkpoint at or before ``shown`` is restored and the epochs up to
        ``shown`` trained again: the same numbers as a run that never went ahead.
        """
        trainer = self.trainer
        if not 0 <= shown < trainer.epoch:
            return
        usable = [c for c in self._checkpoints if c.epoch <= shown]
        if not usable:
            return  # nothing to go back to: the views follow the server
        checkpoint = usable[-1]
        trainer.restore(checkpoint)
        trainer.run(shown - checkpoint.epoch)
        self._checkpoints = usable

    def _answer(
        self,
        event: int,
        have: int,
        frames: Sequence[int],
        *,
        setup: bool,
        mode: str = "show",
        speed: int = 1,
    ) -> dict:
        wb, trainer = self.workbench, self.trainer
        ds = wb.dataset
        self.seq += 1
        have = 0 if setup else max(0, min(have, trainer.epoch + 1))
        message = LivePayload(
            run=self.run_id,
            seq=self.seq,
            event=event,
            latest=trainer.epoch,
            loss_from=have,
            loss=losses(trainer, have),
            frames=[frame(trainer, ds, e) for e in frames],
            mode=mode,
            speed=speed,
            diverged=divergence(trainer),
            setup=self.setup_now() if setup else None,
        )
        if setup:
            self._labels_sent = dict(self.labels)
        if mode != "play":
            self.shown = frames[-1] if frames else trainer.epoch
        self.message, self.last = message, encode(message)
        return self.last

    def setup_now(self) -> LiveSetup:
        wb = self.workbench
        ds = wb.dataset
        return setup(
            input_names=ds.input_names,
            target_names=ds.target_names,
            inputs=ds.inputs,
            targets=ds.targets,
            optimum=wb.reference.loss,
            labels=self.labels,
            standardized=self.trainer.config.standardize,
            earlier=[EarlierRun(run.label, run.loss) for run in wb.runs],
            prefs=Prefs(run=wb.settings.run, speed=wb.settings.speed, log=wb.settings.log),
        )
