"""One person's data, settings and training run: everything the page shows, minus the page.

The dashboard keeps one ``Workbench`` per browser session and calls its methods from widget
callbacks. It never raises for bad input: a ``LinregError`` is stored in ``errors`` under the
place where it happened, and the last good data and training stay as they were.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np
import pandas as pd

from linreg import data
from linreg.dashboard.settings import Settings
from linreg.errors import LinregError
from linreg.reference import least_squares, stable_learning_rate
from linreg.trainer import Trainer

# The samples' column names in Spanish (the seed notebook's words).
SAMPLE_NAMES_ES = {
    "temperature": "temperatura",
    "rainfall": "lluvia",
    "humidity": "humedad",
    "apples": "manzanas",
    "oranges": "naranjas",
}
MAX_KEPT_RUNS = 8


class Place(StrEnum):
    """Where on the page an error is shown: beside the widget whose input caused it."""

    UPLOAD = "upload"  # the file uploader
    DATA = "data"  # the data source (a sample, a link's columns, dropping missing rows)
    EDIT = "edit"  # the table editor
    ROLES = "roles"  # the input and target columns
    SETTINGS = "settings"  # the training settings


# Settings whose change means a new model (and says so); the learning rate is not among them.
RESTARTING = ("engine", "opt", "batch", "std", "stdy", "init", "seed")


def _locked(method):
    """Run ``method`` holding the workbench's lock."""

    @functools.wraps(method)
    def locked(self, *args, **kwargs):
        with self.lock:
            return method(self, *args, **kwargs)

    return locked


@dataclass(frozen=True)
class KeptRun:
    """An earlier run's loss curve, kept to compare with the current one."""

    label: str
    epochs: np.ndarray  # (E + 1,) int: 0 … E
    loss: np.ndarray  # (E + 1,) float64: the loss of the weights after each epoch


@dataclass(frozen=True)
class Notice:
    """A one-line message for the page: an i18n key and its parameters."""

    key: str
    params: dict


def sample_frame(name: str, lang: str) -> pd.DataFrame:
    """A sample table with its columns named in ``lang``."""
    frame = data.load_sample(name)
    return frame.rename(columns=SAMPLE_NAMES_ES) if lang == "es" else frame


