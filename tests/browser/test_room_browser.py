"""A live room in real browsers (issue 12): a presenter and three followers in separate
contexts on one server. The followers show the engine's numbers after the presenter's Steps,
Play and Pause; one makes the run its own and trains on as the engine does from that epoch;
one tries the controls and crafted links, and the presenter's run stays the engine's; the
board shows the fork; one follower reads it all in Spanish. Then the same following through
Redis (LINREG_ROOMS_URL), on a second server. A follower receives by the stream with no rerun
per frame (what it receives matches the live views' message schema); its stream, cut while
the presenter steps on, resumes by itself with what it missed.
"""

from __future__ import annotations

import re

import pytest
from browserkit import (
    RECORD_PAYLOADS,
    StreamCut,
    assert_no_traceback,
    button,
    click_until_epoch,
    engine_losses,
    engine_trainer,
    epoch_of,
    fmt,
    heatmap_cells,
    readout,
    received_payloads,
    sample,
    screenshot,
    wait_idle,
    wait_loaded,
    wait_still,
)
from conftest import VIEWPORT, streamlit_server
from playwright.sync_api import Page, expect

from linreg import TrainConfig
from linreg.dashboard.texts import t

pytestmark = pytest.mark.browser


def start_room(page: Page) -> str:
    """Click "Start a room"; the follower link the page shows."""
    button(page, "Start a room").click()
    wait_idle(page)
    link = page.get_by_test_id("stSidebar").get_by_test_id("stCode").first.inner_text().strip()
    assert "?room=" in link and len(link.rsplit("=", 1)[1]) == 8, link
    return link


def open_follower(browser, link: str, extra: str = "") -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(link + extra)
    wait_loaded(page)
    return page


def expect_engine(page: Page, epoch: int, losses: list[str], config: TrainConfig) -> None:
    """The page's readouts and first weight cell are the engine's after ``epoch`` epochs."""
    inputs, targets = sample()
    expect(readout(page, "epoch")).to_have_text(f"{epoch:,}")
    expect(readout(page, "loss")).to_have_text(losses[epoch])
    weight, bias = engine_trainer(inputs, targets, config, epoch).parameters()
    expect(heatmap_cells(page).first).to_have_text(fmt(weight[0, 0]))
    expect(heatmap_cells(page).nth(weight.shape[1])).to_have_text(fmt(bias[0]))


def play_then_pause(presenter: Page, watcher: Page) -> int:
    """The presenter plays until ``watcher`` shows epoch 21 or later, then pauses; the epoch
    where it paused, once the page is idle."""
    button(presenter, "Play").click()
    watcher.wait_for_function(
        "() => parseInt(document.querySelector('[data-metric=\"epoch\"]').textContent) > 20"
    )
    button(presenter, "Pause").click()
    expect(button(presenter, "Play")).to_be_enabled()
    wait_idle(presenter)
    presenter.wait_for_timeout(500)
    return epoch_of(presenter)


