"""Downloads: exact numbers, and nothing a spreadsheet would run as a formula."""

import csv
import io
import json
import math

import numpy as np
import pytest

from linreg.export import history_csv, spreadsheet_safe, weights_csv, weights_json

WEIGHT = np.array([[0.1, -2.5e-7, 3.0], [1 / 3, 1e300, -0.0]])
BIAS = np.array([-1.25, 2 / 7])
INPUTS = ("temperature", "rainfall", "humidity")
TARGETS = ("apples", "oranges")
HOSTILE = ('=HYPERLINK("x")', "+1", "-2", "@SUM(A1)")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_spreadsheet_safe_quotes_formula_starts(start):
    text = start + "cmd|' /C calc'!A0"
    assert spreadsheet_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["apples", "", "a=b", "x-1", "Año", " =1", "'=1", "1+1"])
def test_spreadsheet_safe_leaves_ordinary_text(text):
    assert spreadsheet_safe(text) == text


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_weights_csv_round_trips_numbers_exactly():
    rows = _rows(weights_csv(WEIGHT, BIAS, INPUTS, TARGETS))
    assert rows[0] == ["target", *INPUTS, "bias"]
    assert [row[0] for row in rows[1:]] == list(TARGETS)
    for k, row in enumerate(rows[1:]):
        assert len(row) == len(INPUTS) + 2
        assert [float(v) for v in row[1:-1]] == WEIGHT[k].tolist()
        assert float(row[-1]) == BIAS[k]


def test_weights_csv_float32_values_survive():
    weight = np.array([[0.1, 0.2]], dtype=np.float32)
    bias = np.array([0.3], dtype=np.float32)
    rows = _rows(weights_csv(weight, bias, ["a", "b"], ["y"]))
    assert np.array([float(v) for v in rows[1][1:-1]], dtype=np.float32).tolist() == (
        weight[0].tolist()
    )


def test_weights_csv_neutralises_hostile_headers_and_targets():
    weight = np.arange(8, dtype=np.float64).reshape(2, 4)
    text = weights_csv(weight, np.zeros(2), HOSTILE, ["=1+1", "@x"])
    rows = _rows(text)
    for cell in rows[0][1:-1] + [rows[1][0], rows[2][0]]:
        assert cell.startswith("'"), cell
        assert not cell[1:].startswith("'")
    assert rows[0][1:-1] == ["'" + h for h in HOSTILE]
    assert [rows[1][0], rows[2][0]] == ["'=1+1", "'@x"]
    # numbers, even negative ones, stay numbers
    assert float(rows[2][1]) == 4.0


def test_weights_csv_quotes_separators_and_newlines_in_names():
    rows = _rows(weights_csv(np.ones((1, 2)), np.zeros(1), ["a,b", 'c"\nd'], ["y;z"]))
    assert rows[0] == ["target", "a,b", 'c"\nd', "bias"]
    assert rows[1][0] == "y;z"


def test_weights_json_parses_with_names_and_numbers():
    document = json.loads(weights_json(WEIGHT, BIAS, INPUTS, TARGETS, epoch=12))
    assert document["inputs"] == list(INPUTS)
    assert document["targets"] == list(TARGETS)
    assert document["weight"] == WEIGHT.tolist()
    assert document["bias"] == BIAS.tolist()
    assert document["epoch"] == 12


def test_weights_json_non_finite_is_null():
    weight = np.array([[math.inf, -math.inf, math.nan, 1.5]])
    text = weights_json(weight, np.array([math.nan]), list("abcd"), ["y"])
    assert "NaN" not in text and "Infinity" not in text
    document = json.loads(text)
    assert document["weight"] == [[None, None, None, 1.5]]
    assert document["bias"] == [None]


def test_weights_json_keeps_hostile_names_as_plain_strings():
    document = json.loads(weights_json(np.ones((1, 4)), np.zeros(1), HOSTILE, ["Año"]))
    assert document["inputs"] == list(HOSTILE)
    assert document["targets"] == ["Año"]


def test_history_csv_one_row_per_epoch():
    loss = np.array([1202.083984375, 922.8026123046875, 1 / 3, 1e-30])
    rates = np.array([1e-5, 1e-5, 0.001, 0.001])
    rows = _rows(history_csv(loss, rates))
    assert rows[0] == ["epoch", "loss", "learning_rate"]
    assert len(rows) == 1 + len(loss)
    for e, row in enumerate(rows[1:], start=1):
        assert int(row[0]) == e
        assert float(row[1]) == loss[e - 1]
        assert float(row[2]) == rates[e - 1]


def test_history_csv_empty_has_header_only():
    assert _rows(history_csv(np.array([]), np.array([]))) == [["epoch", "loss", "learning_rate"]]


def test_history_csv_from_a_real_run():
    from linreg.dashboard.workbench import Workbench

    wb = Workbench()
    wb.run(5)
    history = wb.trainer.history
    rows = _rows(history_csv(history.loss, history.learning_rate))
    assert len(rows) == 6
    assert [float(r[1]) for r in rows[1:]] == history.loss.tolist()
    assert all(float(r[2]) == 1e-5 for r in rows[1:])
