"""What every benchmark needs: sizes per mode, the bare seed loop, timers, RSS, a big CSV."""

from __future__ import annotations

import os
import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    """How much each benchmark does in one mode (full, --quick, --smoke)."""

    mode: str
    sample_block: int  # epochs per timed block on the 5-row sample
    sample_repeats: int  # interleaved (bare, trainer) block pairs
    big_rows: int
    big_epochs: int  # epochs per timed block on the big table
    big_repeats: int
    read_rows: int  # rows of the generated CSV (22 columns)
    read_repeats: int
    memory_epochs: int
    run_epochs: int  # the dashboard's Run of N epochs
    run_repeats: int
    page_loads: int  # warm first renders timed in the browser
    step_clicks: int
    play_seconds: float
    browser_run_epochs: int
    upload_big: bool  # upload the big CSV through the browser
    crowd: tuple[int, ...]  # concurrent sessions, each its own row pair
    crowd_steps: int  # Step clicks per session
    crowd_reference_steps: int  # Step clicks of the lone session that gives the reference
    browser: bool
    room_followers: int = 300  # SSE followers of one room (0: the room group is skipped)
    room_steps: int = 20  # the presenter's Steps, every 0.5 s, before it plays
    room_play_seconds: float = 5.0
    room_idle_seconds: float = 5.0  # a window without clicks, with and without followers
    room_redis: bool = True  # also two replicas through a redis-server
    room_poll_followers: int = 300  # followers answering a question, each through its session
    room_poll_window: float = 10.0  # … at a random moment within this many seconds


FULL = Sizes(
    mode="full",
    sample_block=1000,
    sample_repeats=31,
    big_rows=1_000_000,
    big_epochs=1,
    big_repeats=31,
    read_rows=1_000_000,
    read_repeats=3,
    memory_epochs=100_000,
    run_epochs=10_000,
    run_repeats=5,
    page_loads=3,
    step_clicks=20,
    play_seconds=5.0,
    browser_run_epochs=10_000,
    upload_big=True,
    crowd=(8, 30),
    crowd_steps=10,
    crowd_reference_steps=20,
    browser=True,
)
QUICK = Sizes(
    mode="quick",
    sample_block=500,
    sample_repeats=15,
    big_rows=1_000_000,
    big_epochs=1,
    big_repeats=11,
    read_rows=1_000_000,
    read_repeats=1,
    memory_epochs=100_000,
    run_epochs=10_000,
    run_repeats=3,
    page_loads=2,
    step_clicks=20,
    play_seconds=5.0,
    browser_run_epochs=10_000,
    upload_big=False,
    crowd=(8, 30),
    crowd_steps=3,
    crowd_reference_steps=10,
    browser=True,
    room_followers=100,
    room_steps=10,
    room_play_seconds=3.0,
)
SMOKE = Sizes(
    mode="smoke",
    sample_block=100,
    sample_repeats=3,
    big_rows=20_000,
    big_epochs=3,
    big_repeats=2,
    read_rows=20_000,
    read_repeats=1,
    memory_epochs=2_000,
    run_epochs=500,
    run_repeats=1,
    page_loads=1,
    step_clicks=2,
    play_seconds=1.0,
    browser_run_epochs=500,
    upload_big=False,
    crowd=(2,),
    crowd_steps=2,
    crowd_reference_steps=2,
    browser=False,
    room_followers=4,
    room_steps=2,
    room_play_seconds=1.0,
    room_idle_seconds=1.0,
    room_redis=False,
    room_poll_followers=4,
    room_poll_window=2.0,
)


def app_torch_threads() -> int:
    """The torch thread count the dashboard sets for itself (``linreg/page/main.py``)."""
    default = 1
    page = ROOT / "linreg" / "page" / "main.py"
    if page.exists():
        found = re.search(r"LINREG_TORCH_THREADS\"\s*,\s*\"(\d+)\"", page.read_text("utf-8"))
        if found:
            default = int(found.group(1))
    return int(os.environ.get("LINREG_TORCH_THREADS", default))


