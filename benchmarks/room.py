"""A lecture hall through the real server: one presenter, hundreds of followers by push.

The dashboard runs as ``streamlit run app.py`` (one process). The presenter is a Streamlit
protocol client (``benchmarks.crowd.Session``): it presses "Start a room", then Step every
STEP_SECONDS, then Play (asking for the next batch as its browser does) and Pause. The
followers are SSE clients of ``/room/CODE/events`` in a separate process
(``benchmarks.sse_followers``). Measured from outside:

- delivery: from the presenter's click leaving to each follower reading the frame of that
  epoch, every (follower, click) pair; frames missed (a follower's versions with a gap, or an
  epoch it never got);
- server CPU (/proc/PID/stat) per follower while the presenter steps and plays: the same
  script's CPU with N followers minus without, over N; and over an idle window;
- the presenter's Step latency (click → script_finished) with N followers against without;
- server RSS per follower (after the followers connected, minus before);
- with redis-server: two server processes (LINREG_ROOMS_URL), the presenter on the first,
  half the followers on each;
- predict, then reveal (``room.poll``): the presenter presses *Ask the room*; each of
  ``room_poll_followers`` followers answers through its own page's session at a random moment
  within ``room_poll_window`` seconds; the presenter's page runs every TALLY_SECONDS as its tally
  does until it shows every answer, then presses *Reveal*. Measured: answers counted against
  answers given (each counted once), the tally complete after the last answer, the reveal
  reaching each follower's stream.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.browser import cpu_seconds
from benchmarks.crowd import RUN_TIMEOUT, Reply, Session, _read_element
from benchmarks.measure import ROOT, Sizes, median, percentile, rss_bytes
from benchmarks.redis_server import redis_server
from benchmarks.server import streamlit_server
from benchmarks.table import Goal, Row, fmt, note
from linreg.page.quiz import TALLY_SECONDS

STEP_SECONDS = 0.5  # the presenter steps this often
PLAY_BATCH_SECONDS = 0.75  # … and, playing, asks for the next batch this often (45 frames)
TALLY = re.compile(r'data-tally="(\w+)">(\d+)<')


@dataclass
class Clicks:
    """What the presenter did: per click, the time it left and the epoch it answered with."""

    sent: dict[int, float] = field(default_factory=dict)  # epoch → time.time() of the click
    step_latency: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class Presenter(Session):
    """The presenter's page at the protocol level: its buttons and its live views' events."""

    async def rerun(self, trigger=None, fragment: str = "", widget: str = "") -> Reply:
        if not widget:
            return await super().rerun(trigger, fragment)
        return await self.page_run(widget)

    async def page_run(self, widget: str = "") -> Reply:
        """A whole-script run, pressing button ``widget`` if given; ``html`` and ``buttons``
        hold what it drew."""
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.widget_states.SetInParent()
        if widget:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = widget
            state.trigger_value = True
        await self.ws.send(msg.SerializeToString())
        reply = Reply(0.0, 0)
        self.html: list[str] = []
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                _read_element(element, reply)
                if element.WhichOneof("type") == "html":
                    self.html.append(element.html.body)
                if element.WhichOneof("type") == "button":
                    self.buttons[element.button.label] = element.button.id
                if element.WhichOneof("type") == "bidi_component":
                    reply.fragment = fwd.delta.fragment_id
            elif kind == "script_finished":
                break
        return reply

    async def open(self) -> Reply:
        import websockets

        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        self.buttons: dict[str, str] = {}
        self.shown = await self.page_run()
        return self.shown

    async def start_room(self) -> str:
        reply = await self.rerun(widget=self.buttons["Start a room"])
        self.shown.component = reply.component or self.shown.component
        self.shown.fragment = reply.fragment or self.shown.fragment
        for body in self.html:
            if "linreg-room-code" in body:
                return body.split(">", 1)[1].split("<", 1)[0].strip()
        raise RuntimeError(f"no room code on the page after Start a room: {reply.exceptions}")

    async def steps(self, n: int, clicks: Clicks) -> None:
        for _ in range(n):
            started = time.monotonic()
            clicks_at = time.time()
            reply = await self.click("step")
            clicks.step_latency.append(reply.seconds)
            clicks.problems.extend(reply.exceptions)
            clicks.sent[reply.payload["latest"]] = clicks_at
            await asyncio.sleep(max(0.0, STEP_SECONDS - (time.monotonic() - started)))

    async def play(self, seconds: float, clicks: Clicks) -> None:
        """Play as the browser does: "play", then "more" for each batch, then "pause"."""
        clicks_at = time.time()
        reply = await self.click("play", speed=1)
        clicks.sent[reply.payload["latest"]] = clicks_at
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await asyncio.sleep(PLAY_BATCH_SECONDS)
            clicks_at = time.time()
            reply = await self.click("more", speed=1, shown=reply.payload["latest"])
            clicks.sent[reply.payload["latest"]] = clicks_at
            clicks.problems.extend(reply.exceptions)
        clicks_at = time.time()
        reply = await self.click("pause", shown=reply.payload["latest"])
        clicks.sent[reply.payload["latest"]] = clicks_at


class Crowd:
    """The followers' process; with ``window``, they answer the room's question."""

    def __init__(self, hosts: list[str], code: str, n: int, window: float = 0.0) -> None:
        args = [",".join(hosts), code, str(n)] + ([str(window)] if window else [])
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.sse_followers", *args],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline().strip()
        if line != "ready":
            self.process.kill()
            raise RuntimeError(f"the followers did not connect: {line!r}")

    def stop(self) -> list[dict]:
        self.process.stdin.write("stop\n")
        self.process.stdin.flush()
        out = self.process.stdout.readline()
        self.process.wait(30)
        return json.loads(out)


@dataclass
class Window:
    cpu: float  # server CPU seconds, summed over its processes
    seconds: float


async def _drive(presenter: Presenter, steps: int, play_seconds: float) -> tuple[Clicks, Window]:
    pids = presenter.pids
    clicks = Clicks()
    cpu, started = sum(cpu_seconds(p) for p in pids), time.monotonic()
    await presenter.steps(steps, clicks)
    await presenter.play(play_seconds, clicks)
    window = Window(sum(cpu_seconds(p) for p in pids) - cpu, time.monotonic() - started)
    return clicks, window


def _idle(pids: list[int], seconds: float) -> Window:
    cpu = sum(cpu_seconds(p) for p in pids)
    time.sleep(seconds)
    return Window(sum(cpu_seconds(p) for p in pids) - cpu, seconds)


def _delivery(reports: list[dict], clicks: Clicks) -> tuple[list[float], int, list[str]]:
    """Every (follower, click) delay, the frames missed, and the problems seen."""
    delays: list[float] = []
    missed = 0
    problems = []
    for k, report in enumerate(reports):
        if report["error"]:
            problems.append(f"follower {k}: {report['error']}")
        missed += report["gaps"]
        got = {latest: t for _, kind, latest, t in report["records"] if kind == "frame"}
        for epoch, sent in clicks.sent.items():
            if epoch in got:
                delays.append(max(0.0, got[epoch] - sent))
            else:
                missed += 1
    return delays, missed, problems


def _scenario(urls: list[str], pids: list[int], sizes: Sizes, n: int) -> dict:
    """A room on the first server: the presenter alone, then with ``n`` followers."""

    async def go() -> dict:
        presenter = Presenter(urls[0])
        presenter.pids = pids
        await presenter.open()
        code = await presenter.start_room()
        await presenter.click("step")
        idle_alone = _idle(pids, sizes.room_idle_seconds)
        alone, alone_window = await _drive(presenter, sizes.room_steps, sizes.room_play_seconds)
        rss_before = sum(rss_bytes(p) for p in pids)
        hosts = [u.removeprefix("http://") for u in urls]
        crowd = await asyncio.to_thread(Crowd, hosts, code, n)
        try:
            rss_after = sum(rss_bytes(p) for p in pids)
            idle_crowd = await asyncio.to_thread(_idle, pids, sizes.room_idle_seconds)
            clicks, window = await _drive(presenter, sizes.room_steps, sizes.room_play_seconds)
            await asyncio.sleep(1.0)
        finally:
            reports = await asyncio.to_thread(crowd.stop)
        await presenter.close()
        delays, missed, problems = _delivery(reports, clicks)
        return {
            "alone": alone,
            "alone_window": alone_window,
            "clicks": clicks,
            "window": window,
            "idle_alone": idle_alone,
            "idle_crowd": idle_crowd,
            "rss": (rss_after - rss_before) / n,
            "delays": delays,
            "missed": missed,
            "problems": problems + alone.problems + clicks.problems,
        }

    return asyncio.run(go())


def _tally(html: list[str]) -> dict[str, int]:
    return {choice: int(count) for body in html for choice, count in TALLY.findall(body)}


def _poll_scenario(url: str, n: int, window: float) -> dict:
    """Ask, ``n`` answers through the followers' own sessions, the tally, Reveal."""

    async def go() -> dict:
        presenter = Presenter(url)
        await presenter.open()
        code = await presenter.start_room()
        host = url.removeprefix("http://")
        crowd = await asyncio.to_thread(Crowd, [host], code, n, window)
        complete = revealed = None
        problems: list[str] = []
        try:
            await presenter.page_run(presenter.buttons["Ask the room"])
            deadline = time.monotonic() + window + 60
            while time.monotonic() < deadline:
                started = time.monotonic()
                await presenter.page_run()  # as the tally's fragment runs
                if sum(_tally(presenter.html).values()) >= n:
                    complete = time.time()
                    break
                await asyncio.sleep(max(0.0, TALLY_SECONDS - (time.monotonic() - started)))
            tally = _tally(presenter.html)
            revealed = time.time()
            await presenter.page_run(presenter.buttons["Reveal"])
            await asyncio.sleep(2.0)
        finally:
            reports = await asyncio.to_thread(crowd.stop)
        await presenter.close()
        given = {"up": 0, "down": 0}
        delays: list[float] = []
        answered: list[float] = []
        for k, report in enumerate(reports):
            if report["error"]:
                problems.append(f"follower {k}: {report['error']}")
            if report["answered"] is not None:
                given[report["choice"].lower()] += 1
                answered.append(report["answered"])
            got = [t for _, kind, _, t in report["records"] if kind == "reveal"]
            if got:
                delays.append(max(0.0, got[0] - revealed))
            else:
                problems.append(f"follower {k}: no reveal")
        last = max(answered) if answered else None
        return {
            "given": given,
            "tally": tally,
            "tally_after": None if complete is None or last is None else complete - last,
            "delays": delays,
            "problems": problems,
        }

    return asyncio.run(go())


