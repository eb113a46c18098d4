"""Run in a fresh process: ``python -m benchmarks.memory_child EPOCHS THREADS``.

Prints one JSON line. After a throwaway run that warms torch (autograd, allocator), it measures
the RSS growth over EPOCHS epochs of the bare seed loop, then of a Trainer on the sample (with
its history's nbytes), then the RSS left above that start once the Trainer is deleted."""

from __future__ import annotations

import gc
import json
import sys

import torch

from benchmarks.measure import SeedLoop, rss_bytes, sample_arrays
from linreg.trainer import TrainConfig, Trainer


def main(epochs: int, threads: int) -> dict:
    torch.set_num_threads(threads)
    x, y = sample_arrays()
    warm = Trainer(x, y, TrainConfig())
    warm.run(2000)
    SeedLoop(x, y, 1e-5).run(2000)
    del warm
    gc.collect()

    start = rss_bytes()
    bare = SeedLoop(x, y, 1e-5)
    bare.run(epochs)
    bare_growth = rss_bytes() - start
    del bare
    gc.collect()

    start = rss_bytes()
    trainer = Trainer(x, y, TrainConfig())
    ran = trainer.run(epochs)
    assert ran == epochs, f"stopped after {ran} epochs"
    growth = rss_bytes() - start
    nbytes = trainer.history.nbytes()
    del trainer
    gc.collect()
    left = rss_bytes() - start
    return {"bare": bare_growth, "growth": growth, "nbytes": nbytes, "after_del": left}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))))
