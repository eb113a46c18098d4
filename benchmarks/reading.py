"""Reading and validating a big CSV with linreg.data vs a plain pandas.read_csv of it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from benchmarks.measure import Sizes, interleaved, median, timed, write_csv
from benchmarks.table import Goal, Row, fmt, note
from linreg import data

INPUTS = [f"x{i}" for i in range(1, 21)]
TARGETS = ["y1", "y2"]


def big_csv(sizes: Sizes, workdir: Path, facts: dict) -> Path:
    """The generated rows × 22 CSV, written once per run and shared by the benchmarks."""
    path = workdir / f"big_{sizes.read_rows}.csv"
    if not path.exists():
        note(f"writing a {sizes.read_rows:,} × 22 CSV")
        seconds = timed(lambda: facts.__setitem__("csv_bytes", write_csv(path, sizes.read_rows)[0]))
        note(f"  {fmt(facts['csv_bytes'], 'B')} in {seconds:.1f} s")
    return path


def read_big(sizes: Sizes, facts: dict, workdir: Path) -> list[Row]:
    path = big_csv(sizes, workdir, facts)

    def linreg_read() -> float:
        def work() -> None:
            frame = data.read_csv(path)
            dataset = data.select(frame, INPUTS, TARGETS)
            assert dataset.inputs.shape == (sizes.read_rows, 20)

        return timed(work)

    def pandas_read() -> float:
        return timed(lambda: pd.read_csv(path))

    t_pandas, t_linreg = interleaved(pandas_read, linreg_read, sizes.read_repeats)
    value = median(t_linreg)
    facts["read_seconds"] = value
    n = sizes.read_rows
    name = "data.read_1m" if n == 1_000_000 else f"data.read ({n:,} rows)"
    return [
        Row(
            name,
            value,
            reference=median(t_pandas),
            goal=Goal("value", "<=", 10.0),
            detail=f"read_csv + select(20 → 2) of {n:,} × 22 ({fmt(path.stat().st_size, 'B')}); "
            f"reference: pandas.read_csv defaults; median of {sizes.read_repeats}",
        )
    ]
