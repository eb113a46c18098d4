"""The live views' message (``linreg.dashboard.live_message``): one definition, its JSON Schema
derived from it, and every payload checked against that schema — each kind LiveSession
answers (setup, step, run, play and its batches, pause, look, prefs, reset, clearing earlier
runs, a diverged run, one input), the presenter's forwarded room frames and a follower's
payloads relabelled in English and Spanish. live.js is scanned for the fields it reads: each
is in the schema. (A real browser's payloads: tests/browser/test_live_views.py and
tests/browser/test_room_browser.py.)"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import jsonschema
import pytest

from linreg.dashboard import live
from linreg.dashboard.live_message import (
    Divergence,
    EarlierCurve,
    LiveFrame,
    LivePayload,
    LiveSetup,
    Prefs,
    decode,
    encode,
    schema,
)
from linreg.dashboard.room import LocalRooms
from linreg.dashboard.settings import Settings
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from tests.test_live import event_maker
from tests.test_room_session import Stage, StreamReader

LIVE_JS = Path(live.__file__).parents[1] / "page" / "component" / "assets" / "live.js"
MESSAGES = (LivePayload, LiveFrame, LiveSetup, Prefs, EarlierCurve, Divergence)
VALIDATOR = jsonschema.Draft202012Validator(schema())


def check(payload: dict) -> dict:
    """``payload`` is valid under the schema, as JSON text, and decodes to what encodes it."""
    errors = sorted(VALIDATOR.iter_errors(payload), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])
    assert json.loads(json.dumps(payload, allow_nan=False)) == payload
    assert encode(decode(LivePayload, payload)) == payload
    return payload


def test_the_schema_is_derived_from_the_message_classes():
    jsonschema.Draft202012Validator.check_schema(schema())
    defs = schema()["$defs"]
    assert set(defs) == {cls.__name__ for cls in MESSAGES}
    for cls in MESSAGES:
        fields = dataclasses.fields(cls)
        assert list(defs[cls.__name__]["properties"]) == [f.name for f in fields]
        optional = {f.name for f in fields if f.metadata.get("optional")}
        assert set(defs[cls.__name__]["required"]) == {f.name for f in fields} - optional
        assert defs[cls.__name__]["additionalProperties"] is False
    assert defs["LivePayload"]["properties"]["mode"] == {"enum": ["show", "play", "run"]}


def test_the_schema_refuses_what_the_browser_could_not_draw():
    payload = live.LiveSession(Workbench(Settings()), live.labels(t, "en")).handle(None)
    check(payload)
    for broken in (
        {**payload, "mode": "fast"},
        {**payload, "frames": [{**payload["frames"][0], "W": [["1"]]}]},
        {**payload, "colour": "red"},
        {k: v for k, v in payload.items() if k != "loss"},
        {**payload, "setup": {**payload["setup"], "prefs": {"run": 1, "speed": 1}}},
        {**payload, "seq": True},
    ):
        assert not VALIDATOR.is_valid(broken)


def test_decode_says_which_field_is_missing_or_unknown():
    payload = live.LiveSession(Workbench(Settings()), live.labels(t, "en")).handle(None)
    with pytest.raises(ValueError, match="needs the field latest; found none"):
        decode(LivePayload, {k: v for k, v in payload.items() if k != "latest"})
    with pytest.raises(ValueError, match="LiveFrame has no field colour"):
        decode(LivePayload, {**payload, "frames": [{**payload["frames"][0], "colour": 1}]})


def payloads_of(ls: live.LiveSession) -> list[dict]:
    """Every kind of answer of ``ls``, each checked as it comes."""
    send = event_maker(ls)
    out = [ls.handle(None), send("sync"), send("step"), send("step")]
    out += [send("run", epochs=30), send("look", epoch=3), send("prefs", prefs={"speed": 4})]
    out += [send("play", speed=2), send("more", speed=2), send("pause")]
    out += [send("reset"), send("step"), send("clear_runs")]
    for payload in out:
        check(payload)
    return out


@pytest.mark.parametrize(
    "settings",
    [{}, {"lang": "es", "std": True, "batch": 2}, {"engine": "nn", "opt": "adam"}],
    ids=["sample", "es-standardized-batches", "nn-adam"],
)
def test_every_payload_live_session_makes_is_valid(settings):
    ls = live.LiveSession(Workbench(Settings(**settings)), live.labels(t, "en"))
    payloads = payloads_of(ls)
    assert {p["mode"] for p in payloads} == {"show", "run", "play"}
    assert any("setup" in p for p in payloads) and any("setup" not in p for p in payloads)
    assert any(p["setup"]["earlier"] for p in payloads if "setup" in p)  # after the reset
    assert any(f["gW"] is None for p in payloads for f in p["frames"])  # epoch 0
    assert any(f["gW"] is not None for p in payloads for f in p["frames"])
    assert encode(ls.message) == ls.last


def test_a_diverged_run_and_one_input_are_valid():
    ls = live.LiveSession(Workbench(Settings(lr=1.0)), live.labels(t, "en"))
    payload = check(event_maker(ls)("run", epochs=100))
    assert payload["diverged"]["reason"] in {"exploded", "not_finite"}
    wb = Workbench(Settings())
    wb.set_roles(("temperature",), ("apples",))
    payloads = payloads_of(live.LiveSession(wb, live.labels(t, "en")))
    assert "x_ends" in payloads[0]["setup"] and "line" in payloads[0]["frames"][0]


def test_the_presenters_frames_and_a_followers_payloads_are_valid():
    """The room frame carries the presenter's payload (forwarded); each follower's stream
    relabels it in its language; both are the one message."""
    rooms = LocalRooms()
    stage = Stage(rooms)
    readers = {lang: StreamReader(rooms, stage.presenter.code, lang) for lang in ("en", "es")}
    try:
        for kind, extra in [
            ("step", {}),
            ("run", {"epochs": 20}),
            ("play", {"speed": 3}),
            ("pause", {}),
            ("look", {"epoch": 2}),
            ("reset", {}),
            ("step", {}),
        ]:
            stage.send_event(kind, **extra)
        for frame in rooms.frames(stage.presenter.code):
            data = frame.data
            if data.get("k") == "view":
                check({k: data[k] for k in LivePayload.field_names() if k in data})
        for lang, reader in readers.items():
            payloads = reader.payloads()
            assert payloads and all(check(p)["readonly"] is True for p in payloads)
            setups = [p["setup"] for p in payloads if "setup" in p]
            assert setups and setups[-1]["labels"] == live.labels(t, lang)
        assert setups[-1]["inputs"] == ["temperatura", "lluvia", "humedad"]  # Spanish
    finally:
        for reader in readers.values():
            reader.close()
        stage.presenter.end()


# -- live.js against the schema ----------------------------------------------------------------
def js_reads(source: str) -> dict[str, set[str]]:
    """The message fields live.js reads, by the class they belong to: ``data.X`` in
    ``receive(data)``, ``payload.X`` in ``fromStream``, ``frame.X`` and ``frames[…].X``
    / ``queue[…].X``, the setup's ``setup.X`` / ``s.X`` / ``this.setup.X``, its
    ``prefs.X``, an earlier run's ``run.X`` / ``r.X`` in ``earlier.map``, and the labels'
    ``w.X`` / ``labels.X``."""

    def method(name: str) -> str:
        start = re.search(rf"^  {name}\(.*\) \{{$", source, re.M)
        assert start, f"live.js has no method {name}"
        end = source.index("\n  }\n", start.end())
        return source[start.end() : end]

    def names(pattern: str, text: str = source) -> set[str]:
        return set(re.findall(pattern, text))

    earlier_reads: set[str] = set()
    for var, body in earlier_uses(source):
        earlier_reads |= names(rf"(?<![\w.]){var}\.(\w+)", body)
    return {
        "LivePayload": names(r"\bdata\.(\w+)", method("receive"))
        | names(r"\bpayload\.(\w+)", method("fromStream")),
        "LiveFrame": names(r"\bframe\.(\w+)") | names(r"(?:frames|queue)\[[^\]]*\]\.(\w+)"),
        "LiveSetup": (
            names(r"(?<![\w.])setup\.(\w+)")
            | names(r"\bthis\.setup\.(\w+)")
            | names(r"(?<![\w.])s\.(\w+)")
        ),
        "Prefs": names(r"\bprefs\.(\w+)"),
        "EarlierCurve": earlier_reads,
        "labels": names(r"(?<![\w.])w\.(\w+)") | names(r"\blabels\.(\w+)"),
    }


def earlier_uses(source: str) -> list[tuple[str, str]]:
    """(the variable, the code) of each place live.js goes through the setup's earlier runs:
    ``earlier.map((VAR…) => …)`` up to its closing parenthesis, ``for (const VAR of
    ….earlier) …;``."""
    uses = [
        (m[1], m[2]) for m in re.finditer(r"for \(const (\w+) of [\w.]*earlier\)([^;]*)", source)
    ]
    for match in re.finditer(r"earlier\.map\(\((\w+)", source):
        depth, end = 1, match.start() + len("earlier.map(")
        while depth:
            depth += {"(": 1, ")": -1}.get(source[end], 0)
            end += 1
        uses.append((match[1], source[match.end() : end]))
    return uses


def test_live_js_reads_no_field_the_schema_lacks():
    source = LIVE_JS.read_text()
    assert "const s = this.setup;" in source and "const w = s.labels;" in source
    defs = schema()["$defs"]
    reads = js_reads(source)
    for cls, fields in reads.items():
        known = set(live.LABEL_KEYS) if cls == "labels" else set(defs[cls]["properties"])
        assert fields, f"found no read of a {cls} field in live.js: the scan is out of date"
        assert fields <= known, f"live.js reads {sorted(fields - known)} of a {cls}: not in it"
    # and the fields it draws from are read (the scan sees them)
    assert {"frames", "loss", "loss_from", "setup", "mode", "readonly"} <= reads["LivePayload"]
    assert {"W", "b", "gW", "gb", "p", "eq", "line", "e"} <= reads["LiveFrame"]
    assert {"epochs", "loss", "label"} == reads["EarlierCurve"]
