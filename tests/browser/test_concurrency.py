"""Several people on one server at once: each session's numbers are its own (issue 5).

Four browser contexts (four Streamlit sessions) with different seeds and data step in
turns, their clicks landing together; each Loss must equal the engine's for its own settings.
"""

from __future__ import annotations

import pytest
from browserkit import (
    assert_no_traceback,
    button,
    engine_losses,
    readout,
    sample,
    wait_idle,
    wait_loaded,
)
from playwright.sync_api import expect

from linreg import TrainConfig

pytestmark = pytest.mark.browser

ROUNDS = 3
SESSIONS = [
    ("", "sample5", TrainConfig(seed=0)),
    ("?seed=3&data=sample15", "sample15", TrainConfig(seed=3)),
    (
        "?seed=11&std=1&lr=0.001",
        "sample5",
        TrainConfig(seed=11, standardize=True, learning_rate=1e-3),
    ),
    (
        "?data=sample15&engine=nn&opt=adam&lr=0.01&seed=5",
        "sample15",
        TrainConfig(seed=5, engine="nn", optimizer="adam", learning_rate=0.01),
    ),
]


def test_concurrent_sessions_do_not_cross_talk(open_page):
    pages = [open_page(query, wait=False) for query, _, _ in SESSIONS]  # they load together
    expected = [engine_losses(*sample(data), config, ROUNDS) for _, data, config in SESSIONS]
    assert len({losses[1] for losses in expected}) == len(SESSIONS)  # the sessions differ

    for page, losses in zip(pages, expected, strict=True):
        wait_loaded(page)
        expect(readout(page, "loss")).to_have_text(losses[0])
    for epoch in range(1, ROUNDS + 1):
        for page in pages:  # the four clicks land together on the server
            button(page, "Step").click()
        for page, losses in zip(pages, expected, strict=True):
            expect(readout(page, "epoch")).to_have_text(str(epoch))
            wait_idle(page)
            expect(readout(page, "loss")).to_have_text(losses[epoch])
    for page in pages:
        assert_no_traceback(page)
