"""The benchmarks still run: ``python -m benchmarks --smoke`` prints the whole table.

Only the table's shape is checked (every row present, each with a verdict), never a timing:
speed and memory goals are judged by ``make bench``, not by tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.table import COLUMNS

ROOT = Path(__file__).resolve().parent.parent
VERDICTS = ("ok", "over goal", "under goal", "—", "skipped", "error")
SMOKE_ROWS = [
    "engine.sample epoch",
    "engine.big epoch (20,000 rows)",
    "data.read (20,000 rows)",
    "sniff.separator",
    "sniff.encoding",
    "memory.2k rss growth",
    "memory.2k history.nbytes",
    "memory.2k after del",
    "app.run_500 engine",
    "questions.sample scratch",
    "questions.sample nn/adam",
    "questions.loss_after 100",
    "questions.big (20,000 rows)",
    "browser.first_render",
    "browser.step p50",
    "browser.play frames/s",
    "browser.play longest task",
    "browser.play top speed",
    "browser.run_500 wall",
    "browser.run live updates",
    "browser.payload/Step sample",
    "browser.payload/Step 1M rows",
    "browser.upload_1m→epoch 1",
    "browser.server CPU/Step",
    "browser.first_visit bytes",
    "browser.first_visit render",
    "concurrency.2 p50",
    "concurrency.2 p95",
    "room delivery p95",
    "room missed frames",
    "room CPU/follower stepping",
    "room CPU/follower idle",
    "room presenter Step p50",
    "room RSS/follower",
    "room.poll answers miscounted",
    "room.poll tally complete",
    "room.poll reveal p95",
    "room.redis delivery p95",
]
SKIPPED = ("browser.", "room.redis")  # the groups a smoke run skips


@pytest.mark.slow
def test_smoke_run_prints_every_row() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any(line.startswith("machine:") for line in lines)
    assert any(line.startswith("versions: torch") for line in lines)
    header = next(i for i, line in enumerate(lines) if line.startswith("benchmark "))
    rows = {}
    for line in lines[header + 2 :]:
        if not line.strip():
            break
        cells = _cells(line)
        rows[cells[0]] = cells
    assert list(rows) == SMOKE_ROWS, done.stdout
    for name, (_, measured, _, _, _, verdict, _) in rows.items():
        assert verdict in VERDICTS, (name, verdict)
        if name.startswith(SKIPPED):
            assert verdict == "skipped", (name, verdict)
        else:
            assert measured != "—", (name, measured)


def _cells(line: str) -> list[str]:
    """Split a table line by the printed column widths (the last column takes the rest)."""
    cells, start = [], 0
    for _, width in COLUMNS:
        if width:
            cells.append(line[start : start + width].strip())
            start += width + 2
        else:
            cells.append(line[start:].strip())
    return cells
