"""The live views component (issue 11) in a real browser, on the standalone demo page:
the numbers shown are the engine's, Pause lands the server on the epoch shown, look back
redraws from the browser's numbers, and the words follow the language."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from browserkit import ROOT, VIEWPORT, engine_losses, fmt, sample, wait_idle
from conftest import _free_port, _healthy
from playwright.sync_api import Page, expect

from linreg import TrainConfig, Trainer
from linreg.reference import r2_score

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo():
    """Base URL of benchmarks/live_demo.py, served with the repository's config."""
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", "benchmarks/live_demo.py",
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            assert process.poll() is None and time.monotonic() < deadline, "demo did not start"
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def open_demo(browser, demo):
    contexts = []

    def open_(query: str = "") -> Page:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{demo}/?debug=1{query}")
        expect(readout(page, "loss")).not_to_have_text("", timeout=60_000)
        wait_idle(page)
        return page

    yield open_
    for context in contexts:
        context.close()


def readout(page: Page, metric: str):
    return page.locator(f'[data-metric="{metric}"]')


def shown_epoch(page: Page) -> int:
    return int(readout(page, "epoch").inner_text().replace(",", ""))


def server_state(page: Page) -> dict:
    wait_idle(page)
    return json.loads(page.get_by_test_id("stCode").inner_text())


def click(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def test_steps_show_the_engines_numbers(open_demo):
    page = open_demo()
    inputs, targets = sample()
    config = TrainConfig(learning_rate=1e-5)
    losses = engine_losses(inputs, targets, config, 5)
    trainer = Trainer(inputs, targets, config)
    reference = np.linalg.lstsq(np.c_[inputs, np.ones(len(inputs))], targets, rcond=None)[0]
    optimum = np.mean((np.c_[inputs, np.ones(len(inputs))] @ reference - targets) ** 2)
    expect(readout(page, "optimum")).to_have_text(fmt(optimum))
    expect(readout(page, "loss")).to_have_text(losses[0])
    for k in range(1, 6):
        click(page, "Step")
        expect(readout(page, "epoch")).to_have_text(str(k))
        expect(readout(page, "loss")).to_have_text(losses[k])
        trainer.step()
    r2 = r2_score(targets, trainer.predict(inputs))
    expect(readout(page, "r2")).to_have_text(" / ".join(f"{v:.3f}" for v in r2))
    weight, _ = trainer.parameters()
    cells = page.locator(".lv-weights td:not(.lv-gap)")
    assert cells.nth(0).inner_text() == fmt(weight[0, 0])
    assert server_state(page)["epoch"] == 5


def test_play_then_pause_lands_the_server_on_the_epoch_shown(open_demo):
    page = open_demo("&engine=nn&opt=adam&lr=0.05&batch=2&seed=3")
    click(page, "Play")
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-metric=\"epoch\"]').textContent) > 30"
    )
    click(page, "Pause")
    wait_idle(page)
    page.wait_for_timeout(300)
    epoch = shown_epoch(page)
    state = server_state(page)
    assert state["epoch"] == epoch > 30
    inputs, targets = sample()
    config = TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", batch_size=2, seed=3)
    oracle = Trainer(inputs, targets, config)
    oracle.run(epoch)
    np.testing.assert_array_equal(
        np.asarray(state["weight"], dtype=np.float32), oracle.weight.detach().numpy()
    )
    expect(readout(page, "loss")).to_have_text(fmt(oracle.current_loss()))
    # The next Step goes on from there, number for number.
    click(page, "Step")
    expect(readout(page, "epoch")).to_have_text(f"{epoch + 1:,}")
    oracle.step()
    expect(readout(page, "loss")).to_have_text(fmt(oracle.current_loss()))


def test_look_back_redraws_an_earlier_epoch_from_the_browsers_numbers(open_demo):
    page = open_demo()
    for k in range(1, 4):
        click(page, "Step")
        expect(readout(page, "epoch")).to_have_text(str(k))
    inputs, targets = sample()
    losses = engine_losses(inputs, targets, TrainConfig(learning_rate=1e-5), 3)
    slider = page.locator("input.lv-look-slider")
    slider.fill("1")
    expect(readout(page, "epoch")).to_have_text("1")
    expect(readout(page, "loss")).to_have_text(losses[1])
    slider.fill("3")
    expect(readout(page, "loss")).to_have_text(losses[3])


def test_spanish_words_and_columns(open_demo):
    page = open_demo("&lang=es")
    for name in ("Paso", "Ejecutar", "Reproducir", "Pausa", "Reiniciar"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.locator(".lv-weights")).to_contain_text("temperatura")
    click(page, "Paso")
    expect(readout(page, "epoch")).to_have_text("1")
    click(page, "Ejecutar")
    expect(readout(page, "epoch")).to_have_text("101")
    assert server_state(page)["epoch"] == 101
