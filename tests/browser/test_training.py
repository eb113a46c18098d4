"""Training in the browser: the numbers shown equal the engine's for the same settings."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from browserkit import (
    SAMPLE_INPUTS,
    SAMPLE_TARGETS,
    assert_no_traceback,
    button,
    click_until_epoch,
    engine_losses,
    engine_trainer,
    epoch_of,
    equations,
    equations_text,
    fmt,
    heatmap_cells,
    open_tab,
    readout,
    readout_text,
    sample,
    screenshot,
    wait_idle,
)
from playwright.sync_api import Page, expect

from linreg import TrainConfig, Trainer

pytestmark = pytest.mark.browser


def loss_chart(page: Page):
    return page.locator(".lv-loss")


def test_defaults_step_by_step_match_the_engine(page: Page):
    inputs, targets = sample()
    shown = engine_losses(inputs, targets, TrainConfig(seed=0), 5)
    expect(readout(page, "epoch")).to_have_text("0")
    expect(readout(page, "loss")).to_have_text(shown[0])
    screenshot(page, "default")

    for epoch in range(1, 6):
        click_until_epoch(page, "Step", epoch)
        expect(readout(page, "loss")).to_have_text(shown[epoch])

    trainer = engine_trainer(inputs, targets, TrainConfig(seed=0), 5)
    expected = equations(trainer, SAMPLE_INPUTS, SAMPLE_TARGETS)
    expect(equations_text(page)).to_have_text("\n".join(expected))
    weight, bias = trainer.parameters()
    # W row by row, each row's b after it: the engine's numbers as the page writes them.
    shown = np.c_[weight, bias].ravel()
    expect(heatmap_cells(page)).to_have_text([fmt(value) for value in shown])
    headers = page.locator(".lv-weights th").all_inner_texts()
    for name in (*SAMPLE_INPUTS, *SAMPLE_TARGETS):
        assert name in headers, headers
    snapshot = trainer.history.snapshot(5)
    gradients = np.c_[snapshot.weight_grad, snapshot.bias_grad].ravel()
    expect(heatmap_cells(page, "grads")).to_have_text([fmt(value) for value in gradients])
    expect(page.get_by_role("heading", name="Weights after epoch 5")).to_be_visible()
    screenshot(page, "default_after_steps")


def test_run_reaches_100_epochs_and_draws_the_loss_curve(page: Page):
    inputs, targets = sample()
    button(page, "Run").click()
    expect(readout(page, "epoch")).to_have_text("100")
    wait_idle(page)
    trainer = engine_trainer(inputs, targets, TrainConfig(seed=0), 100)
    expect(readout(page, "loss")).to_have_text(fmt(trainer.current_loss()))
    expect(loss_chart(page).locator(".main-svg").first).to_be_attached()
    # The curve is drawn: a scatter trace with a line path, not an empty chart.
    expect(loss_chart(page).locator(".scatterlayer path.js-line").first).to_be_attached()
    page.wait_for_timeout(500)
    assert epoch_of(page) == 100  # a Run of 100 stops at 100
    assert_no_traceback(page)
    screenshot(page, "after_run")


def test_play_is_enabled_again_when_a_run_ends(page: Page):
    expect(button(page, "Pause")).to_be_disabled()
    button(page, "Run").click()
    expect(readout(page, "epoch")).to_have_text("100")
    expect(button(page, "Play")).to_be_enabled(timeout=5_000)
    expect(button(page, "Pause")).to_be_disabled()


def test_views_of_the_step_landscape_and_code(page: Page):
    inputs, targets = sample()
    for epoch in range(1, 4):
        click_until_epoch(page, "Step", epoch)
    trainer = Trainer(inputs, targets, TrainConfig(seed=0))
    trainer.run(3)
    loss_of_epoch_3 = fmt(trainer.history.loss[2])  # measured before epoch 3's update

    open_tab(page, "Inside one step")
    panel = page.get_by_role("tabpanel").filter(has_text="step by step")
    expect(panel).to_contain_text("Epoch 3")
    expect(panel).to_contain_text(loss_of_epoch_3)
    expect(panel).to_contain_text("loss.backward()")
    expect(panel).to_contain_text("W.grad.zero_()")
    update = panel.locator("div", has_text="torch.no_grad()").last  # coloured on the server
    assert (
        "with torch.no_grad():\n    W -= W.grad * lr\n    b -= b.grad * lr" in update.inner_text()
    )
    screenshot(page, "tab_inside_one_step")

    open_tab(page, "Loss landscape")
    expect(page.get_by_role("tabpanel").locator(".js-plotly-plot")).to_have_count(1)
    screenshot(page, "tab_loss_landscape")

    open_tab(page, "Code & downloads")
    panel = page.get_by_role("tabpanel").filter(has_text="Download script")
    expect(panel.get_by_test_id("stCode")).to_contain_text("final loss")
    expect(panel.get_by_test_id("stDownloadButton")).to_have_count(4)
    screenshot(page, "tab_code")


def test_shared_link_reproduces_its_settings(open_page):
    page = open_page("?seed=7&lr=0.0001&std=1")
    inputs, targets = sample()
    shown = engine_losses(
        inputs, targets, TrainConfig(seed=7, learning_rate=1e-4, standardize=True), 2
    )
    expect(readout(page, "loss")).to_have_text(shown[0])
    click_until_epoch(page, "Step", 1)
    expect(readout(page, "loss")).to_have_text(shown[1])
    click_until_epoch(page, "Step", 2)
    expect(readout(page, "loss")).to_have_text(shown[2])
    # Interactions (Step, a tab) leave the link's settings in the URL.
    open_tab(page, "Loss landscape")
    query = parse_qs(urlparse(page.url).query)
    assert query.get("seed") == ["7"], page.url
    assert float(query["lr"][0]) == 1e-4, page.url
    assert query.get("std") == ["1"], page.url


def test_divergence_stops_with_a_warning_and_finite_numbers(open_page):
    page = open_page("?lr=1")
    inputs, targets = sample()
    trainer = Trainer(inputs, targets, TrainConfig(seed=0, learning_rate=1.0))
    trainer.run(100)
    assert trainer.diverged

    button(page, "Run").click()
    warning = page.get_by_test_id("stAlert").filter(has_text="diverged")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text(f"epoch {trainer.diverged_at}")
    expect(warning).to_contain_text("smaller learning rate")
    wait_idle(page)
    # The views play the Run's frames up to the last finite epoch, then stop there.
    expect(readout(page, "epoch")).to_have_text(f"{trainer.epoch:,}")
    loss = readout_text(page, "loss")
    assert loss == fmt(trainer.current_loss())
    assert math.isfinite(float(loss.replace("−", "-"))), loss
    # The last finite weights stay on screen.
    code = equations_text(page)
    expect(code).to_have_text("\n".join(equations(trainer, SAMPLE_INPUTS, SAMPLE_TARGETS)))
    assert not {"∞", "−∞", "nan"} & set(code.inner_text().replace("·", " ").split()), code
    screenshot(page, "diverged")
