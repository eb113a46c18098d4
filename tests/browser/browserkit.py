"""Helpers for the browser tests: waiting for Streamlit, reading metrics, screenshots, and the
engine's own numbers to compare with (shared/docs/testing.md has the why of each).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import Page, expect

from linreg import TrainConfig, Trainer
from linreg.formatting import equation, number

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1400, "height": 900}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'

expect.set_options(timeout=20_000)

fmt = number  # how the page writes every number: 4 significant digits


# -- the page ----------------------------------------------------------------------------------
def wait_idle(page: Page) -> None:
    """Wait until the script run (and any fragment run) has finished."""
    expect(page.locator(IDLE)).to_have_count(1)


def wait_loaded(page: Page) -> None:
    expect(readout(page, "loss")).not_to_have_text("", timeout=60_000)
    wait_idle(page)


def readout(page: Page, name: str):
    """A readout of the live views: "epoch", "loss", "optimum" or "r2", in any language."""
    return page.locator(f'[data-metric="{name}"]')


def readout_text(page: Page, name: str) -> str:
    return readout(page, name).inner_text().strip()


def epoch_of(page: Page) -> int:
    return int(readout_text(page, "epoch").replace(",", ""))


def button(page: Page, label: str):
    return page.get_by_role("button", name=label, exact=True)


def click_until_epoch(page: Page, label: str, epoch: int) -> None:
    """Click a button, then wait for the epoch readout to show ``epoch`` and the run to end."""
    button(page, label).click()
    expect(readout(page, "epoch")).to_have_text(f"{epoch:,}")
    wait_idle(page)


def heatmap_cells(page: Page, which: str = "weights"):
    """The number cells of the weights' (or "grads'") table: W row by row, each row's b last."""
    return page.locator(f".lv-{which} td:not(.lv-gap)")


def equations_text(page: Page):
    return page.locator(".lv-equations")


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
    wait_idle(page)


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page (Streamlit scrolls inside stMain) to artifacts/screenshots/NAME.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = page.evaluate(
        "Math.max(document.querySelector('[data-testid=\"stMain\"]').scrollHeight,"
        " document.querySelector('[data-testid=\"stSidebarContent\"]')?.scrollHeight || 0)"
    )
    width = page.viewport_size["width"] if page.viewport_size else VIEWPORT["width"]
    page.set_viewport_size({"width": width, "height": max(int(height), VIEWPORT["height"])})
    page.wait_for_timeout(800)  # let Plotly re-layout to the new size
    wait_idle(page)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": VIEWPORT["height"]})
    return path


def assert_no_traceback(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body, body[:3000]


# -- the engine's numbers ----------------------------------------------------------------------
SAMPLE_INPUTS = ("temperature", "rainfall", "humidity")
SAMPLE_TARGETS = ("apples", "oranges")


def sample(name: str = "sample5") -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(ROOT / "sample_data" / f"{name}.csv")
    return frame[list(SAMPLE_INPUTS)].to_numpy(float), frame[list(SAMPLE_TARGETS)].to_numpy(float)


def engine_losses(inputs, targets, config: TrainConfig, epochs: int) -> list[str]:
    """The Loss metric's text after 0, 1, …, ``epochs`` epochs, as the engine computes it."""
    trainer = Trainer(inputs, targets, config)
    shown = [fmt(trainer.current_loss())]
    for _ in range(epochs):
        assert trainer.step()
        shown.append(fmt(trainer.current_loss()))
    return shown


def engine_trainer(inputs, targets, config: TrainConfig, epochs: int) -> Trainer:
    trainer = Trainer(inputs, targets, config)
    assert trainer.run(epochs) == epochs
    return trainer


def equations(trainer: Trainer, input_names, target_names) -> list[str]:
    """Each target's equation as the page writes it (linreg/dashboard/views.py ``equations``)."""
    weight, bias = trainer.parameters()
    return [
        f"{name} = {equation(row, b, input_names)}"
        for name, row, b in zip(target_names, weight, bias, strict=True)
    ]


def table_headers(page: Page):
    """The data table's column headers, after its row numbers' (the grid is a canvas; these
    are its hidden mirror)."""
    header = "th[role=columnheader]:not(:first-of-type)"
    return page.get_by_test_id("stExpander").first.locator(header)
