"""The live room under load: one presenter publishing ~50 frames/s, many followers receiving.

    python -m benchmarks.room [--followers 50] [--fps 50] [--seconds 10] [--stores local,redis]

For each store (in this process; a redis-server started on a free port, or LINREG_ROOMS_URL):
delivery latency (publish call → a follower's receive returns it) p50/p95/max over every
frame and follower, frames missed, the presenter's publish call, the frame rate it kept;
then, under tracemalloc, Python memory per follower while streaming and what is left after
the room ends (Redis: its used_memory and the room's keys too). Goals (issue 12): p95 ≤ 0.5
s, ≤ 2 MB per follower, a room's memory returned within a minute of its end.
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
from linreg.dashboard.room import LocalRooms, Rooms
from linreg.errors import LinregError

KEYFRAME_EVERY = 100


def frame(epoch: int, keyframe: bool) -> dict:
    """A frame shaped like the live views' payload on the 5-row sample (3 inputs, 2 targets)."""
    delta = {
        "epoch": epoch,
        "loss": [0.4831212 + 1.0 / (epoch + 1)],
        "weight": [[0.31 + epoch * 1e-6, -0.52, 0.07], [0.11, 0.93, -0.28]],
        "bias": [0.012, -0.034],
        "weight_grad": [[1.5e-3, -2.25e-3, 3.1e-4], [-7.7e-4, 1.9e-3, 5.5e-4]],
        "bias_grad": [2.1e-5, -3.3e-5],
        "predictions": [[56.1 + r, 70.2 - r] for r in range(5)],
        "r2": [0.9871, 0.9702],
    }
    if keyframe:
        delta["history"] = [0.4831212 + 1.0 / (e + 1) for e in range(epoch + 1)][-2000:]
        delta["table"] = [[73.0 + r, 67.0, 43.0, 56.0, 70.0] for r in range(5)]
        delta["settings"] = {"learning_rate": 1e-5, "engine": "scratch", "lang": "en"}
    return delta


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


def stream(rooms: Rooms, followers: int, fps: float, seconds: float) -> dict:
    """Publish for ``seconds`` at ``fps``; every follower thread records when each frame came."""
    keys = rooms.start()
    rooms.publish(keys.code, keys.secret, frame(0, True))
    subs = [rooms.follow(keys.code) for _ in range(followers)]
    got: list[list[tuple[int, float]]] = [[] for _ in subs]
    sent: dict[int, float] = {}
    publish_cost: list[float] = []
    done = threading.Event()

    def follow(sub, out) -> None:
        with contextlib.suppress(LinregError):  # the room ended
            while not done.is_set():
                for f in sub.receive(timeout=0.5):
                    out.append((f.version, time.perf_counter()))

    threads = [threading.Thread(target=follow, args=(s, o)) for s, o in zip(subs, got, strict=True)]
    for t in threads:
        t.start()
    time.sleep(0.5)  # every follower has received the first keyframe
    period = 1.0 / fps
    start = time.perf_counter()
    n = int(seconds * fps)
    for i in range(1, n + 1):
        keyframe = i % KEYFRAME_EVERY == 0
        payload = frame(i, keyframe)
        t0 = time.perf_counter()
        version = rooms.publish(keys.code, keys.secret, payload, keyframe=keyframe)
        t1 = time.perf_counter()
        sent[version] = t0
        publish_cost.append(t1 - t0)
        delay = start + i * period - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.perf_counter() - start
    time.sleep(1.0)  # the last frames arrive
    done.set()
    for t in threads:
        t.join()
    latencies, missed = [], 0
    for out in got:
        arrived = {v: t for v, t in out}
        for version, t0 in sent.items():
            if version in arrived:
                latencies.append(arrived[version] - t0)
            else:
                missed += 1
    for sub in subs:
        sub.close()
    rooms.end(keys.code, keys.secret)
    return {
        "frames": n,
        "fps kept": n / elapsed,
        "latency p50 ms": 1000 * percentile(latencies, 50),
        "latency p95 ms": 1000 * percentile(latencies, 95),
        "latency max ms": 1000 * max(latencies, default=0.0),
        "missed": missed,
        "publish p95 ms": 1000 * percentile(publish_cost, 95),
    }


def memory(rooms: Rooms, followers: int, fps: float, seconds: float) -> dict:
    """Python memory per follower while streaming, and what is left once the room ended."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    keys = rooms.start()
    rooms.publish(keys.code, keys.secret, frame(0, True))
    with_room = tracemalloc.get_traced_memory()[0]
    subs = [rooms.follow(keys.code) for _ in range(followers)]
    done = threading.Event()

    def follow(sub) -> None:
        with contextlib.suppress(LinregError):
            while not done.is_set():
                sub.receive(timeout=0.5)

    threads = [threading.Thread(target=follow, args=(s,)) for s in subs]
    for t in threads:
        t.start()
    for i in range(1, int(seconds * fps) + 1):
        rooms.publish(keys.code, keys.secret, frame(i, i % KEYFRAME_EVERY == 0), keyframe=False)
        if i % KEYFRAME_EVERY == KEYFRAME_EVERY - 1:
            rooms.publish(keys.code, keys.secret, frame(i, True))
        time.sleep(1.0 / fps)
    streaming = tracemalloc.get_traced_memory()[0]
    redis_keys = None
    rooms.end(keys.code, keys.secret)
    done.set()
    for t in threads:
        t.join()
    for sub in subs:
        sub.close()
    subs.clear()
    threads.clear()
    ended = time.perf_counter()
    # the Redis store's listener lets go of a room within a second or two of its end
    while getattr(rooms, "_hubs", None) and time.perf_counter() - ended < 10:
        time.sleep(0.1)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    returned_s = time.perf_counter() - ended
    tracemalloc.stop()
    if hasattr(rooms, "_redis"):
        redis_keys = len(list(rooms._redis.scan_iter(match=f"*{{{keys.code}}}*")))
    return {
        "room KiB": (with_room - base) / 1024,
        "per follower KiB": (streaming - with_room) / followers / 1024,
        "left after end KiB": (after - base) / 1024,
        "returned within s": returned_s,
        "redis keys left": redis_keys,
    }


def redis_used_memory(rooms) -> int | None:
    return rooms._redis.info("memory")["used_memory"] if hasattr(rooms, "_redis") else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.room", description=__doc__)
    parser.add_argument("--followers", type=int, default=50)
    parser.add_argument("--fps", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--stores", default="local,redis")
    args = parser.parse_args(argv)
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    print(
        f"{args.followers} followers, one presenter at {args.fps:g} frames/s for "
        f"{args.seconds:g} s, a keyframe every {KEYFRAME_EVERY} frames; {os.cpu_count()} cores"
    )
    for store in stores:
        with contextlib.ExitStack() as stack:
            if store == "local":
                rooms = LocalRooms()
            else:
                from linreg.dashboard.rooms_redis import RedisRooms

                url = os.environ.get("LINREG_ROOMS_URL") or stack.enter_context(redis_server())
                rooms = RedisRooms(url)
            stack.callback(rooms.close)
            figures = stream(rooms, args.followers, args.fps, args.seconds)
            used_before = redis_used_memory(rooms)
            figures |= memory(rooms, args.followers, args.fps, min(args.seconds, 4.0))
            used_after = redis_used_memory(rooms)
            if used_before is not None:
                figures["redis used_memory Δ KiB"] = (used_after - used_before) / 1024
        print(f"\n[{store}]")
        for name, value in figures.items():
            shown = value if value is None or isinstance(value, int) else f"{value:,.2f}"
            print(f"  {name:<24} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
