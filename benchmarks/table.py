"""Rows of the benchmark table: a measured value, its reference, their ratio and the goal."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

COLUMNS = (  # (title, width); the last column (detail) is not padded
    ("benchmark", 30),
    ("measured", 11),
    ("reference", 11),
    ("ratio", 7),
    ("goal", 12),
    ("verdict", 10),
    ("detail", 0),
)


@dataclass(frozen=True)
class Goal:
    """``on`` is "value" or "ratio"; the goal holds when ``measured <op> limit``."""

    on: str
    op: str  # "<=" or ">="
    limit: float

    def met(self, value: float | None, ratio: float | None) -> bool | None:
        x = value if self.on == "value" else ratio
        if x is None or math.isnan(x):
            return None
        return x <= self.limit if self.op == "<=" else x >= self.limit

    def text(self, unit: str) -> str:
        limit = f"{self.limit:g}×" if self.on == "ratio" else fmt(self.limit, unit)
        return f"{'≤' if self.op == '<=' else '≥'} {limit}"


@dataclass(frozen=True)
class Row:
    """One line of the table. ``unit``: "s", "B" (bytes), "/s" or "" (a plain number)."""

    name: str
    value: float | None = None
    unit: str = "s"
    reference: float | None = None
    goal: Goal | None = None
    detail: str = ""
    skipped: str | None = None  # why there is no measurement
    error: str | None = None  # what went wrong while measuring

    @property
    def ratio(self) -> float | None:
        if self.value is None or not self.reference:
            return None
        return self.value / self.reference

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return "error"
        if self.skipped is not None:
            return "skipped"
        if self.goal is None:
            return "—"
        met = self.goal.met(self.value, self.ratio)
        if met is None:
            return "—"
        if met:
            return "ok"
        return "over goal" if self.goal.op == "<=" else "under goal"

    def cells(self) -> list[str]:
        if self.skipped is not None:
            return [self.name, "—", "—", "—", self._goal_text(), self.verdict, self.skipped]
        ratio = self.ratio
        detail = self.detail if self.error is None else f"ERROR {self.error}; {self.detail}"
        return [
            self.name,
            fmt(self.value, self.unit),
            fmt(self.reference, self.unit),
            "—" if ratio is None else f"{ratio:.2f}×",
            self._goal_text(),
            self.verdict,
            detail.rstrip("; "),
        ]

    def _goal_text(self) -> str:
        return "—" if self.goal is None else self.goal.text(self.unit)


def fmt(value: float | None, unit: str) -> str:
    """A value with a readable unit: 12.3 µs, 4.56 ms, 1.23 s, 512 KiB, 3.4 MiB, 12.5/s."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "s":
        for scale, suffix in ((1e-6, "µs"), (1e-3, "ms")):
            if abs(value) < 999.5 * scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value:.3g} s"
    if unit == "B":
        for scale, suffix in ((1, "B"), (2**10, "KiB"), (2**20, "MiB")):
            if abs(value) < 999.5 * scale:
                return f"{value / scale:.3g} {suffix}"
        return f"{value / 2**30:.3g} GiB"
    if unit == "/s":
        return f"{value:.3g}/s"
    return f"{value:.3g}"


def line(cells: list[str]) -> str:
    parts = [
        cell.ljust(width) if width else cell
        for cell, (_, width) in zip(cells, COLUMNS, strict=True)
    ]
    return "  ".join(parts).rstrip()


def header() -> str:
    titles = [title for title, _ in COLUMNS]
    rule = ["-" * (width or 6) for _, width in COLUMNS]
    return line(titles) + "\n" + line(rule)


def emit(row: Row) -> None:
    """Print a row as soon as it is measured (a full run takes minutes)."""
    print(line(row.cells()), flush=True)


def note(message: str) -> None:
    """Progress for the person waiting; stderr keeps the table on stdout clean."""
    print(f"  … {message}", file=sys.stderr, flush=True)
