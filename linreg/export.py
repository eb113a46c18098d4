"""Downloads: weights, bias and the loss history as CSV and JSON, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence

import numpy as np

# A text cell starting with one of these is run as a formula by Excel, Sheets and LibreOffice.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it literally: a leading formula character is quoted with '."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def weights_csv(
    weight: np.ndarray, bias: np.ndarray, input_names: Sequence[str], target_names: Sequence[str]
) -> str:
    """One row per target: its name, a weight per input (K, D), then the bias (K,)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["target", *(spreadsheet_safe(str(n)) for n in input_names), "bias"])
    for name, row, b in zip(target_names, np.asarray(weight), np.asarray(bias), strict=True):
        writer.writerow(
            [spreadsheet_safe(str(name)), *(repr(float(w)) for w in row), repr(float(b))]
        )
    return out.getvalue()


def weights_json(
    weight: np.ndarray,
    bias: np.ndarray,
    input_names: Sequence[str],
    target_names: Sequence[str],
    **extra: object,
) -> str:
    """The weight (K, D) and bias (K,) with their column names, plus any ``extra`` fields."""
    document = {
        "inputs": [str(n) for n in input_names],
        "targets": [str(n) for n in target_names],
        "weight": [[_finite_or_none(w) for w in row] for row in np.asarray(weight)],
        "bias": [_finite_or_none(b) for b in np.asarray(bias)],
        **extra,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)


def history_csv(loss: np.ndarray, learning_rate: np.ndarray) -> str:
    """One row per epoch: its number, the loss measured before its update, its learning rate."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["epoch", "loss", "learning_rate"])
    for epoch, (value, rate) in enumerate(
        zip(np.asarray(loss), np.asarray(learning_rate), strict=True), start=1
    ):
        writer.writerow([epoch, repr(float(value)), repr(float(rate))])
    return out.getvalue()
