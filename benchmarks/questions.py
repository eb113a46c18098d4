"""A question's dry run (issue 18) against the epochs it stands in for.

A one-step question (the loss's direction, the weight that moves most, a weight's direction)
is answered by ``Trainer.fork()`` plus one epoch: its goal is at most two epochs' time. A
question about N epochs (the loss after N, divergence within N) costs N epochs and one copy:
its row compares it with N epochs of the run itself.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.measure import Sizes, interleaved, median, sample_arrays, timed
from benchmarks.table import Goal, Row, note
from linreg.questions import LargestChange, LossAfter, LossDirection
from linreg.trainer import TrainConfig, Trainer

ASKED_AT = 100  # the epoch the run is at when asked (its history is copied by the fork)
LOOK_AHEAD = 100  # the N of "the loss after N more epochs"


def _dry_run_against_epochs(
    trainer: Trainer, question, epochs: int, block: int, repeats: int
) -> tuple[float, float]:
    """(seconds per dry run, seconds per ``epochs`` epochs of a copy of the same run), the
    medians of ``repeats`` interleaved blocks of ``block`` calls."""
    stepping = trainer.fork()  # the reference trains on: the asked run stays at its epoch

    def dry_runs() -> float:
        return timed(lambda: [question.answer(trainer) for _ in range(block)]) / block

    def trained() -> float:
        return timed(lambda: stepping.run(epochs * block)) / block

    dry_runs(), trained()  # warm both
    reference, measured = interleaved(trained, dry_runs, repeats)
    return median(measured), median(reference)


def questions(sizes: Sizes, facts: dict) -> list[Row]:
    x, y = sample_arrays()
    rows = []
    threads = torch.get_num_threads()
    block, repeats = max(1, sizes.sample_block // 10), sizes.sample_repeats
    for label, config in (
        ("scratch", TrainConfig(learning_rate=1e-5)),
        ("nn/adam", TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam")),
    ):
        trainer = Trainer(x, y, config)
        trainer.run(ASKED_AT)
        value, reference = _dry_run_against_epochs(trainer, LossDirection(), 1, block, repeats)
        rows.append(
            Row(
                f"questions.sample {label}",
                value,
                reference=reference,
                goal=Goal("ratio", "<=", 2.0),
                detail=f"dry run of loss up or down: fork + 1 epoch, run at epoch {ASKED_AT}; reference: one "
                f"epoch of the same run; median of {repeats} blocks of {block}; {threads} thread(s)",
            )
        )
    trainer = Trainer(x, y, TrainConfig(learning_rate=1e-5))
    trainer.run(ASKED_AT)
    value, reference = _dry_run_against_epochs(
        trainer, LossAfter(epochs=LOOK_AHEAD), LOOK_AHEAD, 1, repeats
    )
    rows.append(
        Row(
            f"questions.loss_after {LOOK_AHEAD}",
            value,
            reference=reference,
            goal=Goal("ratio", "<=", 1.2),
            detail=f"an N-epoch kind costs N epochs + one copy; reference: {LOOK_AHEAD} epochs "
            f"of the same run; median of {repeats}",
        )
    )
    rows.append(_big(sizes, facts))
    return rows


def _big(sizes: Sizes, facts: dict) -> Row:
    """The same one-step dry run on a big table (rows × 20 → 2), where an epoch dominates."""
    rng = np.random.default_rng(2)
    n = sizes.big_rows
    x = rng.standard_normal((n, 20), dtype=np.float32)
    y = x @ rng.standard_normal((2, 20)).astype(np.float32).T
    note(f"questions.big: {n:,} × 20 → 2")
    trainer = Trainer(x, y, TrainConfig(learning_rate=1e-3))
    del x, y
    trainer.run(3)
    names = (("y1", "y2"), tuple(f"x{i}" for i in range(1, 21)))
    question = LargestChange(targets=names[0], inputs=names[1])
    value, reference = _dry_run_against_epochs(trainer, question, 1, 1, sizes.big_repeats)
    rows_text = f"{n:,} rows" if n != 1_000_000 else "1M rows"
    return Row(
        f"questions.big ({rows_text})",
        value,
        reference=reference,
        goal=Goal("ratio", "<=", 2.0),
        detail=f"dry run of which weight moves most: fork + 1 epoch on {n:,}×20→2; reference: one epoch; "
        f"median of {sizes.big_repeats}",
    )
