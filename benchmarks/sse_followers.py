"""Many followers of a room as SSE clients, in their own process (the room benchmark's crowd).

``python -m benchmarks.sse_followers HOST:PORT[,HOST:PORT…] CODE N [WINDOW]`` opens, for each of N
followers, its page (a Streamlit session running ``?room=CODE`` once, as a browser's tab, kept
open) and its stream ``/room/CODE/events`` (spread over the servers in turn; raw asyncio
sockets), prints
``ready`` once every stream has its keyframe, then records every message it reads — (version,
kind, the payload's ``latest`` epoch, the time it arrived) — until a line arrives on stdin;
then it prints one JSON line: per follower, those records and whether its versions ran without
a gap. Messages are not decoded beyond the few fields named: the clients stay light, so the
CPU figures are the server's.

With WINDOW (seconds), each follower answers the room's question as a browser would: at a
random moment within WINDOW of the ``question`` message, its page runs once (the question's
buttons appear) and its button is pressed (follower k: *Up* if k % 3 == 0, else *Down*); the
report adds the choice, when its click's run finished, and any exception the page showed.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import sys
import time

EVENT_ID = re.compile(rb"(?m)^id: (\d+)$")
KIND = re.compile(rb'"kind":"(\w+)"')
LATEST = re.compile(rb'"latest":(\d+)')
CONNECT_BATCH = 25  # streams opened at once


class Follower:
    def __init__(self, host: str, code: str, choice: str = "", window: float = 0.0) -> None:
        self.host, self.code = host, code
        self.records: list[tuple[int, str, int, float]] = []
        self.keyframe = asyncio.Event()
        self.error = ""
        self.choice, self.window = choice, window
        self.answered: float | None = None
        self.answer_task: asyncio.Task | None = None

    async def page(self) -> None:
        """The follower's page: one run of ``?room=CODE`` (the follower's session), kept open."""
        import websockets
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.ws = await websockets.connect(
            f"ws://{self.host}/_stcore/stream", subprotocols=["streamlit"], max_size=None
        )
        msg = BackMsg()
        msg.rerun_script.query_string = f"room={self.code}"
        msg.rerun_script.widget_states.SetInParent()
        await self.ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), 120))
            if fwd.WhichOneof("type") == "script_finished":
                return

    async def _page_run(self, widget: str = "") -> dict[str, str]:
        """One run of the follower's page (pressing ``widget`` if given): its buttons' ids by
        label; exceptions the page shows become this follower's error."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = f"room={self.code}"
        msg.rerun_script.widget_states.SetInParent()
        if widget:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = widget
            state.trigger_value = True
        await self.ws.send(msg.SerializeToString())
        buttons: dict[str, str] = {}
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), 120))
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                if element.WhichOneof("type") == "button":
                    buttons[element.button.label] = element.button.id
                elif element.WhichOneof("type") == "exception":
                    self.error = element.exception.message[:160]
            elif kind == "script_finished":
                return buttons

    async def answer(self, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            buttons = await self._page_run()
            if self.choice not in buttons:
                raise RuntimeError(f"no {self.choice!r} button on the page")
            sent = time.time()  # the click leaves: the tally is timed from here
            await self._page_run(buttons[self.choice])
            self.answered = sent
        except Exception as exc:  # noqa: BLE001 - reported with the results
            self.error = f"answer: {type(exc).__name__}: {exc}"

    async def run(self) -> None:
        host, port = self.host.split(":")
        try:
            await self.page()
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(
                f"GET /room/{self.code}/events HTTP/1.1\r\nHost: {self.host}\r\n"
                "Accept: text/event-stream\r\n\r\n".encode()
            )
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(head.split(b"\r\n", 1)[0].decode())
            buffer = b""
            while data := await reader.read(1 << 16):
                # Each message is one HTTP chunk ending in a blank line: split there; the
                # chunks' size lines stay in front of the next message's "id:" line.
                *events, buffer = (buffer + data).split(b"\n\n")
                now = time.time()
                for event in events:
                    self._take(event, now)
        except Exception as exc:  # noqa: BLE001 - reported with the results
            self.error = f"{type(exc).__name__}: {exc}"
            self.keyframe.set()

    def _take(self, event: bytes, now: float) -> None:
        found = EVENT_ID.search(event)
        if found is None:
            return  # the retry line, pings
        kind = KIND.search(event)
        latest = LATEST.search(event)
        self.records.append(
            (
                int(found.group(1)),
                kind.group(1).decode() if kind else "?",
                int(latest.group(1)) if latest else -1,
                now,
            )
        )
        self.keyframe.set()
        if self.records[-1][1] == "question" and self.window and self.answer_task is None:
            delay = random.uniform(0, self.window)
            self.answer_task = asyncio.get_running_loop().create_task(self.answer(delay))

    def report(self) -> dict:
        versions = [r[0] for r in self.records]
        gaps = sum(1 for a, b in zip(versions, versions[1:], strict=False) if b != a + 1)
        return {
            "records": self.records,
            "gaps": gaps,
            "error": self.error,
            "choice": self.choice,
            "answered": self.answered,
        }


async def main(hosts: list[str], code: str, n: int, window: float = 0.0) -> None:
    random.seed(n)
    followers = [
        Follower(hosts[i % len(hosts)], code, "Up" if i % 3 == 0 else "Down", window)
        for i in range(n)
    ]
    tasks = []
    for start in range(0, n, CONNECT_BATCH):
        batch = followers[start : start + CONNECT_BATCH]
        tasks += [asyncio.create_task(f.run()) for f in batch]
        await asyncio.wait_for(asyncio.gather(*(f.keyframe.wait() for f in batch)), 60)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    for task in tasks:
        task.cancel()
    print(json.dumps([f.report() for f in followers]), flush=True)


if __name__ == "__main__":
    window = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    asyncio.run(main(sys.argv[1].split(","), sys.argv[2], int(sys.argv[3]), window))
