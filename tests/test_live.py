"""The live views' payload holds the engine's own numbers, and only what the browser lacks."""

import json

import numpy as np
import pytest

from linreg import Trainer
from linreg.dashboard import live
from linreg.dashboard.settings import Settings
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.formatting import equation, number
from linreg.reference import r2_score


def f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def session(**settings) -> live.LiveSession:
    return live.LiveSession(Workbench(Settings(**settings)), live.labels(t, "en"))


def event_maker(ls: live.LiveSession):
    """Events as the browser sends them: increasing ids, the run and loss points it holds."""
    state = {"id": 0, "have": 0, "run": "", "shown": 0}

    def send(kind: str, **extra) -> dict:
        state["id"] += 1
        payload = ls.handle(
            {
                "id": state["id"],
                "kind": kind,
                "run": state["run"],
                "have": state["have"],
                "shown": extra.pop("shown", state["shown"]),
                **extra,
            }
        )
        state["run"] = payload["run"]
        state["have"] = payload["loss_from"] + len(payload["loss"])
        state["shown"] = payload["frames"][-1]["e"] if payload["frames"] else state["shown"]
        return payload

    return send


def assert_frame_is_the_engines(frame: dict, trainer: Trainer, inputs, targets) -> None:
    epoch = frame["e"]
    weight, bias = trainer.parameters(epoch)
    np.testing.assert_array_equal(f32(frame["W"]), f32(weight))
    np.testing.assert_array_equal(f32(frame["b"]), f32(bias))
    snapshot = trainer.history.snapshot(epoch)
    if epoch > 0:
        np.testing.assert_array_equal(f32(frame["gW"]), snapshot.weight_grad)
        np.testing.assert_array_equal(f32(frame["gb"]), snapshot.bias_grad)
    else:
        assert frame["gW"] is None and frame["gb"] is None
    predictions = trainer.predict(inputs, epoch)
    np.testing.assert_array_equal(f32(frame["p"]), f32(predictions[: live.SHOWN_ROWS]))
    r2 = r2_score(targets, predictions)
    np.testing.assert_array_equal(f32(frame["r2"]), f32(r2))
    assert frame["r2_text"] == " / ".join(f"{v:.3f}" for v in r2)
    loss = trainer.history.loss[epoch] if epoch < trainer.epoch else trainer.current_loss()
    assert frame["loss_text"] == number(loss)


def test_f32_reads_back_to_the_same_float32_and_hides_non_finite_values():
    values = np.array([0.1, 1 / 3, 123456.789, -2.5e-12, np.nan, np.inf], dtype=np.float32)
    written = live.f32(values)
    assert written[4] is None and written[5] is None
    np.testing.assert_array_equal(f32(written[:4]), values[:4])
    assert json.dumps(written[:4]) == "[0.1, 0.33333334, 123456.79, -2.5e-12]"


def test_steps_send_the_engines_numbers_and_only_the_new_loss_point():
    ls = session()
    send = event_maker(ls)
    first = ls.handle(None)
    assert first["setup"]["optimum_text"] == number(ls.workbench.reference.loss)
    assert first["loss_from"] == 0 and len(first["loss"]) == 1
    send("sync")
    wb = ls.workbench
    for k in range(1, 6):
        payload = send("step")
        assert payload["latest"] == k == wb.trainer.epoch
        assert "setup" not in payload
        assert payload["loss_from"] == k and len(payload["loss"]) == 1
        np.testing.assert_array_equal(f32(payload["loss"]), f32([wb.trainer.current_loss()]))
        (frame,) = payload["frames"]
        assert frame["e"] == k
        assert_frame_is_the_engines(frame, wb.trainer, wb.dataset.inputs, wb.dataset.targets)
    # The loss points, gathered over the steps, are the history's.
    oracle = Trainer(wb.dataset.inputs, wb.dataset.targets, wb.settings.train_config())
    oracle.run(5)
    np.testing.assert_array_equal(f32(live.losses(oracle, 0)[:5]), f32(oracle.history.loss))


def test_a_step_on_the_sample_is_under_five_kilobytes_of_json():
    send = event_maker(session())
    send("sync")
    sizes = [len(json.dumps(send("step"), allow_nan=False)) for _ in range(20)]
    assert max(sizes) <= 5000, sizes


