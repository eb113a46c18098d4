"""The engine against the bare seed loop: per-epoch time, a 10,000-epoch Run, memory."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import torch

from benchmarks.measure import ROOT, SeedLoop, Sizes, interleaved, median, sample_arrays, timed
from benchmarks.table import Goal, Row, note
from linreg.trainer import TrainConfig, Trainer

SAMPLE_LR = 1e-5  # the seed's learning rate
BIG_LR = 1e-3


def _per_epoch(run, epochs: int):
    return lambda: timed(lambda: run(epochs)) / epochs


def engine_sample(sizes: Sizes, facts: dict) -> list[Row]:
    """Trainer.step() with history vs the bare loop, on the seed's 5 rows."""
    x, y = sample_arrays()
    trainer = Trainer(x, y, TrainConfig(learning_rate=SAMPLE_LR))
    bare = SeedLoop(x, y, SAMPLE_LR)
    block = sizes.sample_block
    trainer.run(block)  # warm both: autograd graph caches, history arrays
    bare.run(block)
    t_bare, t_trainer = interleaved(
        _per_epoch(bare.run, block), _per_epoch(trainer.run, block), sizes.sample_repeats
    )
    assert not trainer.diverged, "the sample diverged at the seed's learning rate"
    value, reference = median(t_trainer), median(t_bare)
    facts["sample_epoch"] = value
    return [
        Row(
            "engine.sample epoch",
            value,
            reference=reference,
            goal=Goal("ratio", "<=", 1.3),
            detail=f"median of {sizes.sample_repeats} interleaved blocks of {block} epochs; "
            f"{torch.get_num_threads()} torch threads",
        )
    ]


def engine_big(sizes: Sizes, facts: dict) -> list[Row]:
    """The same comparison on rows × 20 inputs → 2 targets, float32, full batch."""
    rng = np.random.default_rng(1)
    n = sizes.big_rows
    x = rng.standard_normal((n, 20), dtype=np.float32)
    true_w = rng.standard_normal((2, 20)).astype(np.float32)
    y = x @ true_w.T + rng.standard_normal((n, 2), dtype=np.float32) * 0.1
    note(f"engine.big: {n:,} × 20 → 2")
    trainer = Trainer(x, y, TrainConfig(learning_rate=BIG_LR))
    bare = SeedLoop(x, y, BIG_LR)
    del x, y
    trainer.run(1)
    bare.run(1)
    epochs = sizes.big_epochs
    t_bare, t_trainer = interleaved(
        _per_epoch(bare.run, epochs), _per_epoch(trainer.run, epochs), sizes.big_repeats
    )
    value, reference = median(t_trainer), median(t_bare)
    facts["big_epoch"] = value
    name = "engine.big epoch" if n == 1_000_000 else f"engine.big epoch ({n:,} rows)"
    return [
        Row(
            name,
            value,
            reference=reference,
            goal=Goal("ratio", "<=", 1.1),
            detail=f"{n:,}×20→2 float32; median of {sizes.big_repeats} interleaved blocks of "
            f"{epochs} epochs; {torch.get_num_threads()} torch threads",
        )
    ]


def app_run(sizes: Sizes, facts: dict, threads: int) -> list[Row]:
    """What the dashboard's Run computes: Trainer.run(N) on the sample, from a fresh trainer."""
    x, y = sample_arrays()
    epochs = sizes.run_epochs
    saved = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:

        def trainer_run() -> float:
            trainer = Trainer(x, y, TrainConfig(learning_rate=SAMPLE_LR))
            return timed(lambda: trainer.run(epochs))

        def bare_run() -> float:
            bare = SeedLoop(x, y, SAMPLE_LR)
            return timed(lambda: bare.run(epochs))

        t_bare, t_trainer = interleaved(bare_run, trainer_run, sizes.run_repeats)
    finally:
        torch.set_num_threads(saved)
    value = median(t_trainer)
    facts["run_engine"] = value
    name = "app.run_10k engine" if epochs == 10_000 else f"app.run_{epochs} engine"
    return [
        Row(
            name,
            value,
            reference=median(t_bare),
            goal=Goal("value", "<=", 2.0),
            detail=f"Trainer.run({epochs:,}) on the sample, fresh trainer; reference: bare loop; "
            f"{threads} torch thread(s) like the server; browser wall time below",
        )
    ]


def memory(sizes: Sizes, facts: dict, threads: int) -> list[Row]:
    """RSS growth over N epochs on the sample, each measured in a fresh process."""
    epochs = sizes.memory_epochs
    trainer = _memory_child(epochs, threads)
    raw = epochs * (8 + 8 + 2 * 4 * (2 * 3 + 2))  # loss, rate, W, b, W.grad, b.grad per epoch
    tag = "100k" if epochs == 100_000 else f"{epochs // 1000}k"
    return [
        Row(
            f"memory.{tag} rss growth",
            trainer["growth"],
            unit="B",
            reference=trainer["bare"],
            goal=Goal("value", "<=", 50 * 2**20),
            detail=f"RSS before the Trainer and after {epochs:,} epochs, fresh process; "
            "reference: the bare loop's growth over the same epochs, same process",
        ),
        Row(
            f"memory.{tag} history.nbytes",
            trainer["nbytes"],
            unit="B",
            reference=raw,
            detail="reference: the raw per-epoch record (loss, rate, W, b and their gradients)",
        ),
        Row(
            f"memory.{tag} after del",
            trainer["after_del"],
            unit="B",
            reference=trainer["growth"],
            detail="RSS left above the start once the Trainer is deleted (a session left)",
        ),
    ]


def _memory_child(epochs: int, threads: int) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.memory_child", str(epochs), str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(f"memory child failed: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])