def _poll_rows(n: int, window: float, r: dict) -> list[Row]:
    error = f"{len(r['problems'])} problem(s): {r['problems'][0]}" if r["problems"] else None
    given, tally = r["given"], r["tally"]
    miscounted = sum(abs(tally.get(c, 0) - given[c]) for c in given)
    return [
        Row(
            "room.poll answers miscounted",
            float(miscounted),
            unit="",
            goal=Goal("value", "<=", 0),
            error=error,
            detail=f"{n} followers answering within {window:g} s through their own "
            f"sessions; given {given}, the presenter's tally {tally}",
        ),
        Row(
            "room.poll tally complete",
            r["tally_after"],
            goal=Goal("value", "<=", 1.0),
            detail=f"the last answer's click sent → the presenter's page (run every "
            f"{TALLY_SECONDS:g} s, as its tally) shows all {n}",
        ),
        Row(
            "room.poll reveal p95",
            percentile(r["delays"], 95) if r["delays"] else None,
            goal=Goal("value", "<=", 0.5),
            detail=f"Reveal's click → each follower's stream has the outcome; p50 "
            f"{fmt(median(r['delays']) if r['delays'] else None, 's')}, "
            f"{len(r['delays'])} of {n}",
        ),
    ]


def room(sizes: Sizes, facts: dict) -> list[Row]:
    n = sizes.room_followers
    rows: list[Row] = []
    with streamlit_server() as server:
        note(f"room: presenter alone, then {n} followers by push")
        result = _scenario([server.url], [server.pid], sizes, n)
        note(f"room: {sizes.room_poll_followers} followers answer a question")
        poll = _poll_scenario(server.url, sizes.room_poll_followers, sizes.room_poll_window)
    rows += _rows("room", n, result, per_process=1, idle_seconds=sizes.room_idle_seconds)
    rows += _poll_rows(sizes.room_poll_followers, sizes.room_poll_window, poll)
    if not sizes.room_redis:
        return [*rows, Row("room.redis delivery p95", skipped=f"not in {sizes.mode} mode")]
    try:
        with redis_server() as url, streamlit_server(env={"LINREG_ROOMS_URL": url}) as a:
            with streamlit_server(env={"LINREG_ROOMS_URL": url}) as b:
                note(f"room: two replicas through redis-server, {n // 2} followers on each")
                result = _scenario([a.url, b.url], [a.pid, b.pid], sizes, n)
        rows += _rows("room.redis", n, result, per_process=2, idle_seconds=sizes.room_idle_seconds)
    except RuntimeError as err:
        rows.append(Row("room.redis delivery p95", skipped=str(err)[:120]))
    return rows


