"""The workshop on real screens (issue 16): a phone, a projector, a fresh attendee's first visit,
a screen reader and a keyboard.

Phones are Chromium's emulation (a narrow viewport, ``is_mobile``, touch); the projector is
1280 × 720; the first visit is a fresh browser context measured over CDP; accessibility is
axe-core (pinned, fetched by the Makefile into tests/browser/vendor) injected into the page.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from browserkit import (
    SHOTS,
    button,
    click_until_epoch,
    readout,
    wait_idle,
    wait_loaded,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1280, "height": 720}
FIRST_VISIT_BYTES = 2_000_000  # a new attendee's first load, everything on the wire
TOUCH_TARGET_PX = 44
READOUT_PX_PRESENT = 32
# The boxes of the live views: every one must lie inside a phone's width.
VIEW_BOXES = ".lv-controls, .lv-readouts, .lv-col, .lv-chart, .lv-table-box, .lv-equations"


def _open(browser, url: str, **context) -> Page:
    page = browser.new_context(**context).new_page()
    page.goto(url)
    wait_loaded(page)
    return page


def _phone(browser, url: str, width: int = PHONE["width"]) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": PHONE["height"]}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(url)
    wait_loaded(page)
    return page


def _layout(page: Page) -> dict:
    """The main area's scroll and client widths, and every live view's box."""
    return page.evaluate(
        """(selector) => {
          const main = document.querySelector('[data-testid="stMain"]');
          const boxes = [...document.querySelectorAll(selector)]
            .filter((e) => e.getClientRects().length)
            .map((e) => { const r = e.getBoundingClientRect();
              return {name: e.className, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; });
          return {scrollWidth: main.scrollWidth, clientWidth: main.clientWidth,
                  pageWidth: document.documentElement.scrollWidth, width: window.innerWidth, boxes};
        }""",
        VIEW_BOXES,
    )


def _assert_fits(page: Page) -> dict:
    layout = _layout(page)
    assert layout["scrollWidth"] == layout["clientWidth"], layout
    assert layout["pageWidth"] <= layout["width"], layout
    for box in layout["boxes"]:
        assert box["left"] >= 0 and box["right"] <= layout["width"] + 0.5, (box, layout["width"])
    return layout


def _full_shot(page: Page, name: str) -> Path:
    """The whole page at its own width (Streamlit scrolls inside stMain)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": int(height)})
    page.wait_for_timeout(600)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    return path


def _start_room(page: Page, label: str) -> str:
    """Start a room from the sidebar; the follower link it shows."""
    button(page, label).click()
    wait_idle(page)
    link = page.get_by_test_id("stSidebar").get_by_test_id("stCode").first.inner_text()
    assert "?room=" in link, link
    return link.strip()


# -- a phone -----------------------------------------------------------------------------------
@pytest.mark.parametrize("width", [360, 390, 768])
def test_a_phone_shows_every_view_in_its_width_and_steps_by_tap(browser, server, width):
    page = _phone(browser, f"{server}/", width)
    try:
        _assert_fits(page)
        step = page.locator(".lv-step")
        box = step.bounding_box()
        assert box["height"] >= TOUCH_TARGET_PX and box["width"] >= TOUCH_TARGET_PX, box
        for name in ("run", "play", "pause", "reset"):
            assert page.locator(f".lv-{name}").bounding_box()["height"] >= TOUCH_TARGET_PX
        step.tap()
        expect(readout(page, "epoch")).to_have_text("1")
        wait_idle(page)
        layout = _assert_fits(page)
        if width < 640:  # one column, the loss curve above the weights
            boxes = {b["name"].split()[1]: b for b in layout["boxes"] if "lv-chart" in b["name"]}
            assert boxes["lv-loss"]["bottom"] <= boxes["lv-weights"]["top"], boxes
            assert boxes["lv-pred"]["right"] - boxes["lv-pred"]["left"] >= width - 40, boxes
        _full_shot(page, f"phone_{width}")
    finally:
        page.context.close()


def test_a_followers_phone_shows_the_loss_curve_in_two_screens(browser, server):
    presenter = _open(browser, f"{server}/", viewport={"width": 1400, "height": 900})
    follower = None
    try:
        link = _start_room(presenter, "Start a room")
        for epoch in (1, 2):
            click_until_epoch(presenter, "Step", epoch)
        follower = _phone(browser, link)
        expect(readout(follower, "epoch")).to_have_text("2")
        _assert_fits(follower)
        loss_top = follower.locator(".lv-loss").evaluate(
            "(e) => e.getBoundingClientRect().top + document.querySelector("
            "'[data-testid=\"stMain\"]').scrollTop"
        )
        assert loss_top < 2 * PHONE["height"], loss_top
        _full_shot(follower, "phone_follower")
    finally:
        presenter.context.close()
        if follower is not None:
            follower.context.close()


# -- a projector -------------------------------------------------------------------------------
def _inside_first_screen(page: Page, selector: str) -> None:
    """The element lies in the first screen, below Streamlit's fixed header bar."""
    header = page.get_by_test_id("stHeader").bounding_box()
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["y"] >= header["y"] + header["height"], (selector, box, header)
    assert box["y"] + box["height"] <= PROJECTOR["height"], (selector, box)
    assert box["x"] + box["width"] <= PROJECTOR["width"], (selector, box)


def _assert_presenting(page: Page) -> None:
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    expect(page.get_by_test_id("stExpander")).to_have_count(0)  # the data table
    for selector in (".lv-controls", ".lv-readouts", ".lv-weights table", ".lv-loss"):
        _inside_first_screen(page, selector)
    size = page.locator('[data-metric="loss"]').evaluate("(e) => getComputedStyle(e).fontSize")
    assert float(size.removesuffix("px")) >= READOUT_PX_PRESENT, size


def test_present_mode_puts_the_controls_and_the_loss_curve_in_the_first_screen(browser, server):
    page = _open(browser, f"{server}/?present=1", viewport=PROJECTOR)
    try:
        click_until_epoch(page, "Step", 1)
        _assert_presenting(page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "present_mode.png"))
    finally:
        page.context.close()


