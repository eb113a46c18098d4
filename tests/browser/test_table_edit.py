"""Editing the data table in the browser's grid, as an attendee would.

A good edit retrains from scratch on the new numbers (the engine's numbers, to the digit); a
cleared cell is a bad edit: a clear message naming the row, and the training goes on as it
was; typing the value back clears the message. The grid is a canvas: cells are reached by
position (rows are 35 px, the header too) and read back from its hidden mirror cells.
"""

from __future__ import annotations

import pytest
from browserkit import (
    SAMPLE_TARGETS,
    assert_no_traceback,
    click_until_epoch,
    engine_losses,
    readout,
    readout_text,
    sample,
    wait_idle,
)
from playwright.sync_api import Page, expect

from linreg import TrainConfig

pytestmark = pytest.mark.browser

ROW_PX = 35


def mirror_row(page: Page, row: int) -> list[str]:
    """The texts of grid row ``row`` (1-based), its row number first."""
    return [page.locator(f"#glide-cell-{col}-{row - 1}").first.inner_text() for col in range(1, 7)]


def select_last_column(page: Page, row: int) -> None:
    """Select the cell of the last column (oranges) in grid row ``row`` (1-based).

    The click goes to row 1 and the arrow keys go down from there: a click on the cell that
    is already selected (Enter moves the selection down after an edit) opens its editor.
    """
    wait_idle(page)  # a rerun redraws the grid: a click during it can land in the old one
    canvas = page.get_by_test_id("stDataFrame").first.locator("canvas").first
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] - 20, box["y"] + ROW_PX * 1.5
    page.mouse.move(x, y)
    page.wait_for_timeout(100)
    page.mouse.click(x, y)
    page.wait_for_timeout(100)
    for _ in range(row - 1):
        page.keyboard.press("ArrowDown")


def type_into_selected(page: Page, value: str) -> None:
    page.keyboard.press("Enter")
    editor = page.locator("input.gdg-input")
    expect(editor).to_be_visible()
    editor.fill(value)
    editor.press("Enter")


def test_edit_a_cell_then_clear_one(page: Page):
    inputs, targets = sample()
    click_until_epoch(page, "Step", 1)
    click_until_epoch(page, "Step", 2)
    assert mirror_row(page, 2) == ["2", "91", "88", "64", "81", "101"]

    select_last_column(page, 2)
    type_into_selected(page, "150")
    expect(readout(page, "epoch")).to_have_text("0")
    wait_idle(page)
    expect(page.get_by_text("Training restarted: the data changed.")).to_be_visible()
    assert mirror_row(page, 2)[-1] == "150"
    edited = targets.copy()
    edited[1, SAMPLE_TARGETS.index("oranges")] = 150.0
    losses = engine_losses(inputs, edited, TrainConfig(seed=0), 2)
    assert readout_text(page, "loss") == losses[0]
    click_until_epoch(page, "Step", 1)
    assert readout_text(page, "loss") == losses[1]

    # A cleared cell: the message names the row; the training on the good data goes on.
    select_last_column(page, 3)
    page.keyboard.press("Delete")
    error = page.get_by_test_id("stAlert").filter(has_text="missing values")
    expect(error).to_contain_text("row(s) 3 (in 'oranges')")
    wait_idle(page)
    assert readout_text(page, "epoch") == "1"
    assert readout_text(page, "loss") == losses[1]
    click_until_epoch(page, "Step", 2)

    # Typing the value back clears the message; the data is again what is being
    # trained, so the training goes on where it was.
    select_last_column(page, 3)
    type_into_selected(page, "133")
    expect(error).to_have_count(0)
    wait_idle(page)
    assert readout_text(page, "epoch") == "2"
    assert readout_text(page, "loss") == losses[2]
    assert mirror_row(page, 3)[-1] == "133"

    # A real change after that retrains on the new data.
    select_last_column(page, 3)
    type_into_selected(page, "140")
    expect(readout(page, "epoch")).to_have_text("0")
    wait_idle(page)
    edited[2, SAMPLE_TARGETS.index("oranges")] = 140.0
    assert readout_text(page, "loss") == engine_losses(inputs, edited, TrainConfig(seed=0), 0)[0]
    assert_no_traceback(page)
