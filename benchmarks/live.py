"""Live views in a real browser (issue 11): Step latency, Play frames/s, longest task, bytes.

    python -m benchmarks.live

Starts benchmarks/live_demo.py once and measures, in the same run, the bare one-button
Streamlit page (``?bare=1``) as the floor of a Step. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
STEPS = 25

# In the page: time from the click to the epoch readout showing the next epoch, after the
# browser has painted (two animation frames).
STEP_JS = """async ([selector, button]) => {
  const readout = () => document.querySelector(selector);
  const before = readout().textContent;
  const t0 = performance.now();
  const done = new Promise((resolve) => {
    const poll = () => {
      if (readout().textContent !== before) {
        requestAnimationFrame(() => resolve(performance.now() - t0));
      } else requestAnimationFrame(poll);
    };
    poll();
  });
  [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === button).click();
  return await done;
}"""

# Counts frames in which the epoch readout changed, and long tasks, for ``ms`` milliseconds.
PLAY_JS = """async (ms) => {
  const readout = document.querySelector('[data-metric="epoch"]');
  let longest = 0, longTasks = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) { longest = Math.max(longest, entry.duration); longTasks++; }
  });
  observer.observe({ type: "longtask", buffered: false });
  let frames = 0, changed = 0, last = readout.textContent;
  const first = parseInt(last.replace(/,/g, ''), 10);
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      frames++;
      const now = readout.textContent;
      if (now !== last) { changed++; last = now; }
      if (performance.now() - t0 < ms) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  observer.disconnect();
  const seconds = (performance.now() - t0) / 1000;
  const epochs = parseInt(last.replace(/,/g, ''), 10) - first;
  return { fps: changed / seconds, rafs: frames / seconds, epochs_per_s: epochs / seconds, longest, longTasks };
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "benchmarks/live_demo.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    for _ in range(400):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return process
        except OSError:
            time.sleep(0.25)
    process.terminate()
    raise RuntimeError("the demo server did not start")


def frame_bytes(cdp, received: list[int]) -> None:
    def on_frame(event) -> None:
        response = event["response"]
        size = len(response["payloadData"])
        received.append(size * 3 // 4 if response.get("opcode") == 2 else size)

    cdp.send("Network.enable")
    cdp.on("Network.webSocketFrameReceived", on_frame)


def wait_idle(page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def measure(page, selector: str, button: str, steps: int, received: list[int]) -> tuple[list, list]:
    times, sizes = [], []
    for _ in range(steps):
        wait_idle(page)
        page.wait_for_timeout(150)
        received.clear()
        times.append(page.evaluate(STEP_JS, [selector, button]))
        wait_idle(page)
        page.wait_for_timeout(100)
        sizes.append(sum(received))
    return times, sizes


def main() -> None:
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
            )
            results = {}
            for name, query, selector in (
                ("bare one-button app", "?bare=1", '[data-testid="stMetricValue"]'),
                ("live views", "", '[data-metric="epoch"]'),
            ):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                cdp = page.context.new_cdp_session(page)
                received: list[int] = []
                frame_bytes(cdp, received)
                page.goto(url + query)
                page.wait_for_selector(selector, timeout=60_000)
                wait_idle(page)
                page.wait_for_timeout(1500)
                times, sizes = measure(page, selector, "Step", STEPS, received)
                results[name] = (times, sizes)
                print(
                    f"{name}: Step click → updated, median {statistics.median(times):.1f} ms "
                    f"(p90 {sorted(times)[int(0.9 * len(times))]:.1f}); bytes received per Step "
                    f"median {statistics.median(sizes):.0f}"
                )
                if name == "live views":
                    for speed in (1, 20):
                        page.fill("input.lv-speed", str(speed))
                        page.get_by_role("button", name="Play", exact=True).click()
                        page.wait_for_timeout(1500)
                        play = page.evaluate(PLAY_JS, 4000)
                        page.get_by_role("button", name="Pause", exact=True).click()
                        wait_idle(page)
                        page.wait_for_timeout(500)
                        print(f"live views: Play speed {speed}: {json.dumps(play)}")
                page.close()
            bare = statistics.median(results["bare one-button app"][0])
            views = statistics.median(results["live views"][0])
            print(f"Step ratio live/bare: {views / bare:.2f}")
            browser.close()
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
