"""The live views (issue 11) on the real page: the numbers the component draws are the
engine's, Pause lands the server on the epoch shown, look back redraws from the browser's
numbers and the server's tabs follow it, the controls' settings go into the link, Spanish;
every payload the views receive matches the message's schema."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from browserkit import (
    RECORD_PAYLOADS,
    VIEWPORT,
    button,
    click_until_epoch,
    engine_losses,
    epoch_of,
    fmt,
    heatmap_cells,
    open_tab,
    readout,
    received_payloads,
    sample,
    wait_idle,
    wait_loaded,
)
from playwright.sync_api import expect

from linreg import TrainConfig, Trainer
from linreg.reference import r2_score

pytestmark = pytest.mark.browser


def test_steps_show_the_engines_numbers(page):
    inputs, targets = sample()
    config = TrainConfig()
    losses = engine_losses(inputs, targets, config, 5)
    trainer = Trainer(inputs, targets, config)
    design = np.c_[inputs, np.ones(len(inputs))]
    solution = np.linalg.lstsq(design, targets, rcond=None)[0]
    expect(readout(page, "optimum")).to_have_text(fmt(np.mean((design @ solution - targets) ** 2)))
    expect(readout(page, "loss")).to_have_text(losses[0])
    for k in range(1, 6):
        click_until_epoch(page, "Step", k)
        expect(readout(page, "loss")).to_have_text(losses[k])
        trainer.step()
        change = fmt(trainer.current_loss() - trainer.history.loss[k - 1])
        expect(page.locator('[data-metric="loss-change"]')).to_contain_text(change)
    r2 = r2_score(targets, trainer.predict(inputs))
    expect(readout(page, "r2")).to_have_text(" / ".join(f"{v:.3f}" for v in r2))
    predicted = trainer.predict(inputs)
    table = page.locator(".lv-table tbody tr").first.locator("td")
    expect(table).to_have_text(
        [
            text
            for k in range(targets.shape[1])
            for text in (
                fmt(targets[0, k]),
                fmt(predicted[0, k]),
                fmt(predicted[0, k] - targets[0, k]),
            )
        ]
    )


def test_play_then_pause_lands_the_server_on_the_epoch_shown(open_page):
    page = open_page("?engine=nn&opt=adam&lr=0.05&batch=2&seed=3&speed=1")
    button(page, "Play").click()
    page.wait_for_function(
        "() => parseInt(document.querySelector('[data-metric=\"epoch\"]').textContent) > 30"
    )
    button(page, "Pause").click()
    expect(button(page, "Play")).to_be_enabled()
    wait_idle(page)
    page.wait_for_timeout(300)
    epoch = epoch_of(page)
    assert epoch > 30
    inputs, targets = sample()
    config = TrainConfig(learning_rate=0.05, engine="nn", optimizer="adam", batch_size=2, seed=3)
    oracle = Trainer(inputs, targets, config)
    oracle.run(epoch)
    expect(readout(page, "loss")).to_have_text(fmt(oracle.current_loss()))
    # The server is there: its script reproduces exactly these epochs ...
    open_tab(page, "Code & downloads")
    expect(page.get_by_role("tabpanel")).to_contain_text(f"these {epoch} epoch(s)")
    # ... and the next Step goes on from there, number for number.
    click_until_epoch(page, "Step", epoch + 1)
    oracle.step()
    expect(readout(page, "loss")).to_have_text(fmt(oracle.current_loss()))
    weight, bias = oracle.parameters()
    expect(heatmap_cells(page)).to_have_text([fmt(v) for v in np.c_[weight, bias].ravel()])


def test_look_back_redraws_an_earlier_epoch_and_the_tabs_follow(page):
    for k in range(1, 4):
        click_until_epoch(page, "Step", k)
    inputs, targets = sample()
    losses = engine_losses(inputs, targets, TrainConfig(), 3)
    slider = page.locator("input.lv-look-slider")
    slider.fill("1")
    expect(readout(page, "epoch")).to_have_text("1")
    expect(readout(page, "loss")).to_have_text(losses[1])
    expect(page.get_by_role("tabpanel")).to_contain_text("Epoch 1, step by step")
    slider.fill("3")
    expect(readout(page, "loss")).to_have_text(losses[3])
    expect(page.get_by_role("tabpanel")).to_contain_text("Epoch 3, step by step")


def test_run_epochs_speed_and_log_go_into_the_link(page):
    page.locator("input.lv-epochs").fill("25")
    page.locator("input.lv-epochs").press("Tab")
    page.locator("input.lv-speed").fill("2")
    page.locator("input.lv-speed").press("Tab")
    page.locator("input.lv-log").check()
    expect(page).to_have_url(re.compile(r"[?&]log=1"))
    query = parse_qs(urlparse(page.url).query)
    assert query["run"] == ["25"] and query["speed"] == ["2"], page.url
    button(page, "Run").click()
    expect(readout(page, "epoch")).to_have_text("25")
    wait_idle(page)
    yaxis = page.locator(".lv-loss .yaxislayer-above text").first
    assert yaxis.is_visible()
    assert page.evaluate("document.querySelector('.lv-loss')._fullLayout.yaxis.type") == "log"


def test_spanish_words_and_columns(open_page):
    page = open_page("?lang=es")
    expect(page.locator(".lv-weights")).to_contain_text("temperatura")
    click_until_epoch(page, "Paso", 1)
    click_until_epoch(page, "Ejecutar", 101)
    inputs, targets = sample()
    trainer = Trainer(inputs, targets, TrainConfig())
    trainer.run(101)
    expect(readout(page, "loss")).to_have_text(fmt(trainer.current_loss()))
    open_tab(page, "Código y descargas")
    expect(page.get_by_role("tabpanel")).to_contain_text("101")


def test_every_payload_the_views_receive_matches_the_schema(browser, server):
    """Setup, Step, Run, Play and its batches, Pause, a look back, Reset: what the page hands
    live.js validates against ``linreg.dashboard.live_message.schema()``."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(RECORD_PAYLOADS)
    page = context.new_page()
    try:
        page.goto(f"{server}/?speed=2")
        wait_loaded(page)
        click_until_epoch(page, "Step", 1)
        click_until_epoch(page, "Step", 2)
        click_until_epoch(page, "Run", 102)
        button(page, "Play").click()
        page.wait_for_function(
            "() => parseInt(document.querySelector('[data-metric=\"epoch\"]').textContent) > 250"
        )
        button(page, "Pause").click()
        expect(button(page, "Play")).to_be_enabled()
        wait_idle(page)
        page.locator("input.lv-look-slider").fill("40")
        expect(readout(page, "epoch")).to_have_text("40")
        wait_idle(page)
        click_until_epoch(page, "Reset", 0)
        payloads = received_payloads(page)
        assert {p["mode"] for p in payloads} == {"show", "run", "play"}
        assert sum("setup" in p for p in payloads) >= 2  # the first and the Reset's
        assert max(p["latest"] for p in payloads) > 250
    finally:
        context.close()