def rss_bytes(pid: int | str = "self") -> int:
    """Resident set size from /proc/PID/statm (no psutil)."""
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100), linear between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def interleaved(
    first: Callable[[], float], second: Callable[[], float], repeats: int
) -> tuple[list[float], list[float]]:
    """Time ``first`` and ``second`` alternately (ABBA order), each call returning seconds."""
    a, b = [], []
    for r in range(repeats):
        if r % 2 == 0:
            a.append(first())
            b.append(second())
        else:
            b.append(second())
            a.append(first())
    return a, b


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class SeedLoop:
    """The notebook's training loop, bare: no history, no checks, nothing recorded.

    ``predictions = x @ W.t() + b``; ``loss = torch.sum(d * d) / d.numel()``; ``loss.backward()``;
    under ``torch.no_grad()``: ``W -= W.grad * lr``, ``b -= b.grad * lr``; gradients zeroed."""

    def __init__(self, inputs, targets, learning_rate: float, seed: int = 0) -> None:
        import torch

        self.torch = torch
        self.x = torch.as_tensor(np.ascontiguousarray(inputs, dtype=np.float32))
        self.y = torch.as_tensor(np.ascontiguousarray(targets, dtype=np.float32))
        g = torch.Generator().manual_seed(seed)
        self.w = torch.rand(self.y.shape[1], self.x.shape[1], generator=g).requires_grad_()
        self.b = torch.rand(self.y.shape[1], generator=g).requires_grad_()
        self.lr = learning_rate

    def run(self, epochs: int) -> None:
        torch, x, y, w, b, lr = self.torch, self.x, self.y, self.w, self.b, self.lr
        for _ in range(epochs):
            predictions = x @ w.t() + b
            d = predictions - y
            loss = torch.sum(d * d) / d.numel()
            loss.backward()
            with torch.no_grad():
                w -= w.grad * lr
                b -= b.grad * lr
                w.grad.zero_()
                b.grad.zero_()


def sample_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The seed's 5 regions: inputs (5, 3) and targets (5, 2), float64."""
    from linreg import data

    frame = data.load_sample("sample5")
    dataset = data.select(frame, list(frame.columns[:3]), list(frame.columns[3:]))
    return dataset.inputs, dataset.targets


def write_csv(path: Path, rows: int, seed: int = 0, chunk: int = 200_000) -> tuple[int, int]:
    """A rows × 22 CSV (x1..x20, y1, y2) of numbers like 4.567; returns (bytes, columns).

    Built as fixed-width bytes with numpy (about a second per million rows). The targets are a
    noisy weighted mean of the inputs, so the table trains like real data, and its magnitudes
    (0 to 10) keep the dashboard's default learning rate stable on it."""
    n_in, n_out = 20, 2
    names = [f"x{i}" for i in range(1, n_in + 1)] + [f"y{k}" for k in range(1, n_out + 1)]
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(n_in), size=n_out)  # (2, 20), rows sum to 1
    digits = np.array([1000, 100, 10, 1])
    with open(path, "wb") as out:
        out.write((",".join(names) + "\n").encode())
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            x = rng.integers(0, 10000, size=(n, n_in))  # thousandths: 0.000 .. 9.999
            y = x @ weights.T + rng.normal(0, 300, size=(n, n_out))
            cells = np.concatenate([x, np.clip(np.rint(y), 0, 9999).astype(np.int64)], axis=1)
            d = (cells[:, :, None] // digits) % 10 + ord("0")  # (n, 22, 4)
            buf = np.empty((n, n_in + n_out, 6), dtype=np.uint8)
            buf[:, :, 0] = d[:, :, 0]
            buf[:, :, 1] = ord(".")
            buf[:, :, 2:5] = d[:, :, 1:]
            buf[:, :, 5] = ord(",")
            buf[:, -1, 5] = ord("\n")
            buf.tofile(out)
    return path.stat().st_size, n_in + n_out