class Workbench:
    """The table, the chosen columns, the trainer built from them, and what went wrong where."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        # Held while training or replacing the trainer: two script runs of one session (a click
        # arriving while an animation frame finishes) must not step the same tensors at once.
        self.lock = threading.RLock()
        self.errors: dict[Place, LinregError] = {}
        self.notice: Notice | None = None
        self.runs: list[KeptRun] = []
        self.table_version = 0  # grows each time the table is replaced (not edited)
        self.source_label = ""
        self.conversions: tuple[data.Conversion, ...] = ()  # how the upload's columns were read
        sample = self.settings.data if self.settings.data != "upload" else "sample5"
        self.table = sample_frame(sample, self.settings.lang)
        self.source_label = sample
        # A table refused for missing values, loaded if dropping them is then ticked.
        self._pending: tuple[pd.DataFrame, str, Settings] | None = None
        dataset = self._select(self.table, self.settings)
        if dataset is None:  # roles from a link that this data does not have: the error stays shown
            self.settings = replace(self.settings, inputs=(), targets=())
            dataset = self._select(self.table, self.settings, place=Place.DATA)
        self.dataset = dataset
        self.reference = least_squares(self.dataset.inputs, self.dataset.targets)
        self.trainer = self._new_trainer(self.settings)

    # -- data ---------------------------------------------------------------------------------
    @_locked
    def load_sample(self, name: str) -> None:
        """Replace the table with a sample; training restarts."""
        frame = sample_frame(name, self.settings.lang)
        self._replace_table(frame, name, replace(self.settings, data=name, inputs=(), targets=()))

    def expect_upload(self) -> None:
        """The data source is now an upload; the current table stays until a file arrives."""
        self.settings = replace(self.settings, data="upload")

    @_locked
    def load_table(
        self, frame: pd.DataFrame, label: str, conversions: tuple[data.Conversion, ...] = ()
    ) -> bool:
        """Replace the table with an uploaded one (already parsed, its columns written for people
        ``conversions``); False if it cannot be used."""
        self.errors.pop(Place.UPLOAD, None)
        settings = replace(self.settings, data="upload", inputs=(), targets=())
        if not self._replace_table(frame, label, settings, Place.UPLOAD):
            return False
        self.conversions = conversions
        return True

    def report(self, place: Place, error: LinregError) -> None:
        """Keep an error to show beside ``place``; nothing else changes."""
        self.errors[place] = error

    @_locked
    def edit_table(self, frame: pd.DataFrame) -> None:
        """Use an edited copy of the table; a bad edit is reported and the last good data kept."""
        try:
            table = data.validate_frame(frame)
        except LinregError as error:
            self.errors[Place.EDIT] = error
            return
        if table.equals(self.table):
            # e.g. the editor's empty new row (blank rows are not data): nothing to retrain.
            self.errors.pop(Place.EDIT, None)
            return
        dataset = self._select(table, self.settings, place=Place.EDIT)
        if dataset is None:
            return
        self.errors.pop(Place.EDIT, None)
        self.table = table
        self._restart(dataset, Notice("notice.restart_data", {}))

    @_locked
    def set_roles(self, inputs: tuple[str, ...], targets: tuple[str, ...]) -> None:
        """Choose input and target columns; training restarts. An empty choice is reported."""
        settings = replace(self.settings, inputs=tuple(inputs), targets=tuple(targets))
        dataset = self._select(self.table, settings, place=Place.ROLES, explicit=True)
        if dataset is None:
            return
        self.errors.pop(Place.ROLES, None)
        self.settings = settings
        self._restart(dataset, Notice("notice.restart_columns", {}))

    @_locked
    def set_drop_missing(self, drop: bool) -> None:
        """Refuse or drop rows with missing values; retries a file refused for them."""
        if self._pending is not None:
            frame, label, settings = self._pending
            place = Place.UPLOAD if settings.data == "upload" else Place.DATA
            if self._replace_table(frame, label, replace(settings, drop=drop), place):
                return
        settings = replace(self.settings, drop=drop)
        dataset = self._select(self.table, settings, place=Place.DATA)
        self.settings = settings
        if dataset is not None:
            self.errors.pop(Place.DATA, None)
            self._restart(dataset, Notice("notice.restart_data", {}))

    # -- settings ------------------------------------------------------------------------------
    @_locked
    def update(self, **changes: object) -> None:
        """Change settings. A new learning rate goes on training; model settings restart it."""
        settings = replace(self.settings, **changes)
        try:
            settings.train_config().validate()
        except LinregError as error:
            self.errors[Place.SETTINGS] = error
            return
        self.errors.pop(Place.SETTINGS, None)
        old, self.settings = self.settings, settings
        if settings.lang != old.lang:
            self._rename_sample_columns(old.lang, settings.lang)
        if settings.lr != old.lr:
            self.trainer.set_learning_rate(settings.lr)
        changed = [name for name in RESTARTING if getattr(settings, name) != getattr(old, name)]
        if changed:
            self.keep_run()
            self.trainer = self._new_trainer(settings)
            self.notice = Notice("notice.restart_setting", {"setting": changed[0]})

    def _rename_sample_columns(self, old: str, new: str) -> None:
        if self.source_label not in data.SAMPLES:
            return
        mapping = SAMPLE_NAMES_ES if new == "es" else {v: k for k, v in SAMPLE_NAMES_ES.items()}
        self.table = self.table.rename(columns=mapping)
        self.dataset = replace(
            self.dataset,
            input_names=tuple(mapping.get(n, n) for n in self.dataset.input_names),
            target_names=tuple(mapping.get(n, n) for n in self.dataset.target_names),
        )
        self.settings = replace(
            self.settings,
            inputs=tuple(mapping.get(n, n) for n in self.settings.inputs),
            targets=tuple(mapping.get(n, n) for n in self.settings.targets),
        )
        self.table_version += 1

    # -- training ------------------------------------------------------------------------------
    @_locked
    def step(self) -> bool:
        return self.trainer.step()

    def run(
        self, epochs: int, seconds: float | None = None, wanted: Callable[[], bool] = lambda: True
    ) -> int:
        """Train up to ``epochs`` epochs (for at most about ``seconds``); return how many ran.

        ``wanted`` is asked once the lock is held: a frame of an animation the person has
        stopped meanwhile (another script run of the same session) trains nothing.
        """
        with self.lock:
            return self.trainer.run(epochs, seconds) if wanted() else 0

    @_locked
    def reset(self) -> None:
        """Start training again from the initial weights, keeping this run's curve to compare."""
        self.keep_run()
        self.trainer = self._new_trainer(self.settings)
        self.notice = Notice("notice.reset", {})

    def keep_run(self) -> None:
        """Remember the current run's loss curve (if it has one) for the comparison view."""
        history = self.trainer.history
        if history.n_epochs == 0:
            return
        config = self.trainer.config
        label = f"lr={self.trainer.learning_rate:g} · {config.engine}"
        if config.engine == "nn":
            label += f"/{config.optimizer}"
        label += f" · seed {config.seed}"
        run = KeptRun(label, np.arange(history.n_epochs + 1), self.trainer.losses_after())
        self.runs = [*self.runs[-(MAX_KEPT_RUNS - 1) :], run]

    @_locked
    def clear_runs(self) -> None:
        self.runs = []

    # -- internals -----------------------------------------------------------------------------
    def _select(
        self,
        table: pd.DataFrame,
        settings: Settings,
        place: Place = Place.ROLES,
        explicit: bool = False,
    ) -> data.Dataset | None:
        """The dataset for ``settings``' roles (empty roles: the defaults, unless ``explicit``)."""
        inputs, targets = settings.inputs, settings.targets
        if not explicit:
            inputs, targets = inputs or None, targets or None
            if inputs is None and targets is None and self._is_sample(table):
                # A sample: the seed's roles, three inputs and two targets.
                inputs, targets = list(table.columns[:3]), list(table.columns[3:])
        try:
            return data.select(table, inputs, targets, drop_missing=settings.drop)
        except LinregError as error:
            self.errors[place] = error
            return None

    @staticmethod
    def _is_sample(table: pd.DataFrame) -> bool:
        names = list(table.columns)
        return names in (list(SAMPLE_NAMES_ES), list(SAMPLE_NAMES_ES.values()))

    def _replace_table(
        self, frame: pd.DataFrame, label: str, settings: Settings, place: Place = Place.DATA
    ) -> bool:
        dataset = self._select(frame, settings, place=place)
        if dataset is None:
            missing = self.errors[place].code == "missing_values"
            self._pending = (frame, label, settings) if missing else None
            return False
        for key in (Place.DATA, Place.EDIT, Place.ROLES, Place.UPLOAD):
            self.errors.pop(key, None)
        self._pending = None
        self.table, self.source_label, self.settings = frame, label, settings
        self.conversions = ()
        self.table_version += 1
        self._restart(dataset, Notice("notice.restart_data", {}))
        return True

    def _restart(self, dataset: data.Dataset, notice: Notice) -> None:
        self.runs = []  # curves on other data do not compare
        self.dataset = dataset
        self.reference = least_squares(dataset.inputs, dataset.targets)
        self.trainer = self._new_trainer(self.settings)
        self.notice = notice

    def _new_trainer(self, settings: Settings) -> Trainer:
        trainer = Trainer(self.dataset.inputs, self.dataset.targets, settings.train_config())
        self.optimum = trainer.optimal_loss(self.reference)  # the floor of the loss curve
        # The hint beside the learning rate: plain full-batch gradient descent diverges above it.
        self.stable_learning_rate = stable_learning_rate(
            self.dataset.inputs, trainer.config.standardize, self.dataset.n_targets
        )
        return trainer

    # -- a run taken over (the live room's "Make it mine") ----------------------------------------
    @_locked
    def take_over(
        self,
        table: pd.DataFrame,
        label: str,
        settings: Settings,
        trainer_arrays: dict[str, np.ndarray],
        trainer_meta: dict,
    ) -> None:
        """Train on ``table`` with ``settings`` from where another run is (``Trainer.state()``):
        its next epochs are bit-identical to that run's. LinregError if the table, the roles or
        the state do not fit; nothing changes then."""
        table = data.validate_frame(table)
        inputs, targets = settings.inputs or None, settings.targets or None
        if inputs is None and targets is None and self._is_sample(table):
            inputs, targets = list(table.columns[:3]), list(table.columns[3:])
        dataset = data.select(table, inputs, targets, drop_missing=settings.drop)
        reference = least_squares(dataset.inputs, dataset.targets)
        trainer = Trainer.from_state(dataset.inputs, dataset.targets, trainer_arrays, trainer_meta)
        self.errors.clear()
        self._pending = None
        self.table, self.source_label, self.settings = table, label, settings
        self.table_version += 1
        self.runs = []
        self.dataset, self.reference, self.trainer = dataset, reference, trainer
        self.optimum = trainer.optimal_loss(reference)
        self.notice = None
