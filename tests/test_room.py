"""The live room's model and stores: codes, secrets, frames, heartbeats, forks, the board.

Every store test runs twice: in this process (LocalRooms) and in a real redis-server
(RedisRooms, the ``redis_url`` fixture). Delivery speed is measured by benchmarks/room.py,
never asserted here.
"""

from __future__ import annotations

import gc
import io
import threading
import time
import weakref
import zipfile

import numpy as np
import pytest
import redis
import torch
import zxingcpp
from PIL import Image

from linreg.dashboard import room as room_module
from linreg.dashboard.room import (
    CODE_ALPHABET,
    CODE_LENGTH,
    CURVE_POINTS,
    MAX_DELTAS,
    MAX_FRAME_BYTES,
    NICKNAME_CHARS,
    QUEUE_FRAMES,
    ForkSummary,
    LocalRooms,
    deserialize_checkpoint,
    entry_id,
    follower_link,
    new_code,
    normalize_code,
    qr_png,
    rooms_from_env,
    secret_hash,
    serialize_checkpoint,
    thin_curve,
)
from linreg.dashboard.room.redis_store import RedisRooms
from linreg.errors import LinregError


def room_keys_left(store, code: str) -> list:
    """The room's remains: its entry in the local registry, or its keys in Redis."""
    if isinstance(store, LocalRooms):
        return [code] if code in store._rooms else []
    return list(store._redis.scan_iter(match=f"linreg:room:{{{code}}}:*"))


