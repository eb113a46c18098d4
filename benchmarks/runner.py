"""The command line: pick the sizes, run the groups in order, print the table as it fills."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import table
from benchmarks.measure import FULL, QUICK, SMOKE, Sizes, app_torch_threads
from benchmarks.table import Row

# (group, what it measures); --only matches these names by prefix.
GROUPS = (
    ("engine.sample", "Trainer.step() vs the bare seed loop, 5 rows"),
    ("engine.big", "Trainer.step() vs the bare seed loop, 1,000,000 × 20 → 2"),
    ("data.read_1m", "linreg.data read + select vs pandas.read_csv, 1,000,000 × 22"),
    ("data.sniffing", "separator and encoding sniffers: corpus accuracy, time on 1,000,000 rows"),
    ("memory.100k", "RSS growth over 100,000 epochs"),
    ("app.run_10k", "Trainer.run(10,000), the work behind the Run button"),
    ("questions", "a question's dry run (fork + epochs) vs the epochs it stands in for"),
    ("browser", "the dashboard in Chromium: render, Step, Play, Run, payload, upload"),
    ("concurrency", "Step latency with 8 and 30 sessions at once (protocol level)"),
    ("room", "a lecture hall: 300 followers by push (SSE) of one presenter, one server; Redis"),
)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="linreg's speed and memory goals, each against a reference measured in the "
        "same run. Groups: " + ", ".join(name for name, _ in GROUPS) + ".",
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="the same table in a minute or two")
    size.add_argument(
        "--smoke", action="store_true", help="tiny sizes, no browser: checks the code still runs"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        metavar="N",
        help="torch threads for the engine rows (default: torch's own choice, one per core)",
    )
    parser.add_argument(
        "--only", default="", metavar="NAME,...", help="run only these groups (prefixes match)"
    )
    args = parser.parse_args(argv)
    wanted = [w.strip() for w in args.only.split(",") if w.strip()]
    unknown = [w for w in wanted if not any(name.startswith(w) for name, _ in GROUPS)]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; choose from the list in --help")
    args.groups = [
        name for name, _ in GROUPS if not wanted or any(name.startswith(w) for w in wanted)
    ]
    return args


def runners(sizes: Sizes, facts: dict, workdir: Path) -> dict[str, Callable[[], list[Row]]]:
    # Imported here so that --help answers without loading torch.
    from benchmarks import browser, crowd, engine, questions, reading, room

    threads = app_torch_threads()
    return {
        "engine.sample": lambda: engine.engine_sample(sizes, facts),
        "engine.big": lambda: engine.engine_big(sizes, facts),
        "data.read_1m": lambda: reading.read_big(sizes, facts, workdir),
        "data.sniffing": lambda: reading.sniffing(sizes, facts, workdir),
        "memory.100k": lambda: engine.memory(sizes, facts, threads),
        "app.run_10k": lambda: engine.app_run(sizes, facts, threads),
        "questions": lambda: questions.questions(sizes, facts),
        "browser": lambda: browser.browser(sizes, facts, workdir),
        "concurrency": lambda: crowd.crowd(sizes, facts),
        "room": lambda: room.room(sizes, facts),
    }


def describe(sizes: Sizes) -> str:
    import numpy
    import pandas
    import streamlit
    import torch

    cores = os.cpu_count()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    return "\n".join(
        [
            f"linreg benchmarks · mode {sizes.mode} · {time.strftime('%Y-%m-%d %H:%M:%S')}",
            f"machine: {usable} usable of {cores} cores · {platform.machine()} · "
            f"{platform.python_implementation()} {platform.python_version()}",
            f"versions: torch {torch.__version__} · streamlit {streamlit.__version__} · "
            f"numpy {numpy.__version__} · pandas {pandas.__version__}",
            f"torch threads: engine rows {torch.get_num_threads()} (--threads or torch default) · "
            f"app/server rows {app_torch_threads()} (LINREG_TORCH_THREADS or linreg/page/main.py)",
            f"load average at start: {_load()} (other processes share these cores)",
            "ratio = measured / reference (same run); verdict is informative, exit code 0",
        ]
    )


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    sizes = SMOKE if args.smoke else QUICK if args.quick else FULL
    if args.threads > 0:
        import torch

        torch.set_num_threads(args.threads)
    print(describe(sizes), end="\n\n")
    print(table.header(), flush=True)
    facts: dict = {}
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="linreg-bench-") as folder:
        run = runners(sizes, facts, Path(folder))
        for group in args.groups:
            table.note(f"{group} …")
            group_start = time.perf_counter()
            try:
                produced = run[group]()
            except Exception as err:  # one broken group must not hide the others
                traceback.print_exc(file=sys.stderr)
                message = str(err).strip().splitlines()[0] if str(err).strip() else ""
                produced = [Row(group, error=f"{type(err).__name__}: {message[:200]}")]
            for row in produced:
                table.emit(row)
            table.note(f"{group} took {time.perf_counter() - group_start:.0f} s")
            rows.extend(produced)
    missed = [row.name for row in rows if row.verdict in ("over goal", "under goal", "error")]
    elapsed = time.perf_counter() - started
    print(f"\n{len(rows)} rows in {elapsed:.0f} s; load average at the end: {_load()}")
    print("all goals met" if not missed else "missed or failed: " + ", ".join(missed))
    return 0
