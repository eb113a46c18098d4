"""A real browser against a real server: Debian's Chromium driven by Playwright.

One Streamlit server and one Chromium for the whole session; each test opens pages in fresh
browser contexts (each its own Streamlit session). See shared/docs/testing.md.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from browserkit import ROOT, VIEWPORT, wait_loaded
from playwright.sync_api import Page, sync_playwright

CHROMIUM = os.environ.get("LINREG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HEALTH_TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


@contextlib.contextmanager
def streamlit_server(env: dict[str, str] | None = None):
    """Base URL of a Streamlit server running app.py (with ``env`` added to its environment)."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="linreg-streamlit-", suffix=".log", delete=False)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                text = Path(log.name).read_text(errors="replace")
                pytest.fail(
                    f"Streamlit did not answer ok at {url}/_stcore/health within "
                    f"{HEALTH_TIMEOUT:.0f} s (exit code {process.poll()}). Server log:\n{text}"
                )
            time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


@pytest.fixture(scope="session")
def server():
    """Base URL of a Streamlit server running app.py; stopped at the end of the session."""
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {CHROMIUM}: the browser tests drive Debian's chromium "
            "(`make chromium`, or `sudo apt-get install chromium`). They fail rather than skip "
            "on purpose: CI must run them."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, server):
    """``open_page("?lang=es")``: a loaded page in a fresh context (a new Streamlit session).

    With ``wait=False`` it returns once the page is navigated, so that several pages can load
    at once; call ``wait_loaded`` on each before using it.
    """
    contexts = []

    def open_(query: str = "", wait: bool = True) -> Page:
        context = browser.new_context(viewport=VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{server}/{query}", wait_until="commit" if not wait else "load")
        if wait:
            wait_loaded(page)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page) -> Page:
    return open_page()
