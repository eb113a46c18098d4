"""The command line: ``python -m linreg train CSV`` and ``python -m linreg script CSV``.

Exit status: 0 done, 2 bad input or usage (one ``error:`` line on stderr), 3 training
diverged (results of the last finite weights still printed), 130 interrupted with Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from dataclasses import fields
from pathlib import Path

import numpy as np

from linreg.data import Dataset, read_table, select
from linreg.errors import LinregError
from linreg.formatting import equation, number
from linreg.reference import least_squares, r2_score, stable_learning_rate
from linreg.script import build_script
from linreg.texts import LANGUAGES, Catalog
from linreg.trainer import (
    DEFAULT_EPOCHS,
    ENGINES,
    EXPLODE_FACTOR,
    INITS,
    OPTIMIZERS,
    TrainConfig,
    Trainer,
)

EXIT_OK, EXIT_USAGE, EXIT_DIVERGED, EXIT_INTERRUPTED = 0, 2, 3, 130
MAX_EPOCHS = 10_000_000
DEFAULT = TrainConfig()
TABLE_ROWS = 15  # rows of the progress table, spread over the run
PROGRESS_DELAY_S = 1.0  # the progress bar appears only once a run has taken this long
PROGRESS_SECONDS = 0.1  # training between two updates of the bar (and checks for Ctrl-C)

TEXT = Catalog(
    "cli",
    {
        "header": (
            "{rows} rows · inputs: {inputs} · targets: {targets}",
            "{rows} filas · entradas: {inputs} · objetivos: {targets}",
        ),
        "dropped": (
            "Dropped {count} row(s) with missing values: {rows}",
            "Se descartaron {count} fila(s) con valores que faltan: {rows}",
        ),
        "epoch": ("epoch", "época"),
        "loss": ("loss", "pérdida"),
        "after": ("After {epochs} epoch(s):", "Tras {epochs} época(s):"),
        "summary": (
            "Loss: {loss} (least-squares optimum: {optimal})",
            "Pérdida: {loss} (óptimo por mínimos cuadrados: {optimal})",
        ),
        "r2": ("R²: {scores}", "R²: {scores}"),
        "not_finite": (
            "the loss or the weights became inf or NaN",
            "la pérdida o los pesos se volvieron inf o NaN",
        ),
        "exploded": (
            "the loss exploded (it grew more than {factor} times)",
            "la pérdida explotó (creció más de {factor} veces)",
        ),
        "diverged": (
            "warning: training diverged at epoch {epoch}: {reason}. The results shown are those "
            "of epoch {last}, the last finite weights. Try a smaller learning rate than {lr}{hint}.",
            "aviso: el entrenamiento divergió en la época {epoch}: {reason}. Los resultados son los "
            "de la época {last}, los últimos pesos finitos. Prueba una tasa de aprendizaje menor "
            "que {lr}{hint}.",
        ),
        "hint": (" or --standardize", " o --standardize"),
        "interrupted": (
            "interrupted: stopped after epoch {epoch}; the results so far follow.",
            "interrumpido: se detuvo tras la época {epoch}; siguen los resultados hasta ahora.",
        ),
        "stopped": ("interrupted", "interrumpido"),
        "wrote": (
            "Wrote {path}; run it with: python {path}",
            "Se escribió {path}; ejecútalo con: python {path}",
        ),
    },
)


class UsageError(Exception):
    """A command line argparse refused."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would print usage and exit itself
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(
            f"expected a whole number from 0 to {MAX_EPOCHS:,}, found {text!r}"
        )
    return value


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m linreg``."""
    common = _Parser(add_help=False)
    common.add_argument("csv", metavar="CSV", help="the data: a CSV file (or - for stdin)")
    common.add_argument(
        "--inputs",
        type=_names,
        metavar="A,B,...",
        help="input columns (default: all numeric but the last)",
    )
    common.add_argument(
        "--targets",
        type=_names,
        metavar="C,...",
        help="target columns (default: the last numeric one)",
    )
    common.add_argument(
        "--epochs",
        type=_epochs,
        default=DEFAULT_EPOCHS,
        metavar="N",
        help=f"epochs to train (default: {DEFAULT_EPOCHS})",
    )
    common.add_argument(
        "--lr",
        dest="learning_rate",
        type=float,
        default=DEFAULT.learning_rate,
        metavar="X",
        help=f"learning rate (default: {DEFAULT.learning_rate:g})",
    )
    common.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT.batch_size,
        metavar="N",
        help="mini-batch size, reshuffled every epoch (default: full batch)",
    )
    common.add_argument(
        "--standardize",
        action="store_true",
        default=DEFAULT.standardize,
        help="train on z-scored inputs (results still in original units)",
    )
    common.add_argument(
        "--standardize-targets",
        action="store_true",
        default=DEFAULT.standardize_targets,
        help="train on z-scored targets too (loss in standardized units, weights in original ones)",
    )
    common.add_argument(
        "--engine",
        choices=ENGINES,
        default=DEFAULT.engine,
        help="scratch: the notebook's manual update; nn: nn.Linear + torch.optim "
        f"(default: {DEFAULT.engine})",
    )
    common.add_argument(
        "--optimizer",
        choices=list(OPTIMIZERS),
        default=DEFAULT.optimizer,
        help=f"optimizer of the nn engine (default: {DEFAULT.optimizer})",
    )
    common.add_argument(
        "--init",
        choices=list(INITS),
        default=DEFAULT.init,
        help=f"initial weights: {', '.join(f'{name} ({draw or 0})' for name, draw in INITS.items())} "
        f"(default: {DEFAULT.init})",
    )
    common.add_argument(
        "--seed",
        type=int,
        default=DEFAULT.seed,
        metavar="N",
        help=f"random seed (default: {DEFAULT.seed})",
    )
    common.add_argument(
        "--drop-missing",
        action="store_true",
        help="drop rows with missing values instead of refusing them",
    )
    common.add_argument(
        "--lang", choices=list(LANGUAGES), default="en", help="language of messages (default: en)"
    )

    parser = _Parser(
        prog="python -m linreg",
        description="Linear regression trained with PyTorch, one epoch at a time.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = commands.add_parser(
        "train",
        parents=[common],
        help="train on a CSV file and print the fitted equations",
        description="Train on a CSV file; print the loss per epoch and the fitted equations.",
    )
    train.add_argument(
        "--json", action="store_true", help="print one JSON object instead of the report"
    )
    train.set_defaults(run=_train_command)
    script = commands.add_parser(
        "script",
        parents=[common],
        help="write a PyTorch script that reproduces the run",
        description="Write a self-contained PyTorch script that reproduces the training run.",
    )
    script.add_argument(
        "--output",
        "-o",
        default="-",
        metavar="FILE",
        help="where to write it (default: - for stdout)",
    )
    script.set_defaults(run=_script_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    _tolerate_unencodable_output()
    argv = sys.argv[1:] if argv is None else list(argv)
    lang = "es" if _requested_lang(argv) == "es" else "en"
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except UsageError as err:
        return _fail(str(err))
    except LinregError as err:
        return _fail(err.message(lang))
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        print(TEXT("stopped", lang), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, as the Python docs advise.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _train_command(args: argparse.Namespace) -> int:
    dataset = _dataset(args)
    trainer = Trainer(dataset.inputs, dataset.targets, _config(args))
    interrupted = _train(trainer, args.epochs)
    result = _result(dataset, trainer)
    if interrupted:
        print(TEXT("interrupted", args.lang, epoch=trainer.epoch), file=sys.stderr)
    if args.json:
        print(json.dumps(_json_safe(result), allow_nan=False))
    else:
        _print_report(dataset, trainer, result, args.lang)
    if trainer.diverged:
        _warn_divergence(trainer, args.lang)
    sys.stdout.flush()
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_DIVERGED if trainer.diverged else EXIT_OK


def _script_command(args: argparse.Namespace) -> int:
    dataset = _dataset(args)
    source = build_script(
        dataset.inputs,
        dataset.targets,
        dataset.input_names,
        dataset.target_names,
        _config(args),
        args.epochs,
        lang=args.lang,
    )
    if args.output == "-":
        sys.stdout.buffer.write(source.encode("utf-8"))
        sys.stdout.flush()
        return EXIT_OK
    try:
        Path(args.output).write_text(source, encoding="utf-8", newline="\n")
    except OSError as err:
        raise LinregError(
            "output_unwritable", path=args.output, reason=err.strerror or err
        ) from None
    print(TEXT("wrote", args.lang, path=args.output), file=sys.stderr)
    return EXIT_OK


def _dataset(args: argparse.Namespace) -> Dataset:
    """The chosen columns of the CSV; columns of numbers written for people are said on stderr."""
    source = sys.stdin.buffer.read() if args.csv == "-" else Path(args.csv)
    table = read_table(source)
    for conversion in table.conversions:
        print(_printable(conversion.message(args.lang)), file=sys.stderr)
    return select(table.frame, args.inputs, args.targets, drop_missing=args.drop_missing)


def _config(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(**{field.name: getattr(args, field.name) for field in fields(TrainConfig)})


def _train(trainer: Trainer, epochs: int) -> bool:
    """Run up to ``epochs`` epochs with a progress bar on a terminal; True if Ctrl-C stopped it.

    The first Ctrl-C stops training between epochs, so the weights stay those of a whole epoch;
    a second one interrupts at once.
    """
    from tqdm import tqdm

    stop: list[bool] = []

    def on_interrupt(signum, frame) -> None:
        if stop:
            raise KeyboardInterrupt
        stop.append(True)

    try:
        previous = signal.signal(signal.SIGINT, on_interrupt)
    except ValueError:  # not the main thread: leave Ctrl-C alone
        previous = None
    bar = tqdm(
        total=epochs,
        unit="epoch",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        delay=PROGRESS_DELAY_S,
        leave=False,
        dynamic_ncols=True,
    )
    try:
        while trainer.epoch < epochs and not trainer.diverged and not stop:
            bar.update(trainer.run(epochs - trainer.epoch, seconds=PROGRESS_SECONDS))
            if trainer.epoch:
                bar.set_postfix(loss=f"{trainer.history.loss[-1]:.4g}", refresh=False)
    finally:
        bar.close()
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
    return bool(stop)


def _result(dataset: Dataset, trainer: Trainer) -> dict:
    """What the run produced, for --json and the report."""
    weight, bias = trainer.parameters()
    predictions = dataset.inputs @ weight.T + bias
    return {
        "inputs": list(dataset.input_names),
        "targets": list(dataset.target_names),
        "epochs_run": trainer.epoch,
        "loss": trainer.current_loss(),
        "optimal_loss": trainer.optimal_loss(least_squares(dataset.inputs, dataset.targets)),
        "r2": r2_score(dataset.targets, predictions).tolist(),
        "weight": weight.tolist(),
        "bias": bias.tolist(),
        "diverged_at": trainer.diverged_at,
        "divergence": trainer.divergence,
        "dropped_rows": list(dataset.dropped_rows),
        "stable_learning_rate": stable_learning_rate(
            dataset.inputs, trainer.config.standardize, dataset.n_targets
        ),
        "history": trainer.history.loss.tolist(),
    }


def _json_safe(value):
    """``value`` with every non-finite float replaced by None (JSON has no inf or NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    return value


def _print_report(dataset: Dataset, trainer: Trainer, result: dict, lang: str) -> None:
    inputs = [_printable(name) for name in dataset.input_names]
    targets = [_printable(name) for name in dataset.target_names]
    out = [
        TEXT(
            "header",
            lang,
            rows=dataset.n_rows,
            inputs=", ".join(inputs),
            targets=", ".join(targets),
        )
    ]
    if dataset.dropped_rows:
        rows = ", ".join(map(str, dataset.dropped_rows[:10]))
        rows += ", …" if len(dataset.dropped_rows) > 10 else ""
        out.append(TEXT("dropped", lang, count=len(dataset.dropped_rows), rows=rows))
    losses = trainer.history.loss
    if len(losses):
        out += ["", f"{TEXT('epoch', lang):>9}  {TEXT('loss', lang):>14}"]
        for epoch in _table_epochs(len(losses)):
            out.append(f"{epoch:>9}  {losses[epoch - 1]:>14.6g}")
    out += ["", TEXT("after", lang, epochs=trainer.epoch)]
    width = max(len(name) for name in targets)
    for name, weight, bias in zip(targets, result["weight"], result["bias"], strict=True):
        out.append(f"  {name:<{width}} = {_equation(weight, bias, inputs)}")
    loss, optimal = result["loss"], result["optimal_loss"]
    out.append(TEXT("summary", lang, loss=f"{loss:.6g}", optimal=f"{optimal:.6g}"))
    scores = ", ".join(
        f"{name} {number(r2)}" for name, r2 in zip(targets, result["r2"], strict=True)
    )
    out.append(TEXT("r2", lang, scores=scores))
    print("\n".join(out))


def _table_epochs(n_epochs: int) -> list[int]:
    """About TABLE_ROWS epochs spread over 1..n_epochs, always the first and the last."""
    return sorted({int(e) for e in np.linspace(1, n_epochs, min(TABLE_ROWS, n_epochs)).round()})


def _equation(weight: list[float], bias: float, inputs: list[str]) -> str:
    return equation(weight, bias, inputs, minus="-")


def _warn_divergence(trainer: Trainer, lang: str) -> None:
    if trainer.divergence == "exploded":
        reason = TEXT("exploded", lang, factor=f"{EXPLODE_FACTOR:.0e}".replace("e+0", "e"))
    else:
        reason = TEXT("not_finite", lang)
    hint = "" if trainer.config.standardize else TEXT("hint", lang)
    message = TEXT(
        "diverged",
        lang,
        epoch=trainer.diverged_at,
        reason=reason,
        last=trainer.epoch,
        lr=f"{trainer.learning_rate:g}",
        hint=hint,
    )
    print(message, file=sys.stderr)


def _printable(text: str) -> str:
    """``text`` with control characters escaped, so a hostile column name cannot drive the terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _fail(message: str) -> int:
    print(f"error: {_printable(message)}", file=sys.stderr)
    return EXIT_USAGE


def _requested_lang(argv: list[str]) -> str | None:
    """The --lang value, looked up before parsing so that usage errors can use it too."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
    return None


def _tolerate_unencodable_output() -> None:
    """Let a terminal that cannot show "·" or "é" get a replacement instead of a crash."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (ValueError, OSError):
                pass