def _rows(prefix: str, n: int, r: dict, per_process: int, idle_seconds: float) -> list[Row]:
    error = f"{len(r['problems'])} problem(s): {r['problems'][0]}" if r["problems"] else None
    clicks: Clicks = r["clicks"]
    steps = f"{len(clicks.step_latency)} Steps every {STEP_SECONDS} s, then Play and Pause"
    p95 = percentile(r["delays"], 95) if r["delays"] else None
    core = 100.0  # % of one core per CPU second per second
    busy = (r["window"].cpu - r["alone_window"].cpu) / r["window"].seconds / n * core
    idle = (r["idle_crowd"].cpu - r["idle_alone"].cpu) / idle_seconds / n * core
    step, alone = median(clicks.step_latency), median(r["alone"].step_latency)
    where = f"{n} followers" + (" (half on each of 2 servers)" if per_process == 2 else "")
    rows = [
        Row(
            f"{prefix} delivery p95",
            p95,
            goal=Goal("value", "<=", 0.5),
            error=error,
            detail=f"{where}; click → each follower has the epoch; p50 "
            f"{fmt(median(r['delays']) if r['delays'] else None, 's')}; "
            f"{len(r['delays'])} deliveries, missed {r['missed']}; {steps}",
        ),
        Row(
            f"{prefix} missed frames",
            float(r["missed"]),
            unit="",
            goal=Goal("value", "<=", 0),
            detail="gaps in a follower's versions + clicked epochs never received",
        ),
    ]
    if prefix == "room":
        rows += [
            Row(
                f"{prefix} CPU/follower stepping",
                busy,
                unit="",
                goal=Goal("value", "<=", 0.15),
                detail=f"% of one core per follower: (server CPU with {n} − alone) over "
                f"{r['window'].seconds:.1f} s; alone {r['alone_window'].cpu:.2f} CPU s, "
                f"with followers {r['window'].cpu:.2f} CPU s",
            ),
            Row(
                f"{prefix} CPU/follower idle",
                idle,
                unit="",
                detail=f"% of one core per follower, {idle_seconds:g} s without a click",
            ),
            Row(
                f"{prefix} presenter Step p50",
                step,
                reference=alone,
                goal=Goal("ratio", "<=", 1.2),
                detail=f"with {n} followers; reference: the same presenter alone",
            ),
            Row(
                f"{prefix} RSS/follower",
                r["rss"],
                unit="B",
                goal=Goal("value", "<=", 200 * 1024),
                detail="server RSS after the followers connected − before, per follower",
            ),
        ]
    return rows