def test_the_sidebars_switch_turns_present_mode_on_and_off(browser, server):
    page = _open(browser, f"{server}/", viewport=PROJECTOR)
    try:
        expect(page.get_by_test_id("stExpander")).to_have_count(1)
        page.get_by_test_id("stSidebar").get_by_text("Present (projector)").click()
        wait_idle(page)
        expect(page).to_have_url(re.compile(r"present=1"))
        _assert_presenting(page)
        page.get_by_test_id("stExpandSidebarButton").click()
        expect(button(page, "Start a room")).to_be_visible()  # the room, one click away
        page.get_by_test_id("stSidebar").get_by_text("Present (projector)").click()
        wait_idle(page)
        expect(page.get_by_test_id("stExpander")).to_have_count(1)
    finally:
        page.context.close()


# -- a fresh attendee's first visit ------------------------------------------------------------
def test_a_first_visit_transfers_at_most_2_mb(browser, server):
    """Everything that crosses the wire, compressed or not, on a fresh context (empty cache)."""
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.responseReceived", lambda e: urls.update({e["requestId"]: e["response"]["url"]})
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.update({e["requestId"]: int(e["encodedDataLength"])}),
    )
    try:
        page.goto(f"{server}/")
        wait_loaded(page)
        page.wait_for_timeout(1500)  # fonts and late chunks
        total = sum(sizes.values())
        biggest = sorted(((n, urls.get(k, k)) for k, n in sizes.items()), reverse=True)[:8]
        assert total <= FIRST_VISIT_BYTES, (total, biggest)
        plotly = [n for n, url in biggest if "plotly" in url]
        assert plotly and plotly[0] < 500_000, biggest  # the partial bundle, gzipped
    finally:
        context.close()


