"""Train ``targets ≈ inputs @ weight.T + bias`` with PyTorch, one epoch per call.

The "scratch" engine is the seed notebook's loop exactly: float32 tensors, predictions
``x @ W.t() + b``, ``loss = sum(d * d) / d.numel()``, ``loss.backward()``, the update
``W -= W.grad * lr`` under ``torch.no_grad()``, gradients zeroed. The "nn" engine is the
lesson's second half: ``nn.Linear``, ``F.mse_loss`` and a ``torch.optim`` optimizer.
Each trainer owns its ``torch.Generator``; nothing here touches global RNG state.
"""

from __future__ import annotations

import copy
import hashlib
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from linreg.errors import POSITIVE, LinregError
from linreg.history import History, Snapshot
from linreg.reference import LeastSquares, standardization
from linreg.texts import Phrase

ENGINES = ("scratch", "nn")  # "scratch": the seed's manual update; "nn": nn.Linear + torch.optim


@dataclass(frozen=True)
class OptimizerChoice:
    """A ``torch.optim`` optimizer with its fixed options; the learning rate is the run's."""

    cls: type[torch.optim.Optimizer]
    options: Mapping[str, float] = field(default_factory=dict)

    def make(self, params: Iterable[torch.Tensor], learning_rate: float) -> torch.optim.Optimizer:
        return self.cls(params, lr=learning_rate, **self.options)

    def source(self, params: str, learning_rate: str) -> str:
        """The Python expression that builds it, for the generated script."""
        options = "".join(f", {name}={value!r}" for name, value in self.options.items())
        return f"torch.optim.{self.cls.__name__}({params}, lr={learning_rate}{options})"


# The nn engine's optimizers, by the name settings, links and the command line use.
OPTIMIZERS: dict[str, OptimizerChoice] = {
    "sgd": OptimizerChoice(torch.optim.SGD),
    "momentum": OptimizerChoice(torch.optim.SGD, {"momentum": 0.9}),
    "adam": OptimizerChoice(torch.optim.Adam),
}
# Initial weights and bias: the torch function that draws them from the run's generator
# (None: zeros). "uniform" is the seed's torch.rand.
INITS: dict[str, str | None] = {"uniform": "torch.rand", "normal": "torch.randn", "zeros": None}
# Training stops when the loss grows past this many times the larger of the first
# epoch's loss and the loss of predicting zero everywhere: it has exploded.
EXPLODE_FACTOR = 1e8
DEFAULT_EPOCHS = 100  # epochs of one command-line run, or of one press of Run
MAX_SEED = 2**63 - 1  # torch.Generator.manual_seed takes up to this
# Trainer.run with a deadline checks the clock after chunks of epochs this long, at most.
_CHUNK_SECONDS = 0.02


@dataclass(frozen=True)
class TrainConfig:
    """Every setting of a training run."""

    learning_rate: float = 1e-5
    engine: str = "scratch"  # "scratch": the seed's manual update; "nn": nn.Linear + torch.optim
    optimizer: str = "sgd"  # nn engine: "sgd", "momentum" (SGD, momentum 0.9) or "adam"
    batch_size: int | None = (
        None  # None (or ≥ rows): full batch; else mini-batches reshuffled each epoch
    )
    standardize: bool = (
        False  # z-score the inputs for training; results also given in original units
    )
    # z-score the targets too: the loss is then in standardized units, weights still original
    standardize_targets: bool = False
    init: str = "uniform"  # "uniform": torch.rand like the seed; "normal": torch.randn; "zeros"
    seed: int = 0

    def validate(self) -> TrainConfig:
        """Return self, or raise LinregError naming the first impossible setting."""
        _check_learning_rate(self.learning_rate)
        for name, value, choices in (
            ("engine", self.engine, ENGINES),
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("init", self.init, INITS),
        ):
            if value not in choices:
                raise LinregError(
                    "bad_setting", name=name, value=value, expected=" | ".join(choices)
                )
        if self.batch_size is not None and (
            isinstance(self.batch_size, bool)
            or not isinstance(self.batch_size, int)
            or self.batch_size < 1
        ):
            raise LinregError(
                "bad_setting",
                name="batch_size",
                value=self.batch_size,
                expected=Phrase(
                    "a whole number ≥ 1, or full batch", "un número entero ≥ 1, o lote completo"
                ),
            )
        if (
            isinstance(self.seed, bool)
            or not isinstance(self.seed, int)
            or not 0 <= self.seed <= MAX_SEED
        ):
            raise LinregError(
                "bad_setting",
                name="seed",
                value=self.seed,
                expected=Phrase(
                    f"a whole number from 0 to {MAX_SEED}", f"un número entero de 0 a {MAX_SEED}"
                ),
            )
        return self

    def with_(self, **changes: object) -> TrainConfig:
        """A copy with some settings changed, validated."""
        return replace(self, **changes).validate()