def test_setup_holds_names_words_actual_values_and_earlier_runs():
    ls = live.LiveSession(Workbench(Settings(lang="es")), live.labels(t, "es"))
    send = event_maker(ls)
    send("sync")
    send("run", epochs=30)
    payload = send("reset")
    setup = payload["setup"]
    ds = ls.workbench.dataset
    assert setup["inputs"] == ["temperatura", "lluvia", "humedad"]
    assert setup["targets"] == ["manzanas", "naranjas"]
    assert setup["labels"]["step"] == "Paso" and setup["labels"]["pause"] == "Pausa"
    assert setup["labels"]["weights_title"] == "Pesos tras la época {epoch}"
    np.testing.assert_array_equal(f32(setup["actual"]), f32(ds.targets))
    (earlier,) = setup["earlier"]
    assert earlier["epochs"] == list(range(31))
    assert payload["latest"] == 0 and payload["frames"][0]["e"] == 0


def test_run_draws_frames_on_the_way_and_ends_on_the_nth_epoch():
    ls = session()
    send = event_maker(ls)
    send("sync")
    payload = send("run", epochs=100)
    epochs = [f["e"] for f in payload["frames"]]
    assert payload["mode"] == "run" and epochs[-1] == 100 == ls.workbench.trainer.epoch
    assert epochs == sorted(epochs) and len(epochs) <= live.RUN_FRAMES
    assert payload["loss_from"] == 1 and len(payload["loss"]) == 100
    for frame in payload["frames"]:
        assert_frame_is_the_engines(
            frame, ls.workbench.trainer, ls.workbench.dataset.inputs, ls.workbench.dataset.targets
        )


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"engine": "nn", "opt": "adam", "lr": 0.05, "batch": 2, "seed": 4},
        {"data": "sample15", "batch": 4, "std": True, "lr": 0.01},
    ],
    ids=["scratch", "nn adam mini-batches", "standardized mini-batches"],
)
def test_play_then_pause_lands_exactly_on_the_epoch_shown(settings):
    ls = session(**settings)
    send = event_maker(ls)
    send("sync")
    played = send("play", speed=1)
    assert played["mode"] == "play" and [f["e"] for f in played["frames"]][:3] == [1, 2, 3]
    more = send("more", speed=1, shown=20)
    assert more["frames"][0]["e"] == played["frames"][-1]["e"] + 1
    trainer = ls.workbench.trainer
    assert trainer.epoch > 60
    paused = send("pause", shown=37)
    assert paused["latest"] == 37 == trainer.epoch
    assert paused["loss_from"] <= 38 and paused["frames"][-1]["e"] == 37
    wb = ls.workbench
    oracle = Trainer(wb.dataset.inputs, wb.dataset.targets, wb.settings.train_config())
    oracle.run(37)
    np.testing.assert_array_equal(trainer.weight.detach().numpy(), oracle.weight.detach().numpy())
    np.testing.assert_array_equal(trainer.history.loss, oracle.history.loss)
    # The next Step goes on from what the room saw, number for number.
    stepped = send("step")
    oracle.step()
    assert stepped["latest"] == 38
    np.testing.assert_array_equal(trainer.weight.detach().numpy(), oracle.weight.detach().numpy())
    np.testing.assert_array_equal(f32(stepped["loss"][-1:]), f32([oracle.current_loss()]))


def test_play_at_a_speed_sends_every_speed_th_epoch_and_all_loss_points():
    ls = session()
    send = event_maker(ls)
    send("sync")
    payload = send("play", speed=5)
    epochs = [f["e"] for f in payload["frames"]]
    assert epochs[:3] == [5, 10, 15] and epochs[-1] == ls.workbench.trainer.epoch
    assert len(payload["loss"]) == ls.workbench.trainer.epoch


def test_play_on_a_slow_machine_spreads_the_frames_over_what_the_time_allowed(monkeypatch):
    """A batch stops after about BATCH_SECONDS; its frames then step by fewer epochs than the
    speed asks, so the curve keeps moving instead of one frame per batch."""
    ls = session()
    send = event_maker(ls)
    send("sync")
    wb = ls.workbench
    run = wb.run
    asked = []

    def cut_short(epochs, seconds=None):  # the deadline reached after 900 epochs
        asked.append((epochs, seconds))
        return run(min(epochs, 900))

    monkeypatch.setattr(wb, "run", cut_short)
    payload = send("play", speed=10_000)
    assert asked == [(live.MAX_BATCH_EPOCHS, live.BATCH_SECONDS)]
    epochs = [f["e"] for f in payload["frames"]]
    assert epochs == list(range(20, 901, 20))  # 900 / 45 frames = 20 epochs a frame
    assert len(payload["loss"]) == wb.trainer.epoch == 900


