"""Uploading files as people have them, then files that are wrong or hostile.

A good Latin-1, semicolon-separated, decimal-comma file with accented headers trains like the
engine says; after that, each bad file shows a clear error beside the uploader and leaves
the last good data and training as they were. Never a traceback; HTML in a header is text.
"""

from __future__ import annotations

import pandas as pd
import pytest
from browserkit import (
    DATA,
    assert_no_traceback,
    click_until_epoch,
    engine_losses,
    equations_text,
    readout,
    readout_text,
    screenshot,
    table_headers,
    wait_idle,
)
from playwright.sync_api import Page, expect

from linreg import TrainConfig, data

pytestmark = pytest.mark.browser

GOOD = DATA / "cosecha_latin1.csv"
GOOD_COLUMNS = ["Año", "Precipitación", "Temperatura", "Humedad", "Cosecha (t)"]
# The app's own default roles for this table (Año, a run of years, is left out of the inputs).
GOOD_INPUTS, GOOD_TARGETS = data.default_roles(data.read_csv(GOOD))
XSS = "<img src=x onerror=window.__xss=1>"

# (file name, content, words the error must contain)
HOSTILE = [
    ("junk.csv", bytes(range(256)) * 4, ["not a text file"]),
    ("header_only.csv", b"x;y;z\r\n", ["header but no data rows"]),
    (
        "text_cell.csv",
        b"x,y,z\n1,2,3\n4,abc,6\n7,8,9\n10,11,12\n",
        ["'y'", "'abc'", "not a number"],
    ),
    ("ragged.csv", b"x,y,z\n1,2,3\n4,5,6,7\n8,9,10\n", ["Line 3", "4 value(s)", "header has 3"]),
    ("duplicate.csv", b"x,y,x\n1,2,3\n4,5,6\n7,8,9\n", ["'x'", "more than once"]),
    (
        "html_header.csv",
        f"{XSS},{XSS},y\n1,2,3\n4,5,6\n7,8,10\n".encode(),
        [f"'{XSS}'", "more than once"],
    ),
]


def uploader(page: Page):
    return page.locator('[data-testid="stFileUploader"] input[type="file"]')


def upload(page: Page, name: str, content: bytes) -> None:
    uploader(page).set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    expect(page.get_by_test_id("stFileChipName").filter(has_text=name)).to_be_visible()
    page.wait_for_timeout(300)  # the upload's rerun starts a moment after the file shows
    wait_idle(page)


def multiselect(page: Page, label: str):
    return page.get_by_test_id("stMultiSelect").filter(has_text=label)


def good_losses(epochs: int) -> list[str]:
    frame = pd.read_csv(GOOD, sep=";", decimal=",", encoding="latin-1")
    inputs, targets = frame[GOOD_INPUTS].to_numpy(float), frame[GOOD_TARGETS].to_numpy(float)
    return engine_losses(inputs, targets, TrainConfig(seed=0, standardize=True), epochs)


def test_good_upload_then_hostile_files_keep_the_training(open_page):
    # Years (Año ≈ 2020) as an input need standardized inputs at the default learning rate.
    page = open_page("?std=1")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Upload CSV", exact=True).click()
    expect(uploader(page)).to_be_attached()
    wait_idle(page)

    upload(page, GOOD.name, GOOD.read_bytes())
    headers = table_headers(page)
    expect(headers).to_have_text(GOOD_COLUMNS)
    expect(page.get_by_test_id("stExpander").first).to_contain_text("6 rows × 5 columns")
    chosen = multiselect(page, "Inputs").locator("[data-tag]")
    expect(chosen).to_have_text(GOOD_INPUTS)
    expect(multiselect(page, "Targets").locator("[data-tag]")).to_have_text(GOOD_TARGETS)
    expect(sidebar).to_contain_text(f"Training on {GOOD.name}")

    losses = good_losses(2)
    expect(readout(page, "epoch")).to_have_text("0")
    expect(readout(page, "loss")).to_have_text(losses[0])
    click_until_epoch(page, "Step", 1)
    click_until_epoch(page, "Step", 2)
    expect(readout(page, "loss")).to_have_text(losses[2])
    equation = equations_text(page)
    expect(equation).to_contain_text(f"{GOOD_TARGETS[0]} = ")
    for name in GOOD_INPUTS:
        expect(equation).to_contain_text(f"·{name}")
    assert_no_traceback(page)

    for name, content, words in HOSTILE:
        upload(page, name, content)
        error = sidebar.get_by_test_id("stAlertContentError")
        expect(error).to_have_count(1)
        for word in words:
            expect(error, f"{name}: the error should say {word!r}").to_contain_text(word)
        expect(readout(page, "epoch"), f"{name} changed the training").to_have_text("2")
        assert readout_text(page, "loss") == losses[2], name
        expect(headers).to_have_text(GOOD_COLUMNS)
        assert_no_traceback(page)
        assert page.evaluate("window.__xss") is None, name
        if name == "html_header.csv":
            screenshot(page, "upload_error")

    # Training goes on with the good data after all that.
    click_until_epoch(page, "Step", 3)
    expect(readout(page, "loss")).to_have_text(good_losses(3)[3])


def test_html_header_is_shown_as_text(page: Page):
    page.get_by_test_id("stSidebar").get_by_text("Upload CSV", exact=True).click()
    expect(uploader(page)).to_be_attached()
    wait_idle(page)
    upload(page, "html.csv", f"{XSS},y\n1,2\n2,4.5\n3,5.5\n4,8\n".encode())
    expect(table_headers(page)).to_have_text([XSS, "y"])
    expect(multiselect(page, "Inputs")).to_contain_text(XSS)
    click_until_epoch(page, "Step", 1)
    expect(equations_text(page)).to_contain_text("y = ")
    expect(equations_text(page)).to_contain_text(f"·{XSS}")
    # The weights' table writes the name as text, and the predictions' chart's axis too.
    expect(page.locator(".lv-weights th").filter(has_text=XSS)).to_have_count(1)
    expect(page.locator(".lv-line .xtitle")).to_have_text(XSS)
    expect(page.locator("img[src='x']")).to_have_count(0)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert_no_traceback(page)