def test_the_plotly_bundle_draws_every_trace_type_of_the_views(page):
    """Every trace the live views draw is of a type the partial bundle registers."""
    click_until_epoch(page, "Step", 1)
    drawn = page.evaluate(
        """() => [...document.querySelectorAll('.linreg-live .js-plotly-plot')]
             .flatMap((gd) => gd.data.map((trace) => trace.type || 'scatter'))"""
    )
    known = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces)")
    assert drawn and set(drawn) <= set(known), (drawn, known)


# -- a screen reader and a keyboard ------------------------------------------------------------
def _serious_violations(page: Page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text())
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations.map((v) => ({
             id: v.id, impact: v.impact,
             nodes: v.nodes.slice(0, 3).map((n) => n.html.slice(0, 160))}))"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def _assert_accessible(page: Page, which: str) -> None:
    serious = _serious_violations(page)
    assert not serious, f"{which}: " + json.dumps(serious, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_axe_finds_nothing_serious_on_the_three_pages(browser, server, lang):
    assert AXE.is_file(), f"{AXE} is missing: `make test` fetches it"
    start = "Start a room" if lang == "en" else "Abrir una sala"
    presenter = _open(browser, f"{server}/?lang={lang}", viewport={"width": 1400, "height": 900})
    follower = None
    try:
        click_until_epoch(presenter, "Step" if lang == "en" else "Paso", 1)
        _assert_accessible(presenter, "the usual page")
        link = _start_room(presenter, start)
        wait_loaded(presenter)
        _assert_accessible(presenter, "the presenter's room page")
        follower = _open(browser, f"{link}&lang={lang}", viewport=PHONE)
        _assert_accessible(follower, "a follower's page")
    finally:
        presenter.context.close()
        if follower is not None:
            follower.context.close()


def _announced(page: Page) -> str:
    return page.locator("[data-announce]").inner_text().strip()


def test_the_readouts_are_announced_after_a_step_and_calmly_during_play(page):
    live = page.locator("[data-announce]")
    expect(live).to_have_attribute("aria-live", "polite")
    click_until_epoch(page, "Step", 1)
    loss = readout(page, "loss").inner_text()
    expect(live).to_have_text(re.compile(rf"^Epoch 1, loss {re.escape(loss)}, change "))
    # Play: count the region's changes over 5 s; then Pause and hear the epoch it stopped on.
    page.evaluate(
        """() => { window.__said = [];
          new MutationObserver(() => window.__said.push(performance.now()))
            .observe(document.querySelector('[data-announce]'), {childList: true, characterData: true, subtree: true}); }"""
    )
    button(page, "Play").click()
    page.wait_for_timeout(5000)
    button(page, "Pause").click()
    wait_idle(page)
    page.wait_for_timeout(2500)  # the last announcement waits its turn
    epoch = readout(page, "epoch").inner_text()
    expect(live).to_have_text(re.compile(rf"^Epoch {re.escape(epoch)}, loss "))
    said = page.evaluate("() => window.__said")
    assert 1 <= len(said) <= 5, said  # ≤ one every 2 s over ~7.5 s, not one per frame
    gaps = [b - a for a, b in zip(said, said[1:], strict=False)]
    assert all(gap >= 1900 for gap in gaps), gaps


def test_step_is_reached_with_the_keyboard_alone(page):
    """The skip link is the page's first Tab stop; Enter on it, then Enter, runs a Step."""
    presses = 0
    page.keyboard.press("Tab")
    presses += 1
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Skip to the controls", focused
    page.keyboard.press("Enter")
    presses += 1
    assert page.evaluate("() => document.activeElement.classList.contains('lv-step')")
    page.keyboard.press("Enter")
    presses += 1
    expect(readout(page, "epoch")).to_have_text("1")
    wait_idle(page)
    page.keyboard.press(" ")
    presses += 1
    expect(readout(page, "epoch")).to_have_text("2")
    assert presses <= 10
