"""Helpers for the browser tests: waiting for Streamlit, reading metrics, screenshots, and the
engine's own numbers to compare with (shared/docs/testing.md has the why of each).
"""

from __future__ import annotations

import socket
import threading
import urllib.parse
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
from playwright.sync_api import Page, expect

from linreg import TrainConfig, Trainer
from linreg.dashboard.live_message import schema
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


def wait_still(page: Page, locator, seconds: float = 1.0, timeout: float = 20.0) -> None:
    """Wait until ``locator`` has not moved for ``seconds``: a fragment above it that reran
    (the room's board) can push it down a second after the page is idle, and a click aimed
    at where it was lands on something else."""
    import time

    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        box = locator.bounding_box()
        if box != last:
            last, since = box, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{locator} still moving after {timeout:g} s")


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


# -- the live views' payloads, as the page receives them -------------------------------------
# An init script: every live views' payload the page parses is kept in window.__payloads —
# the component's data (Streamlit hands it over as JSON text) and the payload of a room
# stream's frame message (stream.js parses each), which live.js's receive() then takes.
RECORD_PAYLOADS = """
window.__payloads = [];
const parse = JSON.parse;
JSON.parse = function (...args) {
  const value = parse.apply(this, args);
  if (value && typeof value === "object" && !Array.isArray(value)) {
    if ("frames" in value && "seq" in value) window.__payloads.push(value);
    else if (value.kind === "frame" && value.payload) window.__payloads.push(value.payload);
  }
  return value;
};
"""


def received_payloads(page: Page) -> list[dict]:
    """The payloads the page received since it loaded (with RECORD_PAYLOADS), each checked
    against the live views' JSON Schema (``linreg.dashboard.live_message.schema``)."""
    payloads = page.evaluate("window.__payloads")
    assert payloads, "the page parsed no live views' payload: RECORD_PAYLOADS is out of date"
    validator = jsonschema.Draft202012Validator(schema())
    for i, payload in enumerate(payloads):
        errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(payload)]
        assert not errors, f"payload {i} of {len(payloads)}: " + "; ".join(errors[:5])
    return payloads


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


# -- the network between a browser and the server --------------------------------------------
class StreamCut:
    """A TCP proxy in front of the server (``url``: its address for a browser), passing
    everything through — the page, its scripts, Streamlit's WebSocket — except that ``cut()``
    closes every connection that carried a room's stream request (``GET /room/…``) and refuses
    new ones until ``mend()``: closed at once, unanswered (a network error to the browser), or
    with ``cut(answer=b"HTTP/1.1 503 …")`` answered so (as a server whose room store is down).

    ``requests``: each stream request's head as the browser sent it (text), in order;
    ``refused``: how many were refused while cut. Use as a context manager.
    """

    STREAM = b"GET /room/"

    def __init__(self, server: str) -> None:
        parts = urllib.parse.urlsplit(server)
        self.upstream = (parts.hostname, parts.port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[str] = []
        self.refused = 0
        self.down = False
        self.answer = b""
        self._lock = threading.Lock()
        self._streams: list[socket.socket] = []  # client and server sockets of stream requests
        threading.Thread(target=self._accept, daemon=True).start()

    def address(self, link: str) -> str:
        """``link`` (on the server) as the same path and query through this proxy."""
        parts = urllib.parse.urlsplit(link)
        return urllib.parse.urlunsplit(("http", self.url[len("http://") :], *parts[2:]))

    def cut(self, answer: bytes = b"") -> None:
        with self._lock:
            self.down, self.answer = True, answer
            doomed, self._streams = self._streams, []
        for sock in doomed:
            _close(sock)

    def mend(self) -> None:
        with self._lock:
            self.down = False

    def close(self) -> None:
        self.cut()
        _close(self.listener)

    def __enter__(self) -> StreamCut:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection(self.upstream)
        except OSError:
            _close(client)
            return
        threading.Thread(target=self._pump, args=(server, client, None), daemon=True).start()
        self._pump(client, server, (client, server))

    def _pump(self, source: socket.socket, sink: socket.socket, pair) -> None:
        """Copy ``source`` to ``sink``; ``pair``: the browser → server direction, where
        requests are read (an HTTP/1.1 connection may carry several, one after another)."""
        try:
            while chunk := source.recv(65536):
                if pair is not None and chunk.startswith(self.STREAM):
                    with self._lock:
                        if self.down:
                            self.refused += 1
                            source.sendall(self.answer)
                            break
                        self.requests.append(chunk.decode("latin-1").split("\r\n\r\n")[0])
                        self._streams.extend(pair)
                sink.sendall(chunk)
        except OSError:
            pass
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
