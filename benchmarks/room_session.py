"""The room end to end: a presenter driving LiveSession as its browser would, 50 followers polling.

    python -m benchmarks.room_session [--followers 50] [--seconds 10] [--stores local,redis]

The presenter's script (same for every measurement): Play at speed 1 with a "more" every
0.1 s, then Pause, Steps, a look back, a Run of 100, again and again, one browser event every
``--interval`` s. For each store:
- without a room: LiveSession.handle alone, per event (the reference);
- with a room and N followers (threads of this process, each a ``Follower`` polling): handle
  + ``Presenter.publish`` per event, and the delay from the start of ``publish`` to each
  follower's ``poll`` returning the payload that holds the frame (every frame and follower);
  frames a follower never got; the presenter's cost ratio against the reference.
- Python memory per follower while following (tracemalloc).
The three runs alternate for ``--rounds`` rounds (the machine's other load falls on each
alike); the figures are the rounds' medians, delivery and memory the worst round's.
Goals (issue 12): p95 delivery ≤ 0.5 s, presenter ≤ 1.2× its time without followers,
≤ 2 MB per follower.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import threading
import time
import tracemalloc

from benchmarks.redis_server import redis_server
from linreg.dashboard import live
from linreg.dashboard.room import LocalRooms, Rooms
from linreg.dashboard.room_session import Follower, Presenter
from linreg.dashboard.settings import Settings
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.trainer import warm_up


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


def script(n: int):
    """The presenter's browser events, in order: (kind, extra) pairs."""
    cycle = [("play", {"speed": 1})] + [("more", {"speed": 1})] * 8
    cycle += [("pause", {}), ("step", {}), ("step", {}), ("look", {"epoch": 3})]
    cycle += [("step", {}), ("run", {"epochs": 100})]
    for i in range(n):
        yield cycle[i % len(cycle)]


class Presenting:
    """The presenter's session: the workbench, its live views and the browser's bookkeeping."""

    def __init__(self) -> None:
        self.workbench = Workbench(Settings())
        self.live = live.LiveSession(self.workbench, live.labels(t, "en"))
        self.state = {"id": 0, "run": "", "have": 0, "shown": 0}
        self.take(self.live.handle(None))

    def take(self, payload: dict) -> None:
        self.state["run"] = payload["run"]
        self.state["have"] = payload["loss_from"] + len(payload["loss"])
        if payload["frames"]:
            # the browser plays a batch; it asks for more having shown its first few frames
            frames = payload["frames"]
            self.state["shown"] = frames[min(len(frames) - 1, 5)]["e"]

    def event(self, kind: str, extra: dict) -> dict:
        self.state["id"] += 1
        shown = self.state["shown"] if kind in ("more", "pause") else self.live.trainer.epoch
        event = {**self.state, "kind": kind, "shown": shown, **extra}
        return event


def drive(
    presenting: Presenting, presenter: Presenter | None, events: int, interval: float
) -> tuple[list[float], dict[int, float]]:
    """Send the script's events; (seconds per event of handle [+ publish], publish start by
    frame version)."""
    costs, sent = [], {}
    presenting.publish_costs = []
    start = time.perf_counter()
    for i, (kind, extra) in enumerate(script(events)):
        t0 = time.perf_counter()
        payload = presenting.live.handle(presenting.event(kind, extra))
        t1 = time.perf_counter()
        if presenter is not None:
            version = presenter.publish(payload, presenting.workbench)
            presenting.publish_costs.append(time.perf_counter() - t1)
            if version is not None:
                sent[version] = t1
        costs.append(time.perf_counter() - t0)
        presenting.take(payload)
        delay = start + (i + 1) * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    return costs, sent


