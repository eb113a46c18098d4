"""Play animates epoch after epoch; Pause stops it on the first click, even mid-frame.

Streamlit risks: a click that lands while a ``run_every`` fragment is rerunning can be
swallowed, and a button that moves between mouse-down and mouse-up never gets its click. So
the cycle is repeated many times with the Pause click placed at varied moments after Play
(the earliest while the page is still drawing the run that Play started), and every click
must stop the animation by itself.
"""

from __future__ import annotations

import random
import time

import pytest
from browserkit import assert_no_traceback, button, epoch_of, screenshot, wait_idle
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

CYCLES = 24
DELAYS_MS = (0, 50, 120, 300)
HOLD_S = 1.5  # how long a paused page must keep the same epoch (first and last cycle)
QUICK_HOLD_S = 0.5  # the other cycles: still five Play frames (PLAY_INTERVAL = 0.1 s)
STOP_TIMEOUT_MS = 4_000  # time for one Pause click to enable Play again


def wait_for_epoch_above(page: Page, epoch: int, timeout_s: float = 20.0) -> int:
    deadline = time.monotonic() + timeout_s
    while (now := epoch_of(page)) <= epoch:
        assert time.monotonic() < deadline, f"Play did not get past epoch {epoch} (at {now})"
        page.wait_for_timeout(50)
    return now


def pause_once(page: Page, cycle: int, delay: int, hold_s: float, log: list[str]) -> bool:
    """Click Pause once; True when that single click stopped the animation for good."""
    before = epoch_of(page)
    button(page, "Pause").click()
    try:
        expect(button(page, "Play")).to_be_enabled(timeout=STOP_TIMEOUT_MS)
    except AssertionError:
        after = epoch_of(page)
        log.append(
            f"cycle {cycle} (Pause {delay} ms after Play enabled Pause): the click at epoch "
            f"{before} did not stop Play; {STOP_TIMEOUT_MS} ms later Play is still disabled "
            f"and the epoch is {after}"
        )
        for _ in range(5):  # stop it anyway so that the next cycles can run
            if button(page, "Play").is_enabled():
                break
            button(page, "Pause").click()
            page.wait_for_timeout(1_000)
        wait_idle(page)
        return False
    wait_idle(page)
    stopped = epoch_of(page)
    page.wait_for_timeout(int(hold_s * 1000))
    later = epoch_of(page)
    if later != stopped or not button(page, "Play").is_enabled():
        log.append(
            f"cycle {cycle} (Pause {delay} ms after Play enabled Pause): Play was enabled "
            f"at epoch {stopped} but {hold_s} s later the epoch is {later}"
        )
        return False
    log.append(f"cycle {cycle}: ok, delay {delay} ms, paused at epoch {stopped}")
    return True


def test_pause_stops_play_on_the_first_click(open_page):
    # A neighbour plays all along: a workshop server is never idle, and load widens the
    # moments in which a click can be lost.
    neighbour = open_page("?seed=1")
    button(neighbour, "Play").click()
    expect(button(neighbour, "Pause")).to_be_enabled()
    page = open_page()
    rng = random.Random(20_240_611)
    delays = [DELAYS_MS[i % len(DELAYS_MS)] for i in range(CYCLES)]
    rng.shuffle(delays)
    log: list[str] = []
    failures = 0

    button(page, "Play").click()
    expect(button(page, "Pause")).to_be_enabled()
    wait_for_epoch_above(page, 3)
    failures += not pause_once(page, 0, -1, HOLD_S, log)
    assert_no_traceback(page)

    for cycle, delay in enumerate(delays, start=1):
        start = epoch_of(page)
        button(page, "Play").click()
        expect(button(page, "Pause")).to_be_enabled()
        if delay:
            page.wait_for_timeout(delay)
        hold = HOLD_S if cycle == CYCLES else QUICK_HOLD_S
        failures += not pause_once(page, cycle, delay, hold, log)
        assert epoch_of(page) >= start

    assert_no_traceback(page)
    screenshot(page, "after_play_pause")
    button(neighbour, "Pause").click()
    assert failures == 0, f"{failures} of {CYCLES + 1} Pause clicks failed:\n" + "\n".join(log)
