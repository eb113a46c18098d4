"""Many sessions stepping at once, driven at the protocol level (no browser, no rendering).

Each simulated session opens Streamlit's websocket (``/_stcore/stream``), asks for the first
run like a browser does, learns the live views' component id (and its fragment) from the
deltas, then presses Step back to back as the component does: a ``rerun_script`` BackMsg of
that fragment whose widget state carries the component's "event" trigger
(``{"kind": "step", ...}``). The latency of a click is the time from sending it to the run's
``script_finished``. Every reply is checked: the payload the page mounts must show the click's
epoch and no exception may be drawn.
AppTest is not used here: it swaps a process-wide mock runtime per run, so instances in
threads would trample each other."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.measure import Sizes, app_torch_threads, median, percentile, rss_bytes
from benchmarks.server import streamlit_server
from benchmarks.table import Goal, Row, fmt, note

RUN_TIMEOUT = 120.0


@dataclass
class Reply:
    seconds: float
    nbytes: int
    metrics: dict[str, str] = field(default_factory=dict)
    component: str = ""  # the live views' element id
    fragment: str = ""  # the fragment that draws them
    payload: dict = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)


class Session:
    """One browser tab's worth of protocol, without the browser."""

    def __init__(self, url: str) -> None:
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.ws = None
        self.shown: Reply | None = None
        self.ids = itertools.count(1)

    async def open(self) -> Reply:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)
        self.shown = await self.rerun()
        return self.shown

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def click(self, kind: str, **extra) -> Reply:
        """The component's event ``kind`` ("step"; ``extra``: its other fields, e.g. Play's
        speed), as its setTriggerValue("event", …) sends."""
        shown = self.shown.payload
        event = {
            "id": next(self.ids),
            "kind": kind,
            "run": shown["run"],
            "have": shown["loss_from"] + len(shown["loss"]),
            "shown": shown["frames"][-1]["e"],
            **extra,
        }
        reply = await self.rerun(
            trigger=(events_id(self.shown.component), [{"event": "event", "value": event}]),
            fragment=self.shown.fragment,
        )
        reply.component = reply.component or self.shown.component
        reply.fragment = reply.fragment or self.shown.fragment
        self.shown = reply
        return reply

    async def rerun(self, trigger: tuple[str, list] | None = None, fragment: str = "") -> Reply:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.widget_states.SetInParent()
        if fragment:
            msg.rerun_script.fragment_id = fragment
        if trigger is not None:
            widget = msg.rerun_script.widget_states.widgets.add()
            widget.id = trigger[0]
            widget.json_trigger_value = json.dumps(trigger[1])
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        reply = Reply(0.0, 0)
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), RUN_TIMEOUT)
            reply.nbytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                _read_element(fwd.delta.new_element, reply)
                if fwd.delta.new_element.WhichOneof("type") == "bidi_component":
                    reply.fragment = fwd.delta.fragment_id
            elif kind == "script_finished" and fwd.script_finished in (
                ForwardMsg.FINISHED_SUCCESSFULLY,
                ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
                ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
            ):
                break
        reply.seconds = time.perf_counter() - start
        return reply


def events_id(component: str) -> str:
    """The id of a bidi component's trigger widget (Streamlit's ``_make_trigger_id``)."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    return _make_trigger_id(component, "events")


def _read_element(element, reply: Reply) -> None:
    kind = element.WhichOneof("type")
    if kind == "bidi_component":
        reply.component = element.bidi_component.id
        reply.payload = json.loads(element.bidi_component.json)
        frame = reply.payload["frames"][-1]
        reply.metrics = {"Epoch": f"{frame['e']:,}", "Loss": frame["loss_text"]}
    elif kind == "exception":
        reply.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:160])


@dataclass
class CrowdResult:
    latencies: list[float]
    wall: float
    problems: list[str]
    losses: list[list[str]]  # per session, the Loss metric shown after each click


async def _crowd(url: str, n_sessions: int, steps: int) -> CrowdResult:
    sessions = [Session(url) for _ in range(n_sessions)]
    problems: list[str] = []
    try:
        first = await asyncio.gather(*(s.open() for s in sessions))
        for reply in first:
            problems.extend(reply.exceptions)
            if not reply.component:
                raise RuntimeError("no live views component in the first run")
        latencies: list[float] = []
        losses: list[list[str]] = [[] for _ in sessions]

        async def clicker(session: Session, shown_losses: list[str]) -> None:
            for epoch in range(1, steps + 1):
                reply = await session.click("step")
                latencies.append(reply.seconds)
                problems.extend(reply.exceptions)
                shown = reply.metrics.get("Epoch")
                if shown != f"{epoch:,}":
                    problems.append(f"Epoch showed {shown!r} after click {epoch}")
                shown_losses.append(reply.metrics.get("Loss", "?"))

        start = time.perf_counter()
        await asyncio.gather(*(clicker(s, ls) for s, ls in zip(sessions, losses, strict=True)))
        wall = time.perf_counter() - start
    finally:
        await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return CrowdResult(latencies, wall, problems, losses)


def _same_numbers(alone: list[str], crowd: list[list[str]]) -> list[str]:
    """Every session has the default seed and data: each must show the lone session's losses."""
    problems = []
    for k, shown in enumerate(crowd):
        n = min(len(alone), len(shown))
        if shown[:n] != alone[:n]:
            e = next(i for i in range(n) if shown[i] != alone[i])
            problems.append(
                f"session {k + 1} showed Loss {shown[e]} at epoch {e + 1}, a lone one {alone[e]}"
            )
    return problems


def crowd(sizes: Sizes, facts: dict) -> list[Row]:
    threads = app_torch_threads()
    rows: list[Row] = []
    with streamlit_server() as server:
        note("crowd: 1 session (reference)")
        base = asyncio.run(_crowd(server.url, 1, sizes.crowd_reference_steps))
        ref50, ref95 = median(base.latencies), percentile(base.latencies, 95)
        facts["server_step"] = ref50
        for n in sizes.crowd:
            note(f"crowd: {n} sessions × {sizes.crowd_steps} Steps")
            result = asyncio.run(_crowd(server.url, n, sizes.crowd_steps))
            p50, p95 = median(result.latencies), percentile(result.latencies, 95)
            rate = len(result.latencies) / result.wall
            rss = rss_bytes(server.pid)
            found = result.problems + _same_numbers(base.losses[0], result.losses)
            problems = sorted(set(base.problems + found))
            error = f"{len(problems)} problem(s): {problems[0]}" if problems else None
            detail = (
                f"{n} sessions × {sizes.crowd_steps} back-to-back Steps, numbers checked; "
                f"{rate:.1f} steps/s; "
                f"server RSS {fmt(rss, 'B')}; server torch threads {threads}; reference: 1 session"
            )
            goal = Goal("value", "<=", 1.0) if n == 8 else None
            rows.append(
                Row(f"concurrency.{n} p50", p50, reference=ref50, error=error, detail=detail)
            )
            rows.append(Row(f"concurrency.{n} p95", p95, reference=ref95, goal=goal, error=error))
    return rows