def with_followers(rooms: Rooms, followers: int, events: int, interval: float) -> dict:
    presenting = Presenting()
    presenter = Presenter.start(rooms, presenting.workbench, presenting.live.last)
    crowd = [
        Follower.join(rooms, presenter.code, f"client{i}", live.labels(t, "es"), "es")
        for i in range(followers)
    ]
    got: list[list[tuple[int, float]]] = [[] for _ in crowd]
    done = threading.Event()

    def follow(follower: Follower, out: list) -> None:
        while not done.is_set() and not follower.ended:
            if follower.poll(timeout=0.5) is not None:
                out.append((follower._sub.last_version, time.perf_counter()))

    threads = [threading.Thread(target=follow, args=pair) for pair in zip(crowd, got, strict=True)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    costs, sent = drive(presenting, presenter, events, interval)
    time.sleep(1.0)
    done.set()
    for thread in threads:
        thread.join()
    delays, missed = [], 0
    for out in got:
        # a poll returning version v delivers every frame up to v not delivered before
        arrivals = sorted(out)
        for version, t0 in sent.items():
            later = [when for v, when in arrivals if v >= version]
            if later:
                delays.append(later[0] - t0)
            else:
                missed += 1
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    extra = [
        Follower.join(rooms, presenter.code, f"m{i}", live.labels(t, "es"), "es") for i in range(10)
    ]
    for follower in extra:
        follower.poll(1.0)
    for kind, more in [("step", {})] * 20:
        presenter.publish(
            presenting.live.handle(presenting.event(kind, more)), presenting.workbench
        )
    for follower in extra:
        while follower.poll(0.2) is not None:
            pass
    per_follower = (tracemalloc.get_traced_memory()[0] - before) / len(extra)
    tracemalloc.stop()
    for follower in crowd + extra:
        follower.close()
    presenter.end()
    return {
        "costs": costs,
        "publish p50 ms": 1000 * statistics.median(presenting.publish_costs),
        "publish p95 ms": 1000 * percentile(presenting.publish_costs, 95),
        "frames published": len(sent),
        "delivery p50 ms": 1000 * percentile(delays, 50),
        "delivery p95 ms": 1000 * percentile(delays, 95),
        "delivery max ms": 1000 * max(delays, default=0.0),
        "frames missed": missed,
        "per follower KiB": per_follower / 1024,
        "epochs at the end": presenting.live.trainer.epoch,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.room_session", description=__doc__)
    parser.add_argument("--followers", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--stores", default="local,redis")
    args = parser.parse_args(argv)
    warm_up()
    events = int(args.seconds / args.interval)
    print(
        f"{args.followers} followers, one presenter sending {events} browser events "
        f"(one every {args.interval:g} s); {os.cpu_count()} cores"
    )
    for store in [s.strip() for s in args.stores.split(",") if s.strip()]:
        with contextlib.ExitStack() as stack:
            if store == "local":
                rooms: Rooms = LocalRooms()
            else:
                from linreg.dashboard.rooms_redis import RedisRooms

                url = os.environ.get("LINREG_ROOMS_URL") or stack.enter_context(redis_server())
                rooms = RedisRooms(url)
            stack.callback(rooms.close)
            # rounds alternate so that the machine's other load falls on each alike
            reference, alone, crowd, runs = [], [], [], []
            for _ in range(args.rounds):
                reference.append(drive(Presenting(), None, events, args.interval)[0])
                alone.append(with_followers(rooms, 0, events, args.interval)["costs"])
                runs.append(with_followers(rooms, args.followers, events, args.interval))
                crowd.append(runs[-1].pop("costs"))
        p50 = {
            name: statistics.median(statistics.median(r) for r in rounds)
            for name, rounds in (("ref", reference), ("alone", alone), ("crowd", crowd))
        }
        mean = {
            name: statistics.median(statistics.fmean(r) for r in rounds)
            for name, rounds in (("ref", reference), ("alone", alone), ("crowd", crowd))
        }
        figures = {
            "handle alone (no room) p50 ms": 1000 * p50["ref"],
            "handle+publish, 0 followers, p50 ms": 1000 * p50["alone"],
            f"handle+publish, {args.followers} followers, p50 ms": 1000 * p50["crowd"],
            "  ratio p50 vs no room": p50["crowd"] / p50["ref"],
            "  ratio mean vs no room": mean["crowd"] / mean["ref"],
        }
        for name in runs[0]:
            values = [run[name] for run in runs]
            worst = max if name != "frames published" else min
            figures[f"{name} (worst round)"] = worst(values)
        print(f"\n[{store}] {args.rounds} rounds, medians of the rounds' figures")
        for name, value in figures.items():
            shown = value if isinstance(value, int) else f"{value:,.2f}"
            print(f"  {name:<44} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