def test_a_room_follows_forks_and_stays_the_presenters(browser, open_page):
    config = TrainConfig()
    inputs, targets = sample()
    presenter = open_page()
    link = start_room(presenter)
    followers = [open_follower(browser, link), open_follower(browser, link, "&lang=es")]
    crafty = open_follower(browser, link, "&lr=1&seed=5&engine=nn")
    everyone = [*followers, crafty]
    try:
        losses = engine_losses(inputs, targets, config, 3)
        for k in range(1, 4):
            click_until_epoch(presenter, "Step", k)
        for page in everyone:
            expect_engine(page, 3, losses, config)
            expect(page.locator(".lv-controls")).to_be_hidden()
        # Spanish: the follower's own words around the presenter's numbers.
        expect(button(followers[1], "Hacerla mía")).to_be_visible()
        expect(followers[1].get_by_text("Siguiendo la sala")).to_be_visible()

        # Play, then Pause: everyone ends on the presenter's paused epoch.
        paused = play_then_pause(presenter, watcher=presenter)
        losses = engine_losses(inputs, targets, config, paused + 2)
        expect_engine(presenter, paused, losses, config)
        for page in everyone:
            expect_engine(page, paused, losses, config)

        # A follower presses the hidden controls: nothing reaches the presenter's run.
        for name in ("step", "run", "play", "reset", "clear-runs"):
            crafty.locator(f".lv-{name}").dispatch_event("click")
        crafty.wait_for_timeout(1500)
        assert_no_traceback(crafty)
        expect_engine(presenter, paused, losses, config)
        expect_engine(crafty, paused, losses, config)

        # Make it mine: the follower's own run continues as the engine does from there.
        mine = followers[0]
        nickname = "Ana <i>x</i>"
        box = mine.get_by_role("textbox", name="Nickname on the room board (optional)")
        box.fill(nickname)
        box.press("Enter")
        wait_idle(mine)
        button(mine, "Make it mine").click()
        expect(button(mine, "Step")).to_be_visible()
        wait_idle(mine)
        assert "room=" not in mine.url
        expect_engine(mine, paused, losses, config)
        click_until_epoch(mine, "Step", paused + 1)
        click_until_epoch(mine, "Step", paused + 2)
        expect_engine(mine, paused + 2, losses, config)
        # The board shows the fork, its nickname as typed (escaped, not markup).
        entry = f"{nickname} · learning rate 1e-05 · epoch {paused + 2:,}"
        pick = presenter.get_by_role("combobox", name="Run to show to the room")
        expect(pick).to_have_value(entry)
        # The presenter shows it to the room: the followers see it (read-only).
        button(presenter, "Show to the room").click()
        expect(
            followers[1].get_by_text(
                f"Mostrada a la sala: {entry}".replace(
                    "learning rate", "tasa de aprendizaje"
                ).replace("epoch", "época")
            )
        ).to_be_visible()
        expect(crafty.get_by_text(f"Shown to the room: {entry}")).to_be_visible()
        wait_idle(presenter)
        wait_still(presenter, button(presenter, "Step"))  # the board above grew

        # The presenter's own run is still the engine's: it steps on from the paused epoch.
        click_until_epoch(presenter, "Step", paused + 1)
        expect_engine(presenter, paused + 1, losses, config)
        for page in (followers[1], crafty):
            expect_engine(page, paused + 1, losses, config)
        screenshot(presenter, "room-presenter")
        screenshot(followers[1], "room-follower-es")
        screenshot(mine, "room-mine")
    finally:
        for page in everyone:
            page.context.close()


def test_followers_follow_through_redis(browser, redis_url):
    config = TrainConfig()
    inputs, targets = sample()
    losses = engine_losses(inputs, targets, config, 2)
    with streamlit_server({"LINREG_ROOMS_URL": redis_url}) as url:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            presenter = context.new_page()
            presenter.goto(url)
            wait_loaded(presenter)
            link = start_room(presenter)
            follower = open_follower(browser, link, "&lang=es")
            expect_engine(follower, 0, losses, config)
            click_until_epoch(presenter, "Step", 1)
            click_until_epoch(presenter, "Step", 2)
            expect_engine(follower, 2, losses, config)
            expect(presenter.locator('[data-room="followers"]')).to_have_text("Following now: 1")
            follower.context.close()
        finally:
            context.close()


# Counts the page's script runs: Streamlit marks [data-testid=stApp] "running" for each.
COUNT_RUNS = """
window.__scriptRuns = 0;
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.getAttribute('data-test-script-state') === 'running') window.__scriptRuns++;
  }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-test-script-state'] });
"""