def _check_learning_rate(value: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (math.isfinite(value) and value > 0)
    ):
        raise LinregError("bad_setting", name="learning_rate", value=value, expected=POSITIVE)


def initial_parameters(
    n_targets: int, n_inputs: int, init: str, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Weight (K, D) then bias (K,), drawn in that order from ``generator`` like the seed's torch.rand."""
    draw = INITS[init]
    if draw is None:
        return torch.zeros(n_targets, n_inputs), torch.zeros(n_targets)
    draw = {"torch.rand": torch.rand, "torch.randn": torch.randn}[draw]
    return draw(n_targets, n_inputs, generator=generator), draw(n_targets, generator=generator)


def to_original_units(
    weight: np.ndarray,
    bias: np.ndarray,
    mean: np.ndarray,
    scale: np.ndarray,
    target_mean: np.ndarray | float = 0.0,
    target_scale: np.ndarray | float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Weight (K, D) and bias (K,) learnt on ``(x - mean) / scale`` predicting
    ``(y - target_mean) / target_scale``, rewritten to predict raw ``y`` from raw ``x``."""
    target_scale = np.asarray(target_scale, dtype=np.float64)
    weight = np.asarray(weight, dtype=np.float64) * np.reshape(target_scale, (-1, 1)) / scale
    bias = np.asarray(bias, dtype=np.float64) * target_scale + target_mean - weight @ mean
    return weight, bias


class Trainer:
    """A linear model and its optimiser; ``step()`` runs one epoch and records it in ``history``.

    inputs (N, D) and targets (N, K) are in original units; with ``standardize`` the model
    trains on z-scored inputs and ``parameters()`` converts back.
    """

    def __init__(
        self, inputs: np.ndarray, targets: np.ndarray, config: TrainConfig | None = None
    ) -> None:
        self.config = (config or TrainConfig()).validate()
        inputs = np.asarray(inputs, dtype=np.float64)
        targets = np.asarray(targets, dtype=np.float64)
        if inputs.ndim != 2 or targets.ndim != 2 or len(inputs) != len(targets):
            raise LinregError("shape_mismatch", n_inputs=len(inputs), n_targets=len(targets))
        n_rows, n_inputs = inputs.shape
        n_targets = targets.shape[1]
        self.input_mean, self.input_scale = np.zeros(n_inputs), np.ones(n_inputs)
        if self.config.standardize:
            self.input_mean, self.input_scale = standardization(inputs)
            inputs = (inputs - self.input_mean) / self.input_scale
        self.target_mean, self.target_scale = np.zeros(n_targets), np.ones(n_targets)
        if self.config.standardize_targets:
            self.target_mean, self.target_scale = standardization(targets)
            targets = (targets - self.target_mean) / self.target_scale
        self._x = torch.from_numpy(np.ascontiguousarray(inputs, dtype=np.float32))
        self._y = torch.from_numpy(np.ascontiguousarray(targets, dtype=np.float32))
        self.learning_rate = float(self.config.learning_rate)
        self.generator = torch.Generator().manual_seed(self.config.seed)
        weight, bias = initial_parameters(n_targets, n_inputs, self.config.init, self.generator)
        self.history = History(n_targets, n_inputs)
        self.history.start(weight.numpy(), bias.numpy())
        self.diverged_at: int | None = None
        self.divergence: str | None = None  # "not_finite" or "exploded"
        self._zero_loss = float(np.mean(targets * targets)) if targets.size else 0.0
        batch = self.config.batch_size
        self._full_batch = batch is None or batch >= n_rows
        self._views: tuple[np.ndarray, ...] | None = None
        if self.config.engine == "scratch":
            self.weight = weight.requires_grad_()
            self.bias = bias.requires_grad_()
            self._optimizer = None
        else:
            # skip_init builds nn.Linear without its own random init (which would use global RNG).
            self._model = nn.utils.skip_init(nn.Linear, n_inputs, n_targets)
            with torch.no_grad():
                self._model.weight.copy_(weight)
                self._model.bias.copy_(bias)
            self.weight, self.bias = self._model.weight, self._model.bias
            self._optimizer = OPTIMIZERS[self.config.optimizer].make(
                self._model.parameters(), self.learning_rate
            )

    # -- shape and state ------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return self._x.shape[0]

    @property
    def epoch(self) -> int:
        """Epochs completed so far (0 before the first step)."""
        return self.history.n_epochs

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def set_learning_rate(self, learning_rate: float) -> None:
        """Change the learning rate for the next epochs; training goes on from where it is."""
        _check_learning_rate(learning_rate)
        self.learning_rate = float(learning_rate)
        if self._optimizer is not None:
            for group in self._optimizer.param_groups:
                group["lr"] = self.learning_rate

    # -- training ---------------------------------------------------------------------------
    def step(self) -> bool:
        """Run one epoch; False (and nothing changed) once training has diverged."""
        if self.diverged_at is not None:
            return False
        if self._full_batch:
            loss = self._update(self._x, self._y)
        else:
            loss = self.current_loss()
            order = torch.randperm(self.n_rows, generator=self.generator)
            for rows in order.split(self.config.batch_size):
                self._zero_grad()
                self._update(self._x[rows], self._y[rows])
        if self._views is None:
            # numpy views sharing the tensors' memory: the cheapest way to record them.
            self._views = tuple(
                t.detach().numpy()
                for t in (self.weight, self.bias, self.weight.grad, self.bias.grad)
            )
        self.history.append(loss, self.learning_rate, *self._views)
        self._zero_grad()
        reason = self._divergence(loss)
        if reason is not None:
            self.history.pop()
            self._restore(self.history.latest())
            self.diverged_at = self.history.n_epochs + 1
            self.divergence = reason
            return False
        return True

    def run(self, epochs: int, seconds: float | None = None) -> int:
        """Run up to ``epochs`` epochs, stopping early on divergence or, given ``seconds``, once
        that much time has passed (at least one epoch runs); return how many ran.

        The one training loop of the command line and the page: with a time limit the clock is
        read between chunks of epochs, each chunk doubling while it takes under _CHUNK_SECONDS.
        """
        done, chunk = 0, 1 if seconds is not None else epochs
        deadline = None if seconds is None else time.perf_counter() + seconds
        while done < epochs:
            started = time.perf_counter()
            for _ in range(min(chunk, epochs - done)):
                if not self.step():
                    return done
                done += 1
            now = time.perf_counter()
            if deadline is not None and now >= deadline:
                break
            if now - started < _CHUNK_SECONDS:
                chunk *= 2
        return done

    def _update(self, inputs: torch.Tensor, targets: torch.Tensor) -> float:
        """One gradient update on a batch; returns the batch loss measured before it."""
        if self._optimizer is None:
            predictions = inputs @ self.weight.t() + self.bias
            diff = predictions - targets
            loss = torch.sum(diff * diff) / diff.numel()
            loss.backward()
            with torch.no_grad():
                self.weight -= self.weight.grad * self.learning_rate
                self.bias -= self.bias.grad * self.learning_rate
        else:
            self._optimizer.zero_grad(set_to_none=False)
            loss = F.mse_loss(self._model(inputs), targets)
            loss.backward()
            self._optimizer.step()
        return loss.item()

    def _zero_grad(self) -> None:
        if self.weight.grad is not None:
            self.weight.grad.zero_()
            self.bias.grad.zero_()

    def _divergence(self, loss: float) -> str | None:
        if not (math.isfinite(loss) and self.history.last_parameters_finite()):
            return "not_finite"
        if loss > EXPLODE_FACTOR * max(self.history.loss[0], self._zero_loss):
            return "exploded"
        return None

    def _restore(self, snapshot: Snapshot) -> None:
        with torch.no_grad():
            self.weight.copy_(torch.from_numpy(snapshot.weight))
            self.bias.copy_(torch.from_numpy(snapshot.bias))
        if self._optimizer is not None:
            self._optimizer.state.clear()  # momentum/Adam moments may hold inf

    # -- reading the model ------------------------------------------------------------------
    def current_loss(self) -> float:
        """Full-data loss of the current weights (what the next epoch will record first)."""
        with torch.no_grad():
            diff = self._x @ self.weight.t() + self.bias - self._y
            return (torch.sum(diff * diff) / diff.numel()).item()

    def optimal_loss(self, reference: LeastSquares) -> float:
        """The least-squares floor (``reference``, fitted on this run's data) in the units of
        this run's loss: the data's own, or standardized targets' units."""
        if self.config.standardize_targets:
            return self.loss_of(reference.weight, reference.bias)
        return reference.loss

    def loss_of(self, weight: np.ndarray, bias: np.ndarray) -> float:
        """Full-data loss, in training units, of weight (K, D) and bias (K,) given in original
        units (e.g. the least-squares optimum), computed in float64."""
        weight = np.asarray(weight, dtype=np.float64)
        scale = np.reshape(self.target_scale, (-1, 1))
        trained_weight = weight * self.input_scale / scale
        trained_bias = (bias + weight @ self.input_mean - self.target_mean) / self.target_scale
        x, y = self._x.double().numpy(), self._y.double().numpy()
        diff = x @ trained_weight.T + trained_bias - y
        return float(np.mean(diff * diff))

    def loss_after(self, epoch: int) -> float:
        """Full-data loss of the weights after ``epoch`` (0 = the initial weights)."""
        if epoch < self.epoch:
            return float(self.history.loss[epoch])  # measured before epoch + 1's update
        return self.current_loss()

    def losses_after(self) -> np.ndarray:
        """(E + 1,) the full-data loss of the weights after each epoch 0 … E, float64."""
        return np.append(self.history.loss, self.current_loss())

    def parameters(
        self, epoch: int | None = None, original_units: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """Weight (K, D) and bias (K,) after ``epoch`` (default: now), float64."""
        snapshot = self.history.latest() if epoch is None else self.history.snapshot(epoch)
        if original_units:
            return to_original_units(
                snapshot.weight,
                snapshot.bias,
                self.input_mean,
                self.input_scale,
                self.target_mean,
                self.target_scale,
            )
        return snapshot.weight.astype(np.float64), snapshot.bias.astype(np.float64)

    def predict(self, inputs: np.ndarray, epoch: int | None = None) -> np.ndarray:
        """Targets (M, K) predicted for rows of inputs (M, D) in original units."""
        inputs = np.asarray(inputs, dtype=np.float64)
        if inputs.ndim == 1:
            inputs = inputs[None, :]
        weight, bias = self.parameters(epoch)
        if inputs.shape[1] != weight.shape[1]:
            raise LinregError("predict_width", expected=weight.shape[1], found=inputs.shape[1])
        return inputs @ weight.T + bias

    # -- checkpoints (issue 11: Pause lands on the epoch shown; the room's "Make it mine") ----
    def checkpoint(self) -> Checkpoint:
        """Everything the next epochs depend on, copied: restoring it and training on gives
        bit-identical numbers to a run that never left this point."""
        return Checkpoint(
            epoch=self.history.n_epochs,
            weight=self.weight.detach().clone(),
            bias=self.bias.detach().clone(),
            optimizer=(
                None if self._optimizer is None else copy.deepcopy(self._optimizer.state_dict())
            ),
            generator=self.generator.get_state(),
            learning_rate=self.learning_rate,
            diverged_at=self.diverged_at,
            divergence=self.divergence,
        )

    def restore(self, checkpoint: Checkpoint) -> None:
        """Go back to ``checkpoint`` (taken earlier from this trainer); later epochs are forgotten."""
        if checkpoint.epoch > self.history.n_epochs:
            raise ValueError(
                f"checkpoint of epoch {checkpoint.epoch} is ahead of this run "
                f"({self.history.n_epochs} epochs)"
            )
        with torch.no_grad():
            self.weight.copy_(checkpoint.weight)
            self.bias.copy_(checkpoint.bias)
        self._zero_grad()
        if self._optimizer is not None:
            # load_state_dict keeps the given tensors, which later steps update in place.
            self._optimizer.load_state_dict(copy.deepcopy(checkpoint.optimizer))
        self.generator.set_state(checkpoint.generator)
        self.learning_rate = checkpoint.learning_rate
        self.diverged_at = checkpoint.diverged_at
        self.divergence = checkpoint.divergence
        self.history.truncate(
            checkpoint.epoch, latest=(checkpoint.weight.numpy(), checkpoint.bias.numpy())
        )

    def fork(self) -> Trainer:
        """An independent copy of this run at this epoch (issue 18: a question's dry run).

        It shares only the training data, which training never writes; its parameters,
        optimizer state and random generator are copies, so training it leaves this trainer
        untouched and its epochs are bit-identical to the ones this trainer would run. Its
        history keeps every loss but, of the parameter snapshots, only epoch 0's and the latest
        (``History.fork``): cheap however long the run has been.
        """
        other = copy.copy(self)
        other.generator = torch.Generator()
        other.generator.set_state(self.generator.get_state())
        other.history = self.history.fork()
        other._views = None
        weight, bias = self.weight.detach().clone(), self.bias.detach().clone()
        if self._optimizer is None:
            other.weight, other.bias = weight.requires_grad_(), bias.requires_grad_()
            return other
        # A shallow copy of the nn.Linear with parameters of its own: building one afresh
        # (skip_init) or deep-copying it costs more than an epoch on a small table.
        other._model = copy.copy(self._model)
        other._model._parameters = {"weight": nn.Parameter(weight), "bias": nn.Parameter(bias)}
        other.weight, other.bias = other._model.weight, other._model.bias
        other._optimizer = OPTIMIZERS[self.config.optimizer].make(
            other._model.parameters(), self.learning_rate
        )
        for mine, theirs in ((self.weight, other.weight), (self.bias, other.bias)):
            state = self._optimizer.state.get(mine)
            if state:  # Adam's moments and step, SGD's momentum buffer: copies
                other._optimizer.state[theirs] = {
                    name: value.clone() if isinstance(value, torch.Tensor) else value
                    for name, value in state.items()
                }
        return other

    # -- the whole state as plain arrays (the live room's "Make it mine") -----------------------
    def state(self, max_snapshot_bytes: int | None = None) -> tuple[dict[str, np.ndarray], dict]:
        """Everything this run is and will do, as numpy arrays (copies) and JSON-able metadata.

        ``Trainer.from_state`` on the same inputs and targets rebuilds a trainer whose next
        epochs are bit-identical to this one's. arrays: weight (K, D), bias (K,) float32 in
        training units; generator (G,) uint8; ``optimizer/<param>/<name>`` the optimizer's
        per-parameter state (Adam's exp_avg, exp_avg_sq, step; momentum_buffer); ``history/…``
        (``History.export``, its snapshots thinned past ``max_snapshot_bytes``). meta: config,
        learning_rate, epoch, diverged_at, divergence, and a digest of the data it trains on.
        """
        arrays = {
            "weight": self.weight.detach().numpy().copy(),
            "bias": self.bias.detach().numpy().copy(),
            "generator": self.generator.get_state().numpy().copy(),
        }
        optimizer: list[list] = []
        if self._optimizer is not None:
            for index, values in self._optimizer.state_dict()["state"].items():
                for name, value in values.items():
                    if isinstance(value, torch.Tensor):
                        arrays[f"optimizer/{index}/{name}"] = value.detach().numpy().copy()
                        optimizer.append([int(index), name, "array"])
                    else:  # e.g. a momentum buffer not made yet (None)
                        optimizer.append([int(index), name, value])
        history_arrays, history_meta = self.history.export(max_snapshot_bytes)
        arrays.update({f"history/{name}": array for name, array in history_arrays.items()})
        meta = {
            "config": asdict(self.config),
            "learning_rate": self.learning_rate,
            "epoch": self.epoch,
            "diverged_at": self.diverged_at,
            "divergence": self.divergence,
            "optimizer": optimizer,
            "history": history_meta,
            "data": data_digest(self._x, self._y),
        }
        return arrays, meta

    @classmethod
    def from_state(
        cls, inputs: np.ndarray, targets: np.ndarray, arrays: Mapping[str, np.ndarray], meta: dict
    ) -> Trainer:
        """The trainer ``state()`` described, on the same inputs (N, D) and targets (N, K) in
        original units; LinregError("bad_checkpoint") if the state does not fit them."""
        try:
            config = TrainConfig(**meta["config"])
        except (TypeError, KeyError) as exc:
            raise LinregError("bad_checkpoint", reason=f"settings: {exc}") from exc
        trainer = cls(inputs, targets, config)
        try:
            if meta["data"] != data_digest(trainer._x, trainer._y):
                raise ValueError("it was trained on other data")
            with torch.no_grad():
                trainer.weight.copy_(torch.from_numpy(_shaped(arrays["weight"], trainer.weight)))
                trainer.bias.copy_(torch.from_numpy(_shaped(arrays["bias"], trainer.bias)))
            generator = np.asarray(arrays["generator"], dtype=np.uint8)
            trainer.generator.set_state(torch.from_numpy(generator.copy()))
            trainer.set_learning_rate(float(meta["learning_rate"]))
            if trainer._optimizer is not None:
                state: dict[int, dict] = {}
                for index, name, value in meta["optimizer"]:
                    if value == "array":
                        value = torch.from_numpy(np.array(arrays[f"optimizer/{index}/{name}"]))
                    state.setdefault(int(index), {})[str(name)] = value
                state_dict = trainer._optimizer.state_dict()
                state_dict["state"] = state
                trainer._optimizer.load_state_dict(state_dict)
            history = History.from_export(
                {k[len("history/") :]: v for k, v in arrays.items() if k.startswith("history/")},
                meta["history"],
            )
            if history.n_epochs != int(meta["epoch"]):
                raise ValueError("its history does not reach its epoch")
            trainer.history = history
            diverged_at = meta["diverged_at"]
            trainer.diverged_at = None if diverged_at is None else int(diverged_at)
            divergence = meta["divergence"]
            if divergence not in (None, "not_finite", "exploded"):
                raise ValueError(f"divergence {divergence!r}")
            trainer.divergence = divergence
        except LinregError:
            raise
        except (KeyError, ValueError, TypeError, RuntimeError, IndexError) as exc:
            raise LinregError("bad_checkpoint", reason=str(exc) or type(exc).__name__) from exc
        return trainer


def data_digest(inputs: torch.Tensor, targets: torch.Tensor) -> str:
    """A short fingerprint of the training tensors: a state is only valid on the same data."""
    digest = hashlib.sha256()
    for tensor in (inputs, targets):
        digest.update(str(tuple(tensor.shape)).encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()[:32]


def _shaped(array: np.ndarray, like: torch.Tensor) -> np.ndarray:
    array = np.array(array, dtype=np.float32)
    if array.shape != tuple(like.shape):
        raise ValueError(f"an array of shape {array.shape} where {tuple(like.shape)} was expected")
    return array


def warm_up() -> None:
    """Import the heavy, lazily loaded parts of torch.optim now rather than in a user's first step."""
    OPTIMIZERS["adam"].make([torch.zeros(1, requires_grad=True)], 1e-3)


@dataclass(frozen=True)
class Checkpoint:
    """A trainer's state after ``epoch`` epochs (``Trainer.checkpoint`` / ``Trainer.restore``)."""

    epoch: int
    weight: torch.Tensor  # (K, D) float32, in training units
    bias: torch.Tensor  # (K,) float32
    optimizer: dict | None  # torch.optim state_dict (deep copy); None for the scratch engine
    generator: torch.Tensor  # torch.Generator.get_state(): the mini-batch shuffles to come
    learning_rate: float
    diverged_at: int | None
    divergence: str | None
