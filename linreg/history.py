"""What training recorded, epoch by epoch, kept in numpy arrays."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SNAPSHOT_BUDGET_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Snapshot:
    """The model right after ``epoch`` (0 = the initial parameters), in training units."""

    epoch: int
    weight: np.ndarray  # (K, D) float32: weights after the epoch's last update
    bias: np.ndarray  # (K,) float32
    weight_grad: (
        np.ndarray
    )  # (K, D) float32: gradients that produced that update (zeros at epoch 0)
    bias_grad: np.ndarray  # (K,) float32
    learning_rate: float  # the rate that update used (nan at epoch 0)


class History:
    """Per-epoch record of a training run.

    For epoch e (1-based): ``loss[e-1]`` is the full-data loss measured *before* the epoch's
    first update and ``learning_rate[e-1]`` the rate it used. Parameter snapshots hold the
    weights and bias *after* the epoch and the gradients of its last update. They are kept for
    every epoch while they fit in ``budget_bytes``; past that only every ``stride``-th epoch is
    kept (stride doubles each time the budget fills), so very wide models stay bounded in memory.
    """

    def __init__(
        self, n_targets: int, n_inputs: int, budget_bytes: int = SNAPSHOT_BUDGET_BYTES
    ) -> None:
        self.n_epochs = 0
        self.stride = 1
        snapshot_bytes = 4 * 2 * (n_targets * n_inputs + n_targets)
        self._max_snapshots = max(64, budget_bytes // snapshot_bytes)
        self._loss = np.empty(1024)
        self._rate = np.empty(1024)
        self._n_snapshots = 0
        capacity = min(1024, self._max_snapshots)
        self._epoch_of = np.empty(capacity, dtype=np.int64)
        self._weight = np.empty((capacity, n_targets, n_inputs), dtype=np.float32)
        self._bias = np.empty((capacity, n_targets), dtype=np.float32)
        self._weight_grad = np.empty_like(self._weight)
        self._bias_grad = np.empty_like(self._bias)
        self._latest = self._previous = (None, None)

    # -- writing ----------------------------------------------------------------------------
    def start(self, weight: np.ndarray, bias: np.ndarray) -> None:
        """Record the initial parameters as epoch 0."""
        self._epoch_of[0] = 0
        self._weight[0], self._bias[0] = weight, bias
        self._weight_grad[0], self._bias_grad[0] = 0, 0
        self._n_snapshots = 1
        self._latest = (self._weight[0].copy(), self._bias[0].copy())

    def append(
        self, loss: float, learning_rate: float, weight, bias, weight_grad, bias_grad
    ) -> None:
        """Record one finished epoch; parameters and gradients are numpy arrays (copied here)."""
        e = self.n_epochs
        self._previous = self._latest
        if e == len(self._loss):
            self._loss = np.resize(self._loss, 2 * e)
            self._rate = np.resize(self._rate, 2 * e)
        self._loss[e] = loss
        self._rate[e] = learning_rate
        self.n_epochs = e + 1
        if (e + 1) % self.stride:
            self._latest = (weight.copy(), bias.copy())
            return
        i = self._slot()
        self._epoch_of[i] = e + 1
        self._weight[i] = weight
        self._bias[i] = bias
        self._weight_grad[i] = weight_grad
        self._bias_grad[i] = bias_grad
        self._n_snapshots = i + 1
        self._latest = (self._weight[i], self._bias[i])

    def _slot(self) -> int:
        n = self._n_snapshots
        if n < len(self._epoch_of):
            return n
        if n < self._max_snapshots:
            grow = min(2 * n, self._max_snapshots)
            for name in ("_epoch_of", "_weight", "_bias", "_weight_grad", "_bias_grad"):
                old = getattr(self, name)
                new = np.empty((grow, *old.shape[1:]), dtype=old.dtype)
                new[:n] = old[:n]
                setattr(self, name, new)
            return n
        # Budget full: keep every other snapshot (epoch 0 always stays).
        self.stride *= 2
        keep = np.flatnonzero(self._epoch_of[:n] % self.stride == 0)
        for name in ("_epoch_of", "_weight", "_bias", "_weight_grad", "_bias_grad"):
            array = getattr(self, name)
            array[: len(keep)] = array[keep]
        self._n_snapshots = len(keep)
        return self._n_snapshots

    def pop(self) -> None:
        """Forget the last epoch (used when it diverged)."""
        e = self.n_epochs
        self.n_epochs = e - 1
        if self._epoch_of[self._n_snapshots - 1] == e:
            self._n_snapshots -= 1
        self._latest = self._previous

    def truncate(self, n_epochs: int, latest: tuple[np.ndarray, np.ndarray] | None = None) -> None:
        """Forget every epoch after ``n_epochs`` (their losses and snapshots).

        The snapshots kept so far stay, and so does the stride: later epochs are kept on the
        same grid. ``latest`` (weight (K, D), bias (K,)) gives the parameters after
        ``n_epochs`` when that epoch's snapshot was thinned out; it is needed then.
        """
        if not 0 <= n_epochs <= self.n_epochs:
            raise IndexError(f"epoch {n_epochs} is outside 0..{self.n_epochs}")
        self._n_snapshots = int(np.searchsorted(self.snapshot_epochs, n_epochs, side="right"))
        self.n_epochs = n_epochs
        i = self._n_snapshots - 1
        if self._epoch_of[i] == n_epochs:
            self._latest = (self._weight[i], self._bias[i])
        elif latest is not None:
            self._latest = (
                np.array(latest[0], dtype=np.float32),
                np.array(latest[1], dtype=np.float32),
            )
        else:
            raise ValueError(
                f"the parameters after epoch {n_epochs} were not kept: pass them as latest"
            )
        self._previous = self._latest

    def fork(self) -> History:
        """A copy to train on apart (``Trainer.fork``): every loss and learning rate, the stride,
        and of the snapshots only epoch 0's and the parameters after the last epoch."""
        n_targets, n_inputs = self._weight.shape[1:]
        other = History(n_targets, n_inputs)
        other._max_snapshots = self._max_snapshots
        other.n_epochs, other.stride = self.n_epochs, self.stride
        other._loss = np.empty(max(1024, 2 * self.n_epochs))
        other._rate = np.empty_like(other._loss)
        other._loss[: self.n_epochs] = self.loss
        other._rate[: self.n_epochs] = self.learning_rate
        first = self._at(0)
        other.start(first.weight, first.bias)
        weight, bias = self._latest
        other._latest = other._previous = (np.array(weight), np.array(bias))
        return other

    # -- reading ----------------------------------------------------------------------------
    @property
    def loss(self) -> np.ndarray:
        """(n_epochs,) float64: loss of epoch e at index e-1, measured before its update."""
        return self._loss[: self.n_epochs]

    @property
    def learning_rate(self) -> np.ndarray:
        """(n_epochs,) float64: the learning rate epoch e used, at index e-1."""
        return self._rate[: self.n_epochs]

    @property
    def snapshot_epochs(self) -> np.ndarray:
        """Epochs whose parameters are kept, ascending (always starts with 0)."""
        return self._epoch_of[: self._n_snapshots]

    def last_parameters_finite(self) -> bool:
        weight, bias = self._latest
        return bool(np.isfinite(weight).all() and np.isfinite(bias).all())

    def latest(self) -> Snapshot:
        """The parameters after the last recorded epoch (gradients only if that epoch is kept)."""
        i = self._n_snapshots - 1
        if self._epoch_of[i] == self.n_epochs:
            return self._at(i)
        weight, bias = self._latest
        return Snapshot(
            self.n_epochs,
            weight.copy(),
            bias.copy(),
            np.full_like(weight, np.nan),
            np.full_like(bias, np.nan),
            float(self._rate[self.n_epochs - 1]),
        )

    def snapshot(self, epoch: int) -> Snapshot:
        """The kept snapshot at ``epoch``, or the nearest kept one before it."""
        if not 0 <= epoch <= self.n_epochs:
            raise IndexError(f"epoch {epoch} is outside 0..{self.n_epochs}")
        if epoch == self.n_epochs:
            return self.latest()
        i = int(np.searchsorted(self.snapshot_epochs, epoch, side="right")) - 1
        return self._at(i)

    def _at(self, i: int) -> Snapshot:
        epoch = int(self._epoch_of[i])
        rate = float(self._rate[epoch - 1]) if epoch > 0 else float("nan")
        return Snapshot(
            epoch,
            self._weight[i].copy(),
            self._bias[i].copy(),
            self._weight_grad[i].copy(),
            self._bias_grad[i].copy(),
            rate,
        )

    def nbytes(self) -> int:
        """Memory held by the record's arrays."""
        arrays = (
            self._loss,
            self._rate,
            self._epoch_of,
            self._weight,
            self._bias,
            self._weight_grad,
            self._bias_grad,
        )
        return sum(a.nbytes for a in arrays)

    # -- export and import (a run taken over elsewhere: the live room's "Make it mine") -------
    def export(self, max_snapshot_bytes: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
        """Everything recorded, as plain arrays (copies) and JSON-able metadata.

        arrays: loss (E,), learning_rate (E,) float64; snapshot_epochs (S,) int64; weight
        (S, K, D), bias (S, K), weight_grad (S, K, D), bias_grad (S, K) float32; latest_weight
        (K, D), latest_bias (K,) float32: the parameters after the last epoch.
        ``History.from_export`` rebuilds an equal record that goes on thinning the same way.
        With ``max_snapshot_bytes``, snapshots past that size are thinned first (the stride
        doubles until they fit; epoch 0 and the losses stay whole).
        """
        n, s = self.n_epochs, self._n_snapshots
        epochs, stride = self._epoch_of[:s], self.stride
        keep = np.arange(s)
        if max_snapshot_bytes is not None:
            per_snapshot = 2 * (self._weight[0].nbytes + self._bias[0].nbytes)
            while len(keep) > 1 and len(keep) * per_snapshot > max_snapshot_bytes:
                stride *= 2
                keep = np.flatnonzero(epochs % stride == 0)
        latest_weight, latest_bias = self._latest
        arrays = {
            "loss": self._loss[:n].copy(),
            "learning_rate": self._rate[:n].copy(),
            "snapshot_epochs": epochs[keep],
            "weight": self._weight[keep],
            "bias": self._bias[keep],
            "weight_grad": self._weight_grad[keep],
            "bias_grad": self._bias_grad[keep],
            "latest_weight": np.array(latest_weight, dtype=np.float32),
            "latest_bias": np.array(latest_bias, dtype=np.float32),
        }
        meta = {
            "n_epochs": n,
            "stride": stride,
            "max_snapshots": int(self._max_snapshots),
            "n_targets": int(self._weight.shape[1]),
            "n_inputs": int(self._weight.shape[2]),
        }
        return arrays, meta

    @classmethod
    def from_export(cls, arrays: dict[str, np.ndarray], meta: dict) -> History:
        """The record ``export`` gave; ValueError if the arrays do not fit the metadata."""
        n_targets, n_inputs = int(meta["n_targets"]), int(meta["n_inputs"])
        n, stride = int(meta["n_epochs"]), int(meta["stride"])
        epochs = np.asarray(arrays["snapshot_epochs"], dtype=np.int64)
        s = len(epochs)
        shapes = {
            "loss": (n,),
            "learning_rate": (n,),
            "weight": (s, n_targets, n_inputs),
            "bias": (s, n_targets),
            "weight_grad": (s, n_targets, n_inputs),
            "bias_grad": (s, n_targets),
            "latest_weight": (n_targets, n_inputs),
            "latest_bias": (n_targets,),
        }
        for name, shape in shapes.items():
            if np.shape(arrays[name]) != shape:
                raise ValueError(f"history {name} has shape {np.shape(arrays[name])}, not {shape}")
        if s < 1 or epochs[0] != 0 or np.any(np.diff(epochs) <= 0) or epochs[-1] > n:
            raise ValueError("history snapshot epochs must start at 0 and grow up to its epochs")
        if stride < 1 or stride & (stride - 1):
            raise ValueError(f"history stride {stride} is not a power of two")
        history = cls(n_targets, n_inputs)
        history._max_snapshots = max(int(meta["max_snapshots"]), s, 1)
        history.n_epochs, history.stride = n, stride
        history._loss = np.empty(max(1024, n))
        history._rate = np.empty(max(1024, n))
        history._loss[:n] = arrays["loss"]
        history._rate[:n] = arrays["learning_rate"]
        capacity = max(s, min(1024, history._max_snapshots))
        history._epoch_of = np.empty(capacity, dtype=np.int64)
        history._weight = np.empty((capacity, n_targets, n_inputs), dtype=np.float32)
        history._bias = np.empty((capacity, n_targets), dtype=np.float32)
        history._weight_grad = np.empty_like(history._weight)
        history._bias_grad = np.empty_like(history._bias)
        history._epoch_of[:s] = epochs
        for name in ("weight", "bias", "weight_grad", "bias_grad"):
            getattr(history, f"_{name}")[:s] = arrays[name]
        history._n_snapshots = s
        if epochs[-1] == n:
            history._latest = (history._weight[s - 1], history._bias[s - 1])
        else:
            history._latest = (
                np.array(arrays["latest_weight"], dtype=np.float32),
                np.array(arrays["latest_bias"], dtype=np.float32),
            )
        history._previous = history._latest
        return history
