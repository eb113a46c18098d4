"""The dashboard in a real browser: Debian's Chromium driven by Playwright.

Timings that matter to a person are taken inside the page (``performance.now()``): a click is
done by the page's own JavaScript and the wait ends when the Epoch metric shows the expected
value *and* Streamlit reports the script as not running. A minimal Streamlit app (one button,
one metric) served the same way gives the reference: what any Streamlit page pays."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.measure import ROOT, Sizes, median
from benchmarks.reading import big_csv
from benchmarks.server import streamlit_server, tiny_app
from benchmarks.table import Goal, Row, fmt, note

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
SHOTS = ROOT / "artifacts" / "bench"
KIB = 2**10

# Helpers defined in the page once per load (window.__bench).
HELPERS = """
() => {
  const idle = () => document.querySelector('IDLE_SELECTOR') !== null;
  // The live views' readouts carry data-metric; the one-button reference app has an st.metric.
  const metric = (label) => {
    const readout = document.querySelector(`[data-metric="${label.toLowerCase()}"]`);
    if (readout && readout.textContent.trim() !== '') return readout.textContent.trim();
    for (const m of document.querySelectorAll('[data-testid="stMetric"]')) {
      const l = m.querySelector('[data-testid="stMetricLabel"]');
      if (l && l.innerText.trim() === label) {
        const v = m.querySelector('[data-testid="stMetricValue"]');
        return v ? v.innerText.trim() : null;
      }
    }
    return null;
  };
  const button = (label) =>
    [...document.querySelectorAll('button')].find((b) => b.innerText.trim() === label);
  // Click ``label``; resolve with ms until the Epoch metric reads ``expected`` and the app is idle.
  const clickUntil = (label, expected, timeoutMs) => new Promise((resolve, reject) => {
    const b = button(label);
    if (!b) { reject(new Error('no button ' + label)); return; }
    const t0 = performance.now();
    const obs = new MutationObserver(() => {
      if (metric('Epoch') === expected && idle()) {
        obs.disconnect(); clearTimeout(timer); resolve(performance.now() - t0);
      }
    });
    obs.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true});
    const timer = setTimeout(() => {
      obs.disconnect(); reject(new Error('Epoch never showed ' + expected + ', last ' + metric('Epoch')));
    }, timeoutMs);
    b.click();
  });
  // Click ``label``, sample the Epoch metric every 100 ms; resolve when it reads ``expected``.
  const sampleUntil = (label, expected, timeoutMs) => new Promise((resolve, reject) => {
    const b = button(label);
    if (!b) { reject(new Error('no button ' + label)); return; }
    const samples = [];
    const t0 = performance.now();
    let reached = null;
    const tick = setInterval(() => {
      const v = metric('Epoch');
      samples.push(v);
      if (reached === null && v === expected) reached = performance.now() - t0;
      if (reached !== null && idle()) {
        clearInterval(tick);
        resolve({reached, settled: performance.now() - t0, samples});
      } else if (performance.now() - t0 > timeoutMs) {
        clearInterval(tick);
        reject(new Error('Epoch never showed ' + expected + ', last ' + v));
      }
    }, 100);
    b.click();
  });
  window.__bench = {idle, metric, button, clickUntil, sampleUntil};
}
""".replace("IDLE_SELECTOR", IDLE)

READY = "() => window.__bench && window.__bench.metric('Epoch') !== null && window.__bench.idle()"


class Tab:
    """One page of the app, with byte counting on its websocket."""

    def __init__(self, context, url: str) -> None:
        self.page = context.new_page()
        self.received = 0
        self.page.on("websocket", self._on_socket)
        self.url = url

    def _on_socket(self, ws) -> None:
        ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload) -> None:
        self.received += len(payload)

    def load(self, timeout_ms: int = 90_000) -> float:
        """Seconds from navigation until the Epoch metric is visible."""
        start = time.perf_counter()
        self.page.goto(self.url)
        self.page.wait_for_selector(
            '[data-testid="stMetric"], [data-metric="epoch"]', timeout=timeout_ms
        )
        self.install()
        self.page.wait_for_function(
            "() => window.__bench.metric('Epoch') !== null", timeout=timeout_ms
        )
        seconds = time.perf_counter() - start
        self.settle(timeout_ms)
        return seconds

    def install(self) -> None:
        self.page.evaluate(HELPERS)

    def settle(self, timeout_ms: int = 60_000) -> None:
        self.page.wait_for_function(READY, timeout=timeout_ms)

    def exceptions(self) -> list[str]:
        """First lines of the exceptions the page shows (a broken page measures nothing useful)."""
        return self.page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=\"stException\"]')]"
            ".map((e) => e.innerText.trim().split('\\n')[0].slice(0, 160))"
        )

    def problem(self) -> str | None:
        shown = self.exceptions()
        return f"the page shows {len(shown)} exception(s): {shown[0]}" if shown else None

    def epoch(self) -> int:
        text = self.page.evaluate("() => window.__bench.metric('Epoch')")
        return int(text.replace(",", ""))

    def step(self, expected: int, timeout_ms: int = 60_000) -> tuple[float, int]:
        """(seconds from a Step click to the new epoch shown and the app idle, bytes received)."""
        before = self.received
        ms = self.page.evaluate(
            "([e, t]) => window.__bench.clickUntil('Step', e, t)", [f"{expected:,}", timeout_ms]
        )
        self.page.wait_for_timeout(150)  # let the last frames' events reach Python
        return ms / 1000, self.received - before


def first_visit(chromium, url: str) -> tuple[float, int]:
    """(seconds until the Epoch readout shows, bytes over the wire, compressed or not) of a
    new attendee: a fresh browser context, its cache empty."""
    context = chromium.new_context(viewport={"width": 1500, "height": 1000})
    try:
        tab = Tab(context, url)
        cdp = context.new_cdp_session(tab.page)
        cdp.send("Network.enable")
        received: dict[str, int] = {}
        cdp.on(
            "Network.loadingFinished",
            lambda e: received.__setitem__(e["requestId"], int(e["encodedDataLength"])),
        )
        seconds = tab.load()
        tab.page.wait_for_timeout(1000)  # fonts and chunks that arrive after the first render
        return seconds, sum(received.values())
    finally:
        context.close()


def _first_visits(chromium, url: str, sizes: Sizes) -> tuple[float, int]:
    visits = [first_visit(chromium, url) for _ in range(sizes.page_loads)]
    return median([s for s, _ in visits]), int(median([b for _, b in visits]))


def _skipped(why: str, sizes: Sizes) -> list[Row]:
    return [Row(name, skipped=why) for name in row_names(sizes)]


def row_names(sizes: Sizes) -> list[str]:
    run = sizes.browser_run_epochs
    return [
        "browser.first_render",
        "browser.step p50",
        "browser.play frames/s",
        "browser.play longest task",
        "browser.play top speed",
        f"browser.run_{run // 1000}k wall" if run >= 1000 else f"browser.run_{run} wall",
        "browser.run live updates",
        "browser.payload/Step sample",
        "browser.payload/Step 1M rows",
        "browser.upload_1m→epoch 1",
        "browser.server CPU/Step",
        "browser.first_visit bytes",
        "browser.first_visit render",
    ]


def browser(sizes: Sizes, facts: dict, workdir: Path) -> list[Row]:
    if not sizes.browser:
        return _skipped("not in --smoke", sizes)
    if not CHROMIUM.exists():
        return _skipped(f"{CHROMIUM} is missing (make chromium)", sizes)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return _skipped("playwright is not installed", sizes)

    names = row_names(sizes)
    rows: dict[str, Row] = {}
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            tiny = _tiny_reference(chromium, sizes)
            with streamlit_server() as server:
                _app(chromium, server, sizes, facts, tiny, workdir, names, rows)
        finally:
            chromium.close()
    return [
        rows.get(name, Row(name, error="not measured (an earlier step failed)")) for name in names
    ]


def _tiny_reference(chromium, sizes: Sizes) -> dict:
    """First render, Step latency and bytes per Step of a one-button Streamlit app."""
    note("browser: reference app (one button, one metric)")
    with tiny_app() as script, streamlit_server(script) as server:
        context = chromium.new_context()
        try:
            Tab(context, server.url).load()  # the cold first load
            tab = Tab(context, server.url)
            render = tab.load()
            cpu = cpu_seconds(server.process.pid)
            steps = [tab.step(i) for i in range(1, sizes.step_clicks + 1)]
            cpu = (cpu_seconds(server.process.pid) - cpu) / len(steps)
        finally:
            context.close()
        visit_render, visit_bytes = _first_visits(chromium, server.url, sizes)
    return {
        "visit_render": visit_render,
        "visit_bytes": visit_bytes,
        "render": render,
        "step": median([s for s, _ in steps]),
        "bytes": median([b for _, b in steps]),
        "cpu": cpu,
    }


def _attempt(rows: dict, name: str, tab: Tab | None, fn: Callable[[], list[Row]]) -> bool:
    try:
        for row in fn():
            rows[row.name] = row
        return True
    except Exception as err:  # a broken page must not hide the other figures
        shot = ""
        if tab is not None:
            SHOTS.mkdir(parents=True, exist_ok=True)
            path = SHOTS / (re.sub(r"[^\w.]+", "_", name) + ".png")
            try:
                tab.page.screenshot(path=str(path), full_page=True)
                shot = f" (screenshot {path.relative_to(ROOT)})"
            except Exception:
                pass
        message = str(err).strip().splitlines()[0] if str(err).strip() else ""
        rows[name] = Row(name, error=f"{type(err).__name__}: {message[:200]}{shot}")
        return False


def _app(chromium, server, sizes, facts, tiny, workdir, names, rows) -> None:
    url = server.url
    context = chromium.new_context(viewport={"width": 1500, "height": 1000})
    try:
        note("browser: first render on a warm server")
        cold = Tab(context, url).load()
        renders: list[float] = []
        tab: Tab | None = None

        def first_render() -> list[Row]:
            nonlocal tab
            for _ in range(sizes.page_loads):
                tab = Tab(context, url)  # a new session each time; the last one is kept
                renders.append(tab.load())
            return [
                Row(
                    names[0],
                    median(renders),
                    reference=tiny["render"],
                    goal=Goal("value", "<=", 1.5),
                    detail=f"median of {len(renders)} loads after the cold one ({fmt(cold, 's')}); "
                    "until the Epoch metric is visible; reference: one-button app",
                )
            ]

        if not _attempt(rows, names[0], tab, first_render):
            return
        _attempt(
            rows, names[11], None, lambda: _first_visit_rows(chromium, url, sizes, tiny, names)
        )
        _attempt(rows, names[1], tab, lambda: _steps(tab, server, sizes, tiny, names, facts))
        _attempt(rows, names[2], tab, lambda: _play(tab, sizes, names))
        _attempt(rows, names[5], tab, lambda: _run(tab, sizes, facts, names))
        if sizes.upload_big:
            _attempt(rows, names[9], tab, lambda: _upload(tab, sizes, facts, workdir, names))
        else:
            for name in names[8:10]:
                rows[name] = Row(name, skipped="full run only (not in --quick)")
    finally:
        context.close()


def _first_visit_rows(chromium, url: str, sizes: Sizes, tiny: dict, names: list[str]) -> list[Row]:
    note("browser: first visits, each in a fresh browser context")
    render, received = _first_visits(chromium, url, sizes)
    detail = f"median of {sizes.page_loads} fresh browser contexts (empty cache), warm server"
    return [
        Row(
            names[11],
            received,
            unit="B",
            reference=tiny["visit_bytes"],
            goal=Goal("value", "<=", 2_000_000),
            detail=f"bytes over the wire (CDP encodedDataLength), {detail}; reference: one-button app",
        ),
        Row(
            names[12],
            render,
            reference=tiny["visit_render"],
            goal=Goal("value", "<=", 1.5),
            detail=f"until the Epoch readout shows, {detail}; goal also ≤ 2× the reference; "
            "reference: one-button app",
        ),
    ]


def _steps(tab: Tab, server, sizes: Sizes, tiny: dict, names: list[str], facts: dict) -> list[Row]:
    note(f"browser: {sizes.step_clicks} Step clicks")
    start = tab.epoch()
    cpu = cpu_seconds(server.process.pid)
    results = [tab.step(start + i) for i in range(1, sizes.step_clicks + 1)]
    cpu = (cpu_seconds(server.process.pid) - cpu) / len(results)
    latency = median([s for s, _ in results])
    payload = median([b for _, b in results])
    facts["step_bytes"] = payload
    problem = tab.problem()
    return [
        Row(
            names[1],
            latency,
            reference=tiny["step"],
            error=problem,
            goal=Goal("value", "<=", 0.100),
            detail=f"in-page, click → every live view redrawn (the epoch readout shows the new "
            f"value) and the app is idle; goal also ≤ 3× the reference; "
            f"median of {len(results)} (max {fmt(max(s for s, _ in results), 's')}); "
            "reference: one-button app",
        ),
        Row(
            names[7],
            payload,
            unit="B",
            reference=tiny["bytes"],
            error=problem,
            goal=Goal("value", "<=", 5 * KIB),
            detail="websocket bytes received per Step (median); reference: one-button app",
        ),
        Row(
            names[10],
            cpu,
            reference=tiny["cpu"],
            error=problem,
            goal=Goal("value", "<=", 0.015),
            detail="the server process's CPU time (user + system, /proc) over the Step clicks, "
            "per Step; reference: one-button app",
        ),
    ]


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process ``pid`` has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# Counts, for ``ms`` milliseconds, the animation frames in which the epoch readout changed,
# the epochs gone by, and the longest main-thread task (PerformanceObserver "longtask").
PLAY_JS = """async (ms) => {
  const readout = document.querySelector('[data-metric="epoch"]');
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ type: "longtask", buffered: false });
  let changed = 0, last = readout.textContent;
  const first = parseInt(last.replace(/,/g, ''), 10);
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = () => {
      const now = readout.textContent;
      if (now !== last) { changed++; last = now; }
      if (performance.now() - t0 < ms) requestAnimationFrame(tick); else resolve();
    };
    requestAnimationFrame(tick);
  });
  observer.disconnect();
  const seconds = (performance.now() - t0) / 1000;
  const epochs = parseInt(last.replace(/,/g, ''), 10) - first;
  return { fps: changed / seconds, epochs_per_s: epochs / seconds, longest };
}"""


def _play_at(tab: Tab, speed: int, seconds: float) -> tuple[dict, str | None]:
    """Play at ``speed`` epochs a frame for ``seconds``; Pause must hold on one click."""
    from playwright.sync_api import expect

    page = tab.page
    box = page.locator("input.lv-speed")
    box.fill(str(speed))
    box.press("Tab")
    page.wait_for_timeout(300)
    tab.settle()
    play = page.get_by_role("button", name="Play", exact=True)
    play.click()
    page.wait_for_timeout(1000)  # past the first batch
    measured = page.evaluate(PLAY_JS, int(seconds * 1000))
    page.get_by_role("button", name="Pause", exact=True).click()
    problem = None
    try:
        expect(play).to_be_enabled(timeout=10_000)
        tab.settle()
        held = tab.epoch()
        page.wait_for_timeout(1000)
        if tab.epoch() != held:
            problem = "epochs still moving 1 s after Pause"
    except AssertionError:
        problem = "one Pause click did not enable Play again within 10 s"
        tab.load()  # a fresh session for the next benchmarks
    return measured, problem


def _play(tab: Tab, sizes: Sizes, names: list[str]) -> list[Row]:
    from linreg.dashboard.settings import MAX_SPEED

    note(f"browser: Play for {sizes.play_seconds:g} s at speed 1, then at {MAX_SPEED:,}")
    one, problem = _play_at(tab, 1, sizes.play_seconds)
    top, top_problem = _play_at(tab, MAX_SPEED, sizes.play_seconds)
    return [
        Row(
            names[2],
            one["fps"],
            unit="/s",
            reference=60.0,
            goal=Goal("value", ">=", 40.0),
            detail=f"frames drawn per second at speed 1, each a new epoch (in-page, over "
            f"{sizes.play_seconds:g} s); reference: a 60 Hz display"
            + ("; Pause held on one click" if problem is None else ""),
            error=problem,
        ),
        Row(
            names[3],
            max(one["longest"], top["longest"]) / 1000,
            goal=Goal("value", "<=", 0.050),
            detail="longest main-thread task while playing, both speeds (PerformanceObserver "
            "longtask; 0 = none over 50 ms)",
        ),
        Row(
            names[4],
            top["epochs_per_s"],
            unit="/s",
            goal=Goal("value", ">=", 500.0),
            detail=f"epochs shown per second at speed {MAX_SPEED:,} (the curve live; "
            f"{top['fps']:.0f} frames/s)",
            error=top_problem,
        ),
    ]


def _run(tab: Tab, sizes: Sizes, facts: dict, names: list[str]) -> list[Row]:
    epochs = sizes.browser_run_epochs
    note(f"browser: Run {epochs:,} epochs")
    page = tab.page
    box = page.locator("input.lv-epochs")
    box.fill(str(epochs))
    box.press("Tab")
    page.wait_for_timeout(300)
    tab.settle()
    page.get_by_role("button", name="Reset", exact=True).click()
    page.wait_for_function("() => window.__bench.metric('Epoch') === '0' && window.__bench.idle()")
    result = page.evaluate(
        "([e, t]) => window.__bench.sampleUntil('Run', e, t)", [f"{epochs:,}", 120_000]
    )
    seen = [s for s in result["samples"] if s is not None]
    between = sorted({s for s in seen if s not in ("0", f"{epochs:,}")}, key=_as_int)
    wall = result["reached"] / 1000
    return [
        Row(
            names[5],
            wall,
            error=tab.problem(),
            reference=facts.get("run_engine") if epochs == 10_000 else None,
            goal=Goal("ratio", "<=", 1.3) if epochs == 10_000 else Goal("value", "<=", 2.0),
            detail=f"click → Epoch shows {epochs:,} (idle again after "
            f"{fmt(result['settled'] / 1000, 's')}); reference: Trainer.run alone",
        ),
        Row(
            names[6],
            len(between),
            unit="",
            goal=Goal("value", ">=", 2),
            detail="distinct Epoch values seen between 0 and the end, sampled every 100 ms: "
            + (", ".join(between[:8]) + (" …" if len(between) > 8 else "") or "none"),
        ),
    ]


def _as_int(text: str) -> int:
    try:
        return int(text.replace(",", ""))
    except ValueError:
        return -1


def _upload(tab: Tab, sizes: Sizes, facts: dict, workdir: Path, names: list[str]) -> list[Row]:
    path = big_csv(sizes, workdir, facts)
    note(f"browser: upload {fmt(path.stat().st_size, 'B')} ({sizes.read_rows:,} rows)")
    page = tab.page
    page.get_by_text("Upload CSV", exact=True).click()
    page.locator('[data-testid="stFileUploader"]').wait_for(timeout=20_000)
    tab.settle()
    n = sizes.read_rows
    rows_text = f"({n:,}|{n}) (rows|filas)"
    start = time.perf_counter()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(path))
    page.wait_for_function(
        "(pattern) => new RegExp(pattern).test(document.body.innerText) "
        "&& window.__bench.metric('Epoch') === '0' && window.__bench.idle()",
        arg=rows_text,
        timeout=300_000,
    )
    ready = time.perf_counter() - start
    first, first_bytes = tab.step(1, timeout_ms=120_000)
    to_first = time.perf_counter() - start - 0.150  # tab.step waits 150 ms after the epoch shows
    more = [tab.step(e, timeout_ms=120_000) for e in (2, 3)]
    payload = median([first_bytes] + [b for _, b in more])
    problem = tab.problem()
    return [
        Row(
            names[8],
            payload,
            error=problem,
            unit="B",
            reference=facts.get("step_bytes"),
            goal=Goal("value", "<=", 500 * KIB),
            detail=f"websocket bytes per Step after the upload (median of 3; Step took "
            f"{fmt(median([first] + [s for s, _ in more]), 's')}); reference: the sample",
        ),
        Row(
            names[9],
            to_first,
            reference=facts.get("read_seconds"),
            error=problem,
            goal=Goal("value", "<=", 10.0),
            detail=f"set_input_files → table shown ({fmt(ready, 's')}) → Step → Epoch 1 shown; "
            "reference: linreg.data read+select alone",
        ),
    ]