def wait_until(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def refused(code: str, function, *args, **kwargs) -> LinregError:
    with pytest.raises(LinregError) as info:
        function(*args, **kwargs)
    assert info.value.code == code, info.value
    assert info.value.message("en") != info.value.message("es")
    return info.value


def keyframe(epoch: int) -> dict:
    return {"epoch": epoch, "loss": [0.5 / (epoch + 1)], "weight": [[0.1 * epoch, -0.2]]}


# -- codes, links, QR ----------------------------------------------------------------------------------
def test_code_alphabet_is_readable_and_large():
    assert len(set(CODE_ALPHABET)) == len(CODE_ALPHABET) == 32
    assert not set("0O1I") & set(CODE_ALPHABET)
    assert set(CODE_ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    assert len(CODE_ALPHABET) ** CODE_LENGTH >= 10**9


def test_codes_are_drawn_from_the_whole_alphabet():
    codes = [new_code() for _ in range(3000)]
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(set(codes)) == len(codes)
    # 24,000 draws over 32 characters: each appears (expected 750 times)
    assert set("".join(codes)) == set(CODE_ALPHABET)


def test_typed_codes_are_normalized():
    assert normalize_code(" abcd-ef gh ") == "ABCDEFGH"
    assert normalize_code("ABCD2345") == "ABCD2345"
    for wrong in ("ABCD0EFG", "ABCDEFGI", "ABCDEFG", "ABCDEFGHJ", "", "ABCD_EFG", "ÁBCDEFGH"):
        assert normalize_code(wrong) is None, wrong


def test_follower_link_holds_the_code_and_no_secret(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    assert set(keys.code) <= set(CODE_ALPHABET) and len(keys.code) == CODE_LENGTH
    assert len(keys.secret) >= 32 and keys.secret not in repr(keys)
    link = follower_link("https://lab.example.org:8443/linreg/?lang=es#top", keys.code)
    assert link == f"https://lab.example.org:8443/linreg/?room={keys.code}"
    assert keys.secret not in link
    assert follower_link("http://localhost:8501", "ABCD2345") == (
        "http://localhost:8501/?room=ABCD2345"
    )


def test_qr_code_decodes_to_the_link():
    link = "https://lab.example.org:8443/linreg/?room=ABCD2345"
    image = Image.open(io.BytesIO(qr_png(link)))
    assert min(image.size) >= 400  # pixels: 12 per module
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [link]


# -- only the presenter drives the room ---------------------------------------------------------------
def test_every_write_needs_the_secret(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    other = rooms.start()
    rooms.publish(keys.code, keys.secret, keyframe(3))
    rooms.set_fork(keys.code, keys.secret, b"fork-1")
    follower = "follower-a"
    rooms.report(keys.code, follower, ForkSummary(learning_rate=0.1, epoch=1, loss=2.0))
    before = rooms.frames(keys.code)

    # a follower knows the code, its own id, the public entry id, maybe another room's secret
    guesses = ["", "x", keys.code, other.secret, follower, secret_hash(keys.secret)]
    guesses += [keys.secret[:-1], keys.secret + " ", keys.secret.upper()]
    for wrong in guesses:
        refused("room_not_presenter", rooms.publish, keys.code, wrong, keyframe(99))
        refused("room_not_presenter", rooms.publish, keys.code, wrong, {"a": 1}, keyframe=False)
        refused("room_not_presenter", rooms.set_fork, keys.code, wrong, b"evil")
        refused("room_not_presenter", rooms.board, keys.code, wrong)
        refused("room_not_presenter", rooms.show, keys.code, wrong, None)
        refused("room_not_presenter", rooms.touch, keys.code, wrong)
        refused("room_not_presenter", rooms.end, keys.code, wrong)
    # a presenter's secret drives its own room only
    refused("room_not_presenter", rooms.publish, other.code, keys.secret, keyframe(99))
    refused("room_not_presenter", rooms.end, other.code, keys.secret)

    # everything a follower may call leaves the presenter's run as it was
    sub = rooms.follow(keys.code, follower)
    sub.receive(0)
    rooms.heartbeat(keys.code, follower)
    rooms.report(keys.code, follower, ForkSummary(learning_rate=9.0, epoch=5, loss=1e30))
    rooms.lookup(keys.code, "client")
    rooms.fork(keys.code)
    rooms.shown(keys.code)
    sub.close()
    assert rooms.frames(keys.code) == before
    assert rooms.fork(keys.code) == b"fork-1"
    assert rooms.exists(keys.code) and rooms.exists(other.code)
    assert [e.summary.epoch for e in rooms.board(keys.code, keys.secret)] == [5]


def test_a_room_that_is_gone_says_so(make_rooms):
    rooms = make_rooms()
    refused("room_ended", rooms.publish, "ABCD2345", "secret", keyframe(0))
    refused("room_ended", rooms.frames, "ABCD2345")
    refused("room_ended", rooms.follow, "ABCD2345")
    refused("room_ended", rooms.report, "ABCD2345", "f", ForkSummary(0.1, 1, 1.0))
    assert rooms.follower_count("ABCD2345") == 0
    assert not rooms.exists("ABCD2345")


# -- frames -------------------------------------------------------------------------------------------
def test_followers_receive_every_frame_in_order(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    subs = [rooms.follow(keys.code) for _ in range(6)]
    received: list[list] = [[] for _ in subs]
    total = 120

    def follow(sub, out):
        while not out or out[-1].version < total:
            out.extend(sub.receive(timeout=0.5))

    threads = [
        threading.Thread(target=follow, args=(s, out), daemon=True)
        for s, out in zip(subs, received, strict=True)
    ]
    for t in threads:
        t.start()
    sent = []
    for epoch in range(total):
        frame = keyframe(epoch) if epoch % 25 == 0 else {"epoch": epoch, "loss": [1 / 3 + epoch]}
        rooms.publish(keys.code, keys.secret, frame, keyframe=epoch % 25 == 0)
        sent.append(frame)
        time.sleep(0.002)
    for t in threads:
        t.join(timeout=30)
    for out in received:
        assert [f.version for f in out] == list(range(1, total + 1))
        assert [f.data for f in out] == sent  # numbers exact through JSON
        assert [f.keyframe for f in out] == [e % 25 == 0 for e in range(total)]
    for sub in subs:
        sub.close()


def test_a_late_joiner_starts_from_the_latest_keyframe(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    assert rooms.frames(keys.code) == []
    with pytest.raises(ValueError, match="keyframe"):
        rooms.publish(keys.code, keys.secret, {"loss": [1.0]}, keyframe=False)
    rooms.publish(keys.code, keys.secret, keyframe(0))
    rooms.publish(keys.code, keys.secret, {"loss": [0.25]}, keyframe=False)
    rooms.publish(keys.code, keys.secret, keyframe(2))
    rooms.publish(keys.code, keys.secret, {"loss": [0.125]}, keyframe=False)
    rooms.publish(keys.code, keys.secret, {"loss": [0.0625]}, keyframe=False)
    with rooms.follow(keys.code) as sub:
        first = sub.receive(timeout=0)  # at once, no waiting
        assert [(f.version, f.keyframe) for f in first] == [(3, True), (4, False), (5, False)]
        assert [f.data for f in first] == [keyframe(2), {"loss": [0.125]}, {"loss": [0.0625]}]
        assert sub.receive(timeout=0) == []
        rooms.publish(keys.code, keys.secret, {"loss": [0.03125]}, keyframe=False)
        assert [f.data for f in sub.receive(timeout=5)] == [{"loss": [0.03125]}]
    assert [f.version for f in rooms.frames(keys.code)] == [3, 4, 5, 6]


def test_a_follower_far_behind_skips_to_the_latest_keyframe(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.publish(keys.code, keys.secret, keyframe(0))
    with rooms.follow(keys.code) as sub:
        assert [f.version for f in sub.receive(timeout=0)] == [1]
        last = 1
        for epoch in range(1, QUEUE_FRAMES + 100):
            last = rooms.publish(keys.code, keys.secret, keyframe(epoch), keyframe=epoch % 50 == 0)
        got = []
        while not got or got[-1].version < last:
            got += sub.receive(timeout=2)
        assert got[0].keyframe and got[0].data == keyframe(got[0].version - 1)
        assert [f.version for f in got] == list(range(got[0].version, last + 1))
        assert got[0].version > 1 + QUEUE_FRAMES // 2  # frames it missed were not kept


def test_deltas_after_a_keyframe_are_bounded(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    rooms.publish(keys.code, keys.secret, keyframe(0))
    for epoch in range(MAX_DELTAS):
        rooms.publish(keys.code, keys.secret, {"e": epoch}, keyframe=False)
    with pytest.raises(ValueError, match="keyframe now"):
        rooms.publish(keys.code, keys.secret, {"e": -1}, keyframe=False)
    assert len(rooms.frames(keys.code)) == 1 + MAX_DELTAS
    rooms.publish(keys.code, keys.secret, keyframe(1))
    assert len(rooms.frames(keys.code)) == 1


def test_frames_are_json_and_bounded(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    with pytest.raises(TypeError):
        rooms.publish(keys.code, keys.secret, {"weight": np.zeros(2)})
    with pytest.raises(TypeError):
        rooms.publish(keys.code, keys.secret, [1, 2])
    error = refused(
        "room_too_large", rooms.publish, keys.code, keys.secret, {"x": "a" * MAX_FRAME_BYTES}
    )
    assert "El estado de la sala" in error.message("es")
    assert rooms.frames(keys.code) == []


# -- followers, counted --------------------------------------------------------------------------------
def test_follower_count_follows_heartbeats(make_rooms):
    rooms = make_rooms(heartbeat_seconds=0.4)
    keys = rooms.start()
    subs = [rooms.follow(keys.code) for _ in range(3)]
    assert rooms.follower_count(keys.code) == 3
    rooms.heartbeat(keys.code, subs[0].follower_id)  # the same follower again: still 3
    assert rooms.follower_count(keys.code) == 3
    stop = threading.Event()

    def keep_receiving():
        while not stop.is_set():
            subs[0].receive(timeout=0.05)

    thread = threading.Thread(target=keep_receiving, daemon=True)
    thread.start()
    try:  # two tabs closed without a word: they stop counting once their heartbeat expires
        assert wait_until(lambda: rooms.follower_count(keys.code) == 1)
        time.sleep(0.5)
        assert rooms.follower_count(keys.code) == 1
        rooms.heartbeat(keys.code, "a new tab")
        assert rooms.follower_count(keys.code) == 2
        rooms.heartbeat(keys.code, "stream 1", "stream 2", "a new tab")  # one call for many
        assert rooms.follower_count(keys.code) == 4
        rooms.heartbeat(keys.code)  # nobody: no change
        assert rooms.follower_count(keys.code) == 4
    finally:
        stop.set()
        thread.join()
    assert wait_until(lambda: rooms.follower_count(keys.code) == 0)
    for sub in subs:
        sub.close()


# -- the fork checkpoint -----------------------------------------------------------------------------------
def trainer_like_state() -> tuple[dict[str, np.ndarray], dict, torch.Generator]:
    generator = torch.Generator().manual_seed(7)
    torch.randperm(50, generator=generator)  # the generator has moved on
    weight = torch.rand(2, 3, generator=generator)
    return (
        {
            "weight": weight.numpy(),
            "bias": np.array([-0.0, np.float32(1e-45)], dtype=np.float32),
            "optimizer/exp_avg": np.array([[np.nan, np.inf, -np.inf]], dtype=np.float32),
            "optimizer/step": np.array(12.0, dtype=np.float32),
            "history/loss": np.linspace(3.0, 0.5, 11),
            "history/epochs": np.arange(11, dtype=np.int64) * (2**40),
            "mask": np.array([True, False]),
            "half": np.array([65504.0, 6e-8], dtype=np.float16),
            "empty": np.zeros((0, 3)),
            "generator": generator.get_state().numpy(),
        },
        {"epoch": 10, "settings": {"learning_rate": 0.01, "optimizer": "adam"}, "inputs": ["t"]},
        generator,
    )


def test_checkpoint_round_trip_is_bit_exact():
    arrays, meta, generator = trainer_like_state()
    blob = serialize_checkpoint(arrays, meta)
    back, back_meta = deserialize_checkpoint(blob)
    assert back_meta == meta
    assert back.keys() == arrays.keys()
    for name, array in arrays.items():
        assert back[name].dtype == array.dtype and back[name].shape == array.shape, name
        assert back[name].tobytes() == array.tobytes(), name
    # the restored generator continues as the original does
    restored = torch.Generator()
    restored.set_state(torch.from_numpy(back["generator"]))
    assert torch.equal(
        torch.randperm(50, generator=restored), torch.randperm(50, generator=generator)
    )


def test_checkpoint_refuses_what_is_not_one():
    arrays, meta, _ = trainer_like_state()
    with pytest.raises(ValueError):
        serialize_checkpoint({"objects": np.array([{"a": 1}], dtype=object)}, meta)
    with pytest.raises(ValueError):
        serialize_checkpoint({"../x y": np.zeros(1)}, meta)
    # an .npz holding a pickled object array
    pickled = io.BytesIO()
    np.savez(pickled, evil=np.array([print], dtype=object), __meta__=np.frombuffer(b"{}", np.uint8))
    refused("bad_checkpoint", deserialize_checkpoint, pickled.getvalue())
    # a header promising far more data than the member holds (would allocate terabytes)
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w") as archive:
        header = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)}
        )
        archive.writestr("huge.npy", header.getvalue() + b"\0" * 64)
        archive.writestr("__meta__.npy", _npy(np.frombuffer(b"{}", np.uint8)))
    refused("bad_checkpoint", deserialize_checkpoint, crafted.getvalue())
    refused("bad_checkpoint", deserialize_checkpoint, b"not a zip at all")
    refused("bad_checkpoint", deserialize_checkpoint, serialize_checkpoint(arrays, meta)[:-40])
    refused(
        "room_too_large", deserialize_checkpoint, serialize_checkpoint(arrays, meta), max_bytes=100
    )


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def test_the_fork_goes_through_the_store_unchanged(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    assert rooms.fork(keys.code) is None
    arrays, meta, _ = trainer_like_state()
    blob = serialize_checkpoint(arrays, meta)
    rooms.set_fork(keys.code, keys.secret, blob)
    assert rooms.fork(keys.code) == blob
    back, back_meta = deserialize_checkpoint(rooms.fork(keys.code))
    assert back_meta == meta
    assert all(back[k].tobytes() == a.tobytes() for k, a in arrays.items())


# -- the board -------------------------------------------------------------------------------------------
def test_thin_curve_keeps_ends_and_at_most_200_points():
    losses = [1.0 / (1 + i) for i in range(1000)]
    curve = thin_curve(losses)
    assert len(curve) == CURVE_POINTS
    assert curve[0] == (0, 1.0) and curve[-1] == (999, losses[999])
    assert all(loss == losses[epoch] for epoch, loss in curve)
    assert [e for e, _ in curve] == sorted({e for e, _ in curve})
    assert thin_curve([3.0, 2.0], first_epoch=5) == [(5, 3.0), (6, 2.0)]


def test_the_board_shows_forks_to_the_presenter_only(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    losses = [10.0 * 0.99**i for i in range(1000)]
    nickname = "<b>Ana</b>\u202e\n\tthe\x00 great " + "x" * 100
    first = rooms.report(
        keys.code,
        "follower-1",
        ForkSummary(
            learning_rate=0.05,
            epoch=999,
            loss=losses[-1],
            optimum=0.4831212,
            curve=tuple(enumerate(losses)),
            options={"optimizer": "adam", "batch_size": 2, "standardize": True},
            nickname=nickname,
        ),
    )
    second = rooms.report(
        keys.code,
        "follower-2",
        ForkSummary(learning_rate=3.0, epoch=4, loss=float("inf"), diverged=True),
    )
    assert first == entry_id(keys.code, "follower-1") and first != second
    assert "follower-1" not in first
    board = {e.entry_id: e for e in rooms.board(keys.code, keys.secret)}
    assert board.keys() == {first, second}
    mine = board[first].summary
    assert mine.nickname == ("<b>Ana</b> the great " + "x" * 100)[:NICKNAME_CHARS]
    assert len(mine.curve) == CURVE_POINTS
    assert mine.curve[0] == (0, 10.0) and mine.curve[-1] == (999, losses[-1])
    assert mine.options == {"optimizer": "adam", "batch_size": 2, "standardize": True}
    assert (mine.learning_rate, mine.epoch, mine.optimum) == (0.05, 999, 0.4831212)
    assert board[second].summary.diverged and board[second].summary.loss == float("inf")

    # a new report from the same follower updates its entry
    rooms.report(keys.code, "follower-2", ForkSummary(learning_rate=0.01, epoch=9, loss=1.5))
    board = {e.entry_id: e for e in rooms.board(keys.code, keys.secret)}
    assert len(board) == 2 and board[second].summary.epoch == 9

    assert rooms.shown(keys.code) is None
    rooms.show(keys.code, keys.secret, first)
    assert rooms.shown(keys.code) == board[first]
    refused("room_no_such_run", rooms.show, keys.code, keys.secret, "not-an-entry")
    assert rooms.shown(keys.code) == board[first]
    rooms.show(keys.code, keys.secret, None)
    assert rooms.shown(keys.code) is None


def test_a_summary_that_is_not_numbers_is_refused(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    for bad in (
        ForkSummary(learning_rate="fast", epoch=1, loss=1.0),
        ForkSummary(learning_rate=0.1, epoch=-1, loss=1.0),
        ForkSummary(learning_rate=0.1, epoch=1, loss=1.0, options={"f": print}),
        ForkSummary(learning_rate=0.1, epoch=1, loss=1.0, curve=((1, "x"),)),
    ):
        refused("bad_setting", rooms.report, keys.code, "f", bad)
    assert rooms.board(keys.code, keys.secret) == []


# -- the room's end ------------------------------------------------------------------------------------------
def fill(rooms, keys) -> None:
    rooms.publish(keys.code, keys.secret, keyframe(0))
    rooms.publish(keys.code, keys.secret, {"loss": [0.5]}, keyframe=False)
    rooms.set_fork(keys.code, keys.secret, serialize_checkpoint({"w": np.ones(3)}, {}))
    entry = rooms.report(keys.code, "f1", ForkSummary(learning_rate=0.1, epoch=3, loss=1.0))
    rooms.show(keys.code, keys.secret, entry)
    rooms.heartbeat(keys.code, "f2")


def test_ending_a_room_frees_it(make_rooms):
    rooms = make_rooms()
    keys = rooms.start()
    kept = rooms.start()
    fill(rooms, keys)
    sub = rooms.follow(keys.code)
    assert len(sub.receive(timeout=0)) == 2
    if make_rooms.kind == "redis":
        assert len(room_keys_left(rooms, keys.code)) == 5
    else:
        alive = weakref.ref(rooms._rooms[keys.code])
    rooms.end(keys.code, keys.secret)
    refused("room_ended", sub.receive, 1.0)
    sub.close()
    assert room_keys_left(rooms, keys.code) == []
    assert not rooms.exists(keys.code) and rooms.exists(kept.code)
    refused("room_ended", rooms.publish, keys.code, keys.secret, keyframe(1))
    refused("room_ended", rooms.fork, keys.code)
    if make_rooms.kind == "local":
        gc.collect()
        assert alive() is None  # nothing holds the room any more
        assert len(rooms) == 1


def test_an_idle_room_expires_and_is_freed(make_rooms):
    rooms = make_rooms(idle_seconds=1.0)
    keys = rooms.start()
    fill(rooms, keys)
    sub = rooms.follow(keys.code)
    sub.receive(timeout=0)
    for _ in range(6):  # the presenter is there: the room stays past its idle time
        time.sleep(0.25)
        rooms.touch(keys.code, keys.secret)
    assert rooms.exists(keys.code)
    assert wait_until(lambda: not rooms.exists(keys.code), 10)
    assert wait_until(lambda: room_keys_left(rooms, keys.code) == [], 10)
    refused("room_ended", sub.receive, 2.0)
    sub.close()
    if make_rooms.kind == "local":
        assert len(rooms) == 0


# -- finding a room by its code ------------------------------------------------------------------------------
def test_failed_lookups_are_rate_limited(make_rooms):
    rooms = make_rooms(lookup_failures=3, lookup_window_seconds=1.0)
    keys = rooms.start()
    assert rooms.lookup(keys.code.lower(), "10.0.0.1") == keys.code
    for wrong in ("ZZZZ2222", "nonsense", keys.code[:-1]):
        error = refused("room_not_found", rooms.lookup, wrong, "10.0.0.1")
        assert "A–Z" in error.message("en")
    error = refused("room_lookups_refused", rooms.lookup, keys.code, "10.0.0.1")
    assert 1 <= error.params["seconds"] <= 1
    assert "Demasiados códigos" in error.message("es")
    assert rooms.lookup(keys.code, "10.0.0.2") == keys.code  # another client
    assert wait_until(lambda: rooms._refused_for(_client_key("10.0.0.1")) == 0, 5)
    assert rooms.lookup(keys.code, "10.0.0.1") == keys.code


def _client_key(client: str) -> str:
    import hashlib

    return hashlib.sha256(client.encode()).hexdigest()[:32]


# -- two replicas, one Redis ---------------------------------------------------------------------------------
def test_two_replicas_share_a_room(redis_url):
    redis.Redis.from_url(redis_url).flushdb()
    presenter_side = RedisRooms(redis_url)
    follower_side = RedisRooms(redis_url)
    try:
        keys = presenter_side.start()
        presenter_side.publish(keys.code, keys.secret, keyframe(0))
        code = follower_side.lookup(keys.code, "client")
        with follower_side.follow(code) as sub:
            assert [f.data for f in sub.receive(timeout=0)] == [keyframe(0)]
            presenter_side.publish(keys.code, keys.secret, {"loss": [0.25]}, keyframe=False)
            assert [f.data for f in sub.receive(timeout=5)] == [{"loss": [0.25]}]
            assert presenter_side.follower_count(keys.code) == 1
            entry = follower_side.report(code, sub.follower_id, ForkSummary(0.1, 1, 0.5))
            assert [e.entry_id for e in presenter_side.board(keys.code, keys.secret)] == [entry]
            refused("room_not_presenter", follower_side.end, code, "guess")
            follower_side.end(code, keys.secret)  # the secret, not the replica, is what counts
            refused("room_ended", sub.receive, 5.0)
        assert not presenter_side.exists(keys.code)
    finally:
        presenter_side.close()
        follower_side.close()


# -- which store ------------------------------------------------------------------------------------------------
def test_rooms_from_env_picks_the_store(redis_url, monkeypatch):
    monkeypatch.setattr(room_module, "_STORES", {})  # this test's stores stay out of the process's
    local = rooms_from_env({})
    assert isinstance(local, LocalRooms) and rooms_from_env({}) is local
    assert local.idle_seconds == 7200
    shorter = rooms_from_env({"LINREG_ROOM_IDLE_SECONDS": "90"})
    assert isinstance(shorter, LocalRooms) and shorter.idle_seconds == 90
    shared = rooms_from_env({"LINREG_ROOMS_URL": redis_url})
    assert isinstance(shared, RedisRooms)
    assert rooms_from_env({"LINREG_ROOMS_URL": redis_url}) is shared
    for bad in ("0", "-5", "two hours", "nan", "inf"):
        refused("bad_setting", rooms_from_env, {"LINREG_ROOM_IDLE_SECONDS": bad})
    refused("bad_setting", rooms_from_env, {"LINREG_ROOMS_URL": "http://127.0.0.1:1/"})
    error = refused("room_store_unreachable", RedisRooms, "redis://user:hunter2@127.0.0.1:1/0")
    assert "hunter2" not in error.message("en")
    for store in room_module._STORES.values():
        store.close()