def test_a_follower_receives_by_the_stream_without_reruns(browser, open_page):
    config = TrainConfig()
    inputs, targets = sample()
    losses = engine_losses(inputs, targets, config, 12)
    presenter = open_page()
    click_until_epoch(presenter, "Step", 1)
    click_until_epoch(presenter, "Step", 2)
    link = start_room(presenter)  # the follower joins late: a keyframe at epoch 2
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(COUNT_RUNS)
    context.add_init_script(RECORD_PAYLOADS)
    follower = context.new_page()
    try:
        follower.goto(link)
        wait_loaded(follower)
        expect_engine(follower, 2, losses, config)
        expect(follower.locator(".linreg-live")).to_have_attribute("data-stream", "open")
        wait_idle(follower)
        runs = follower.evaluate("window.__scriptRuns")
        for k in range(3, 9):
            click_until_epoch(presenter, "Step", k)
            expect_engine(follower, k, losses, config)
        # nothing reran on the follower's server session for six frames
        assert follower.evaluate("window.__scriptRuns") == runs

        # Play and Pause travel on the stream too; still no rerun of the follower's session.
        paused = play_then_pause(presenter, watcher=follower)
        losses = engine_losses(inputs, targets, config, paused + 1)
        expect_engine(follower, paused, losses, config)
        assert follower.evaluate("window.__scriptRuns") == runs
        expect(follower.locator('[data-stream="note"]')).to_be_hidden()
        assert_no_traceback(follower)
        # What the stream brought live.js is the one message, relabelled (the schema's check).
        payloads = received_payloads(follower)
        assert all(p["readonly"] is True for p in payloads)
        assert {p["mode"] for p in payloads} >= {"show", "play"}
    finally:
        context.close()


# The loss curve the views draw: (epochs, losses) of this run's trace (no earlier runs here).
CURVE = "() => { const d = document.querySelector('.lv-loss').data[0]; return [d.x, d.y]; }"


REFUSED = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@pytest.mark.parametrize("answer", [b"", REFUSED], ids=["network-error", "503"])
def test_a_dropped_stream_resumes_with_the_epochs_it_missed(browser, open_page, server, answer):
    """The follower's stream goes through a proxy that cuts it (Chromium's offline emulation
    leaves an open EventSource connected: it is no drop) and refuses it while down, with a
    network error (EventSource retries by itself, sending Last-Event-ID) or a 503 (EventSource
    gives up; stream.js opens it again with ``?after=``). While it is down the follower says
    so and keeps its epoch; once the network is back it resumes by itself after the last
    version it held, and shows every epoch it missed, as the engine computes them."""
    config = TrainConfig()
    inputs, targets = sample()
    losses = engine_losses(inputs, targets, config, 5)
    presenter = open_page()
    link = start_room(presenter)
    with StreamCut(server) as network:
        follower = open_follower(browser, network.address(link))
        note = follower.locator('[data-stream="note"]')
        views = follower.locator(".linreg-live")
        try:
            click_until_epoch(presenter, "Step", 1)
            expect_engine(follower, 1, losses, config)
            expect(views).to_have_attribute("data-stream", "open")
            assert len(network.requests) == 1, network.requests

            network.cut(answer)
            expect(views).to_have_attribute("data-stream", "reconnecting")
            expect(note).to_be_visible()
            expect(note).to_have_text(t("room.reconnecting", "en"))
            for k in range(2, 6):
                click_until_epoch(presenter, "Step", k)
            follower.wait_for_timeout(3000)  # past the stream's retry time: a retry refused
            assert network.refused >= 1
            expect(readout(follower, "epoch")).to_have_text("1")
            expect(note).to_be_visible()

            network.mend()
            expect(views).to_have_attribute("data-stream", "open")
            expect(note).to_be_hidden()
            expect_engine(follower, 5, losses, config)
            epochs, curve = follower.evaluate(CURVE)
            assert epochs == [0, 1, 2, 3, 4, 5]
            assert [fmt(v) for v in curve] == losses
            # It asked for what came after the version it held (the keyframe Start a room
            # sent, then Step 1's frame at least), not for the room afresh.
            held = re.search(r"Last-Event-ID: (\d+)|[?&]after=(\d+)", network.requests[-1])
            assert held is not None and int(held[1] or held[2]) >= 2, network.requests[-1]
            assert_no_traceback(follower)
        finally:
            follower.context.close()