def test_a_batch_with_no_time_left_still_trains_and_shows_an_epoch(monkeypatch):
    monkeypatch.setattr(live, "BATCH_SECONDS", 0.0)
    ls = session()
    send = event_maker(ls)
    send("sync")
    payload = send("play", speed=10_000)
    trained = ls.workbench.trainer.epoch
    assert 1 <= trained < live.MAX_BATCH_EPOCHS
    assert payload["frames"][-1]["e"] == trained


def test_look_sends_the_frame_of_an_earlier_epoch_and_no_loss_points():
    ls = session()
    send = event_maker(ls)
    send("sync")
    send("run", epochs=50)
    payload = send("look", epoch=17)
    assert payload["latest"] == 50 and payload["loss"] == []
    (frame,) = payload["frames"]
    assert frame["e"] == 17
    assert_frame_is_the_engines(
        frame, ls.workbench.trainer, ls.workbench.dataset.inputs, ls.workbench.dataset.targets
    )


def test_a_browser_that_lost_its_numbers_gets_all_of_them_again():
    ls = session()
    send = event_maker(ls)
    send("sync")
    send("run", epochs=10)
    payload = ls.handle({"id": 99, "kind": "sync", "run": "", "have": 0, "shown": 0})
    assert "setup" in payload and payload["loss_from"] == 0 and len(payload["loss"]) == 11


def test_a_diverged_run_is_said_and_its_payload_is_strict_json():
    ls = session(lr=1.0)
    send = event_maker(ls)
    send("sync")
    payload = send("run", epochs=100)
    assert payload["diverged"]["reason"] in {"exploded", "not_finite"}
    json.dumps(payload, allow_nan=False)


def test_one_input_sends_the_fitted_line_ends():
    wb = Workbench(Settings())
    wb.set_roles(("temperature",), ("apples",))
    ls = live.LiveSession(wb, live.labels(t, "en"))
    payload = ls.handle(None)
    x = wb.dataset.inputs[:, 0]
    weight, bias = wb.trainer.parameters(0)
    np.testing.assert_array_equal(f32(payload["setup"]["x_ends"]), f32([x.min(), x.max()]))
    np.testing.assert_array_equal(
        f32(payload["frames"][0]["line"]),
        f32(weight[:, :1] * np.array([[x.min(), x.max()]]) + bias[:, None]),
    )


def test_the_payload_module_does_not_import_streamlit():
    with open(live.__file__, encoding="utf-8") as handle:
        text = handle.read()
    assert "import streamlit" not in text and "from streamlit" not in text


def test_events_save_the_controls_preferences_in_the_settings():
    ls = session()
    send = event_maker(ls)
    send("prefs", prefs={"run": 25, "speed": 3, "log": True})
    assert (ls.workbench.settings.run, ls.workbench.settings.speed) == (25, 3)
    assert ls.workbench.settings.log is True
    send("prefs", prefs={"run": 10**9, "speed": "x"})  # out of bounds, not a number
    assert ls.workbench.settings.run == live.MAX_RUN_EPOCHS
    assert ls.workbench.settings.speed == 3
    assert ls.handle({"id": 99, "kind": "reset"})["setup"]["prefs"] == {
        "run": live.MAX_RUN_EPOCHS,
        "speed": 3,
        "log": True,
    }


def test_a_batch_asked_for_by_an_earlier_run_trains_nothing():
    ls = session()
    send = event_maker(ls)
    send("play", speed=1)
    old_run = ls.run_id
    ls.workbench.reset()
    answer = ls.handle({"id": 50, "kind": "more", "run": old_run, "have": 40, "speed": 1})
    assert ls.trainer.epoch == 0 and answer["mode"] == "show" and "setup" in answer


def test_frames_carry_the_loss_change_and_the_equations():
    ls = session()
    send = event_maker(ls)
    payload = send("step")
    (frame,) = payload["frames"]
    trainer = ls.trainer
    assert frame["change_text"] == number(trainer.current_loss() - trainer.history.loss[0])
    weight, bias = trainer.parameters()
    assert frame["eq"] == [
        f"{name} = {equation(row, b, ls.workbench.dataset.input_names)}"
        for name, row, b in zip(ls.workbench.dataset.target_names, weight, bias, strict=True)
    ]
    assert ls.handle(None)["frames"][0]["change_text"] == frame["change_text"]


def test_clearing_earlier_runs_sends_a_new_setup_without_them():
    ls = session()
    send = event_maker(ls)
    send("step")
    assert len(send("reset")["setup"]["earlier"]) == 1
    send("step")
    payload = send("clear_runs")
    assert payload["setup"]["earlier"] == [] and payload["frames"][0]["e"] == 1
