"""The dashboard's flows through Streamlit's AppTest: no browser, the real page script.

AppTest cannot click inside the live views' component: ``send`` hands its events to the
session's ``LiveSession`` as the component's callback does, reruns the page, and the tests
read the payload the page mounted (the numbers the browser draws) and what the page shows
around it. Alerts and captions escape Markdown (``linreg.page.text.plain``), so texts are
compared after removing the backslashes.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from linreg import data
from linreg.dashboard.texts import t
from linreg.errors import LinregError
from linreg.formatting import number as number_text
from linreg.reference import stable_learning_rate
from linreg.trainer import TrainConfig, Trainer

# A Spanish export from Excel: Latin-1, semicolons, decimal commas, accented headers, an ID column.
GOOD_ROWS = [
    (i, f"{(i * 7) % 13},5", f"{20 + i % 5},25", f"{(i * 3) % 11 + 40},5") for i in range(1, 13)
]
GOOD_CSV = (
    "Región;Precipitación;Temperatura;Naranjas\n"
    + "\n".join(";".join(map(str, row)) for row in GOOD_ROWS)
    + "\n"
).encode("latin-1")

HOSTILE = {
    "empty.csv": b"",
    "blank.csv": b"  \n\n \n",
    "junk.csv": bytes(range(256)) * 8,
    "workbook.csv": b"PK\x03\x04" + bytes(200),
    "header_only.csv": b"a,b,c\n",
    "text_in_numbers.csv": b"a,b\n1,2\n3,x\n4,5\n6,7\n",
    "missing_cells.csv": b"a,b,c\n1,2,3\n4,,6\n7,8,9\n",
    "inf.csv": b"a,b\n1,2\ninf,3\n4,5\n",
    "ragged.csv": b"a,b,c\n1,2,3\n4,5\n6,7,8\n",
    "duplicate_headers.csv": b"a,a,b\n1,2,3\n4,5,6\n",
    "one_column.csv": b"a\n1\n2\n3\n",
    "single_row.csv": b"a,b\n1,2\n",
    "thousands_of_columns.csv": (
        ",".join(f"c{i}" for i in range(2000)) + "\n" + ",".join(["1"] * 2000) + "\n"
    ).encode(),
    "unclosed_quote.csv": b'a,b\n1,"2\n3,4\n',
}


# -- helpers -----------------------------------------------------------------------------------
def new_app(**query: str) -> AppTest:
    """A fresh session of the page (with these URL query parameters), run once."""
    at = AppTest.from_file("../linreg/page/script.py", default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def done(at: AppTest) -> AppTest:
    assert not at.exception, [e.message for e in at.exception]
    return at


_event_ids = itertools.count(1)


def payload(at: AppTest) -> dict:
    """The numbers the page handed the live views' component on its last run."""
    (component,) = [e for e in at.main if getattr(e, "type", "") == "bidi_component"]
    return json.loads(component.proto.json)


def send(at: AppTest, kind: str, **extra) -> AppTest:
    """The component's event ``kind`` as the browser sends it, then the page's rerun."""
    shown = payload(at)
    frames = shown["frames"]
    event = {
        "id": next(_event_ids),
        "kind": kind,
        "run": shown["run"],
        "have": shown["loss_from"] + len(shown["loss"]),
        "shown": frames[-1]["e"] if frames else shown["latest"],
        **extra,
    }
    at.session_state.live.handle(event)
    return done(at.run())


def click(at: AppTest, kind: str) -> AppTest:
    """A press of Step, Run (its epochs as the settings say), Reset … in the live views."""
    extra = {"epochs": at.session_state.workbench.settings.run} if kind == "run" else {}
    return send(at, kind, **extra)


def widget(elements, prefix: str):
    """The one widget whose key starts with ``prefix`` (keys carry a version suffix)."""
    found = [w for w in elements if (w.key or "").startswith(prefix)]
    assert len(found) == 1, [w.key for w in elements]
    return found[0]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def texts(elements) -> list[str]:
    return [unescape(e.value) for e in elements]


def readouts(at: AppTest) -> dict[str, str]:
    """The readouts' texts as the component writes them (the last frame is the one shown)."""
    frame = payload(at)["frames"][-1]
    return {"epoch": f"{frame['e']:,}", "loss": frame["loss_text"], "r2": frame["r2_text"]}


def epoch(at: AppTest) -> int:
    return payload(at)["frames"][-1]["e"]


def labels(at: AppTest) -> dict[str, str]:
    return at.session_state.live.setup_now().labels


def number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ""))


def table(at: AppTest):
    """The data table the page trains on (the session's workbench)."""
    return at.session_state.workbench.table


def editor_key(at: AppTest) -> str:
    return f"editor_{at.session_state.workbench.table_version}"


def edit(at: AppTest, edited_rows: dict, added_rows=(), deleted_rows=()) -> AppTest:
    at.session_state[editor_key(at)] = {
        "edited_rows": edited_rows,
        "added_rows": list(added_rows),
        "deleted_rows": list(deleted_rows),
    }
    return done(at.run())


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    key = f"upload_file_{at.session_state['upload_version']}"
    return done(at.file_uploader(key=key).upload(name, content, "text/csv").run())


def choose_upload(at: AppTest) -> AppTest:
    return done(widget(at.radio, "source_").set_value("upload").run())


def expected_error(content: bytes) -> str:
    """The message the engine gives for this file (reading it, then choosing default roles)."""
    try:
        data.select(data.read_csv(content))
    except LinregError as error:
        return error.message("en")
    raise AssertionError("the file was expected to be refused")


def seed_trainer(epochs: int) -> Trainer:
    """The engine on its own: the seed's table and roles, seed 0, default settings."""
    frame = data.load_sample("sample5")
    trainer = Trainer(frame.iloc[:, :3].to_numpy(), frame.iloc[:, 3:].to_numpy(), TrainConfig())
    trainer.run(epochs)
    return trainer


# -- the default page --------------------------------------------------------------------------
def test_default_page():
    at = new_app()
    setup = payload(at)["setup"]
    words = setup["labels"]
    assert [words[k] for k in ("epoch", "loss", "optimum", "r2")] == [
        "Epoch",
        "Loss",
        "Least-squares optimum",
        "R²",
    ]
    assert readouts(at)["epoch"] == "0"
    assert readouts(at)["loss"] == number_text(seed_trainer(0).current_loss())
    assert number(setup["optimum_text"]) == pytest.approx(0.4831212, rel=1e-3)
    assert [words[k] for k in ("step", "run", "play", "pause", "reset")] == [
        "Step",
        "Run",
        "Play",
        "Pause",
        "Reset",
    ]
    assert setup["prefs"] == {"run": 100, "speed": 5, "log": False}
    assert [tab.label for tab in at.tabs] == [
        "Inside one step",
        "Loss landscape",
        "Predict",
        "Code & downloads",
    ]
    source = widget(at.radio, "source_")
    assert source.options == ["Sample: 5 regions", "Sample: 15 regions", "Upload CSV"]
    assert source.value == "sample5"
    assert widget(at.multiselect, "inputs_").value == ["temperature", "rainfall", "humidity"]
    assert widget(at.multiselect, "targets_").value == ["apples", "oranges"]
    assert at.dataframe(key=editor_key(at)).value.shape == (5, 5)
    assert not at.error and not at.warning and not at.info
    assert dict(at.query_params) == {}


def test_step_matches_the_engine():
    at = new_app()
    for expected_epoch in (1, 2, 3):
        click(at, "step")
        assert readouts(at)["epoch"] == str(expected_epoch)
        oracle = seed_trainer(expected_epoch).current_loss()
        assert number(readouts(at)["loss"]) == pytest.approx(oracle, rel=1e-3)
    assert at.session_state.workbench.trainer.current_loss() == seed_trainer(3).current_loss()


def test_run_then_reset():
    at = new_app()
    click(at, "step")
    click(at, "run")
    assert readouts(at)["epoch"] == "101"
    assert readouts(at)["loss"] == number_text(seed_trainer(101).current_loss())
    assert payload(at)["mode"] == "run"  # drawn on the way, ending on epoch 101
    drawn = [f["e"] for f in payload(at)["frames"]]
    assert drawn == sorted(drawn) and drawn[0] > 1 and drawn[-1] == 101
    click(at, "reset")
    assert readouts(at)["epoch"] == "0"
    assert texts(at.info) == [t("notice.reset")]
    assert number(readouts(at)["loss"]) == pytest.approx(seed_trainer(0).current_loss(), rel=1e-3)


def test_run_epochs_speed_and_log_are_kept_in_the_link():
    at = new_app()
    send(at, "prefs", prefs={"run": 25, "speed": 3, "log": True})
    assert dict(at.query_params) == {"run": "25", "speed": "3", "log": "1"}
    click(at, "run")
    assert readouts(at)["epoch"] == "25"
    again = new_app(**dict(at.query_params))  # the link reproduces them
    assert payload(again)["setup"]["prefs"] == {"run": 25, "speed": 3, "log": True}


def test_play_then_pause_lands_on_the_epoch_shown():
    at = new_app()
    send(at, "play", speed=2)
    played = payload(at)
    assert played["mode"] == "play"
    assert [f["e"] for f in played["frames"]][:3] == [2, 4, 6]
    at.session_state["view_tab"] = t("tab.code")
    done(at.run())
    assert t("code.paused_only") in texts(at.caption)  # no script of a run that moves on
    at.session_state["view_tab"] = t("tab.step")
    send(at, "pause", shown=played["frames"][4]["e"])
    assert epoch(at) == 10
    trainer = at.session_state.workbench.trainer
    oracle = seed_trainer(10)
    assert trainer.epoch == 10
    np.testing.assert_array_equal(trainer.parameters()[0], oracle.parameters()[0])
    assert readouts(at)["loss"] == number_text(oracle.current_loss())
    assert t("step.intro", epoch=10) in [m.value for m in at.markdown]  # the tab follows


def test_the_tabs_follow_a_look_back():
    at = new_app()
    for _ in range(3):
        click(at, "step")
    send(at, "look", epoch=1)
    assert epoch(at) == 1
    assert t("step.intro", epoch=1) in [m.value for m in at.markdown]
    assert at.session_state.workbench.trainer.epoch == 3  # looking back trains nothing


def test_sample15_restarts():
    at = new_app()
    click(at, "step")
    done(widget(at.radio, "source_").set_value("sample15").run())
    assert len(table(at)) == 15
    assert at.dataframe(key=editor_key(at)).value.shape == (15, 5)
    assert readouts(at)["epoch"] == "0"
    assert texts(at.info) == [t("notice.restart_data")]
    assert dict(at.query_params) == {"data": "sample15"}


# -- uploads -----------------------------------------------------------------------------------
def test_upload_a_spanish_excel_export():
    at = choose_upload(new_app())
    assert readouts(at)["epoch"] == "0"
    assert not at.error
    upload(at, "datos.csv", GOOD_CSV)  # the uploader's on_change fires in AppTest
    frame = table(at)
    assert list(frame.columns) == ["Región", "Precipitación", "Temperatura", "Naranjas"]
    assert len(frame) == 12
    assert frame["Precipitación"].iloc[0] == 7.5  # decimal comma
    assert frame["Temperatura"].iloc[0] == 21.25
    assert widget(at.multiselect, "inputs_").value == ["Precipitación", "Temperatura"]
    assert widget(at.multiselect, "targets_").value == ["Naranjas"]
    assert texts(at.info) == [t("notice.restart_data")]
    assert t("side.using_file", name="datos.csv") in texts(at.sidebar.caption)
    assert not at.error
    click(at, "step")
    assert readouts(at)["epoch"] == "1"


def test_upload_from_r_with_row_names_and_money():
    """R's write.csv: row names under an empty header, money as people write it."""
    at = choose_upload(new_app())
    content = (
        b'"","year","price","rooms"\n"Elm St",1990,"$250,000",3\n"Oak Ave",1991,"$310,500",4\n'
        b'"Pine Rd",1992,"$199,000",2\n"Bay Ct",1993,"$420,000",5\n'
    )
    upload(at, "houses.csv", content)
    assert not at.error
    frame = table(at)
    assert list(frame.index) == ["Elm St", "Oak Ave", "Pine Rd", "Bay Ct"]
    assert list(frame.columns) == ["year", "price", "rooms"]
    assert frame["price"].tolist() == [250_000, 310_500, 199_000, 420_000]
    assert t("side.using_file", name="houses.csv") in texts(at.sidebar.caption)
    assert "price: '$250,000' read as 250000" in texts(at.sidebar.caption)
    assert widget(at.multiselect, "inputs_").value == ["year", "price"]
    # The editor shows the rows' labels as its row names.
    assert list(at.session_state[f"base_{editor_key(at)}"].index) == list(frame.index)


def test_the_learning_rate_hint_is_the_stable_rate_of_this_data():
    at = new_app()
    wb = at.session_state.workbench
    hint = t("side.stable_rate", rate=number_text(wb.stable_learning_rate))
    assert hint in texts(at.sidebar.caption)
    assert wb.stable_learning_rate == stable_learning_rate(wb.dataset.inputs, False, 2)


def test_hostile_uploads_after_good_training_lose_nothing():
    at = choose_upload(new_app())
    upload(at, "datos.csv", GOOD_CSV)
    for _ in range(3):
        click(at, "step")
    good_table = table(at)
    trainer = at.session_state.workbench.trainer
    shown = readouts(at)
    for name, content in HOSTILE.items():
        upload(at, name, content)
        assert texts(at.error) == [expected_error(content)], name
        assert readouts(at) == shown, name
        assert table(at) is good_table, name
        assert at.session_state.workbench.trainer is trainer, name
        assert not at.warning, name
    click(at, "step")
    assert readouts(at)["epoch"] == "4"
    # a good file afterwards clears the message
    upload(at, "datos2.csv", GOOD_CSV)
    assert not at.error
    assert readouts(at)["epoch"] == "0"


def test_refused_missing_values_then_drop_them():
    at = choose_upload(new_app())
    click(at, "step")
    content = HOSTILE["missing_cells.csv"]
    upload(at, "holes.csv", content)
    assert texts(at.error) == [expected_error(content)]
    assert readouts(at)["epoch"] == "1"
    done(widget(at.checkbox, "drop_").check().run())
    assert not at.error
    assert at.session_state.workbench.source_label == "holes.csv"
    assert at.session_state.workbench.dataset.dropped_rows == (2,)
    assert t("side.dropped", count=1) in texts(at.sidebar.caption)
    assert readouts(at)["epoch"] == "0"


def test_huge_magnitudes_diverge_with_a_warning():
    rows = "\n".join(f"{i * 1e15},{(i % 3) * 1e15},{i * 2e15}" for i in range(2, 8))
    at = choose_upload(new_app())
    upload(at, "huge.csv", f"a,b,y\n{rows}\n".encode())
    assert not at.error
    click(at, "run")
    assert len(at.warning) == 1
    wb = at.session_state.workbench
    assert wb.trainer.diverged
    weight, bias = wb.trainer.parameters()
    assert np.isfinite(weight).all() and np.isfinite(bias).all()


# -- editing the table -------------------------------------------------------------------------
def test_good_edit_restarts_training():
    at = new_app()
    click(at, "step")
    click(at, "step")
    edit(at, {1: {"apples": 42.0}})
    assert table(at)["apples"].tolist() == [56.0, 42.0, 119.0, 22.0, 103.0]
    assert readouts(at)["epoch"] == "0"
    assert not at.error
    click(at, "step")
    assert readouts(at)["epoch"] == "1"


def test_edit_adds_and_deletes_rows():
    at = new_app()
    row = {"temperature": 70, "rainfall": 70, "humidity": 50, "apples": 60, "oranges": 80}
    edit(at, {}, added_rows=[row], deleted_rows=[0])
    assert len(table(at)) == 5
    assert table(at).iloc[-1].tolist() == [70.0, 70.0, 50.0, 60.0, 80.0]
    assert table(at)["temperature"].iloc[0] == 91.0
    assert at.session_state.workbench.dataset.n_rows == 5


def test_an_empty_new_row_keeps_the_training():
    # Clicking the editor's last line adds a row of empty cells: not data, nothing to restart.
    at = new_app()
    click(at, "step")
    trainer = at.session_state.workbench.trainer
    edit(at, {}, added_rows=[{}])
    assert at.session_state.workbench.trainer is trainer
    assert readouts(at)["epoch"] == "1"
    assert not at.info and not at.error


def test_good_edit_says_so_at_once():
    at = new_app()
    click(at, "step")
    edit(at, {1: {"apples": 42.0}})
    assert texts(at.info) == [t("notice.restart_data")]
    click(at, "step")
    assert not at.info  # and not one click late


@pytest.mark.parametrize(
    "edited_rows",
    [
        {2: {"rainfall": "lots"}},  # text in a number column
        {0: {"humidity": None}},  # a deleted cell
    ],
)
def test_bad_edit_shows_an_error_and_keeps_training(edited_rows):
    at = new_app()
    click(at, "step")
    click(at, "step")
    good_table = table(at)
    trainer = at.session_state.workbench.trainer
    shown = readouts(at)
    edit(at, edited_rows)
    assert len(at.error) == 1
    assert readouts(at) == shown
    assert table(at) is good_table
    assert at.session_state.workbench.trainer is trainer
    click(at, "step")
    assert readouts(at)["epoch"] == "3"
    # putting the cell back clears the message
    edit(at, {})
    assert not at.error


# -- roles -------------------------------------------------------------------------------------
def test_roles_restart_and_overlap_is_refused():
    at = new_app()
    click(at, "step")
    done(widget(at.multiselect, "inputs_").set_value(["temperature"]).run())
    assert at.session_state.workbench.dataset.input_names == ("temperature",)
    assert readouts(at)["epoch"] == "0"
    assert texts(at.info) == [t("notice.restart_columns")]
    assert dict(at.query_params) == {"inputs": "temperature", "targets": "apples,oranges"}
    click(at, "step")
    done(widget(at.multiselect, "inputs_").set_value(["temperature", "apples"]).run())
    assert len(at.error) == 1 and "apples" in texts(at.error)[0]
    assert readouts(at)["epoch"] == "1"
    assert at.session_state.workbench.dataset.input_names == ("temperature",)


# -- settings in the URL -----------------------------------------------------------------------
def test_url_settings_reach_the_widgets_in_spanish():
    at = new_app(
        seed="5", lr="0.0001", std="1", engine="nn", opt="adam", data="sample15", lang="es"
    )
    assert widget(at.number_input, "seed_").value == 5
    assert widget(at.number_input, "lr_exact_").value == 0.0001
    assert widget(at.select_slider, "lr_slider_").value == 0.0001
    assert widget(at.checkbox, "std_").value is True
    assert widget(at.radio, "engine_").value == "nn"
    assert widget(at.selectbox, "opt_").value == "adam"
    assert widget(at.radio, "source_").value == "sample15"
    assert widget(at.selectbox, "lang_").value == "es"
    words = labels(at)
    assert [words[k] for k in ("step", "run", "play", "pause", "reset")] == [
        "Paso",
        "Ejecutar",
        "Reproducir",
        "Pausa",
        "Reiniciar",
    ]
    assert [words["epoch"], words["loss"]] == ["Época", "Pérdida"]
    assert list(table(at).columns) == ["temperatura", "lluvia", "humedad", "manzanas", "naranjas"]
    assert len(table(at)) == 15
    config = at.session_state.workbench.trainer.config
    assert (config.seed, config.learning_rate, config.standardize) == (5, 0.0001, True)
    assert (config.engine, config.optimizer) == ("nn", "adam")
    assert not at.info and not at.error
    assert dict(at.query_params) == {
        "seed": "5",
        "lr": "0.0001",
        "std": "1",
        "engine": "nn",
        "opt": "adam",
        "data": "sample15",
        "lang": "es",
    }


def test_invalid_url_settings_give_a_notice_not_a_crash():
    at = new_app(lr="abc", foo="1", seed="3")
    assert texts(at.info) == [t("notice.ignored_params", params="lr=abc, foo=1")]
    assert at.session_state.workbench.settings.lr == 1e-5
    assert widget(at.number_input, "seed_").value == 3
    assert dict(at.query_params) == {"seed": "3"}  # the bad ones are dropped from the link
    click(at, "step")
    assert readouts(at)["epoch"] == "1"
    assert not at.info  # said once


def test_a_large_seed_from_a_link_is_shown_as_used():
    at = new_app(seed="3000000000")
    used = at.session_state.workbench.trainer.config.seed
    assert widget(at.number_input, "seed_").value == used


def test_changing_the_seed_goes_into_the_url():
    at = new_app()
    click(at, "step")
    done(widget(at.number_input, "seed_").set_value(7).run())
    assert at.query_params["seed"] == "7"
    assert readouts(at)["epoch"] == "0"
    assert texts(at.info) == [t("notice.restart_setting", setting=t("setting.seed"))]
    assert at.session_state.workbench.trainer.config.seed == 7


def test_learning_rate_change_keeps_training_and_goes_into_the_url():
    at = new_app()
    click(at, "step")
    click(at, "step")
    trainer = at.session_state.workbench.trainer
    done(widget(at.select_slider, "lr_slider_").set_value(3e-5).run())
    assert readouts(at)["epoch"] == "2"
    assert at.session_state.workbench.trainer is trainer
    assert trainer.learning_rate == 3e-5
    assert at.query_params["lr"] == "3e-05"
    assert not at.info


def test_language_switch_keeps_training():
    at = new_app()
    for _ in range(3):
        click(at, "step")
    loss = readouts(at)["loss"]
    trainer = at.session_state.workbench.trainer
    done(widget(at.selectbox, "lang_").set_value("es").run())
    setup = payload(at)["setup"]  # the new words reach the component
    assert [setup["labels"][k] for k in ("step", "epoch", "loss")] == ["Paso", "Época", "Pérdida"]
    assert setup["targets"] == ["manzanas", "naranjas"]
    assert list(table(at).columns) == ["temperatura", "lluvia", "humedad", "manzanas", "naranjas"]
    assert at.dataframe(key=editor_key(at)).value.columns.tolist() == list(table(at).columns)
    assert widget(at.multiselect, "targets_").value == ["manzanas", "naranjas"]
    assert readouts(at)["epoch"] == "3" and readouts(at)["loss"] == loss
    assert at.session_state.workbench.trainer is trainer
    assert at.query_params["lang"] == "es"
    assert not at.info
    click(at, "step")
    assert readouts(at)["epoch"] == "4"
    done(widget(at.selectbox, "lang_").set_value("en").run())
    assert payload(at)["setup"]["labels"]["step"] == "Step"
    assert list(table(at).columns)[0] == "temperature"


def test_diverging_learning_rate_warns_and_keeps_finite_weights():
    at = new_app(lr="1")
    click(at, "run")
    assert len(at.warning) == 1
    trainer = at.session_state.workbench.trainer
    assert trainer.diverged
    assert unescape(at.warning[0].value) == t(
        f"diverged.{trainer.divergence}", epoch=trainer.diverged_at, lr="1"
    )
    assert readouts(at)["epoch"] == str(trainer.diverged_at - 1)
    weight, bias = trainer.parameters()
    assert np.isfinite(weight).all() and np.isfinite(bias).all()
    assert np.isfinite(number(readouts(at)["loss"]))
    click(at, "step")  # nothing more happens, nothing breaks
    assert readouts(at)["epoch"] == str(trainer.diverged_at - 1)
    # a smaller rate after Reset trains again
    done(widget(at.select_slider, "lr_slider_").set_value(1e-5).run())
    click(at, "reset")
    click(at, "step")
    assert readouts(at)["epoch"] == "1" and not at.warning


# -- every view, both languages, hostile headers -----------------------------------------------
TABS = ("step", "landscape", "predict", "code")
HOSTILE_HEADERS = ("<img src=x onerror=alert(1)>", "[click](http://evil.example)", "**loud**")


def markdown_texts(at: AppTest) -> list[str]:
    """Texts of every element that renders Markdown (alerts, captions, labels, headings)."""
    found = []
    for kind in ("markdown", "caption", "info", "error", "warning", "success", "subheader"):
        found += [e.value for e in at.get(kind)]
    for kind in ("metric", "number_input", "selectbox", "multiselect", "checkbox", "toggle"):
        found += [e.label for e in at.get(kind)]
    return found


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_tab_draws_after_steps(lang):
    at = new_app(lang=lang)
    click(at, "step")
    click(at, "step")
    for name in TABS:
        at.session_state["view_tab"] = t(f"tab.{name}", lang)
        done(at.run())
        assert readouts(at)["epoch"] == "2", name


def test_hostile_headers_are_shown_as_text():
    header = ",".join([*HOSTILE_HEADERS, "y"])
    rows = "\n".join(f"{i}.5,{i % 3},{i * i % 7},{2 * i + 1}" for i in range(1, 9))
    at = choose_upload(new_app())
    upload(at, "<b>evil</b>](x).csv", f"{header}\n{rows}\n".encode())
    assert list(table(at).columns) == [*HOSTILE_HEADERS, "y"]
    click(at, "step")
    # The live views get the names as they are: the component writes them as text.
    assert at.session_state.live.setup_now().inputs == list(HOSTILE_HEADERS)
    assert payload(at)["frames"][-1]["eq"][0].startswith("y = ")
    seen = 0
    for name in TABS:
        at.session_state["view_tab"] = t(f"tab.{name}")
        done(at.run())
        texts_here = markdown_texts(at)
        seen += sum(
            any(w in text for w in ("click", "onerror", "loud", "evil")) for text in texts_here
        )
        for text in texts_here:
            active = re.sub(r"\\.", "", text)  # what Markdown still interprets
            for token in ("<img", "](", "**loud"):
                assert token not in active, (name, text)
    assert seen >= 4  # the names do appear: the file name, the inputs in Predict


def test_a_large_table_is_a_numbered_read_only_preview():
    from linreg.page.main import EDIT_MAX_ROWS, PREVIEW_ROWS

    rows = EDIT_MAX_ROWS + 1
    content = ("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(rows))).encode()
    at = upload(choose_upload(new_app()), "big.csv", content)
    assert not at.exception and not at.error
    assert len(table(at)) == rows
    preview = at.dataframe[0]  # the data expander comes first; later ones are views
    assert list(preview.value.index) == list(range(1, PREVIEW_ROWS + 1))  # as messages number rows
    assert preview.value["x"].tolist() == list(range(PREVIEW_ROWS))
    assert editor_key(at) not in at.session_state  # no editor for a table this size
    assert t("main.preview", "en", shown=PREVIEW_ROWS, rows=rows) in texts(at.caption)


def test_inside_one_step_writes_the_epochs_numbers():
    """The step tab's tables hold the model's numbers for the epoch shown (light Markdown)."""
    from linreg.dashboard import views as model_views
    from linreg.page.views import STEP_PARAMETERS

    at = new_app()
    for _ in range(2):
        click(at, "step")
    step = model_views.step_view(at.session_state.workbench, 2)
    tables = [m.value[m.value.index("| |") :] for m in at.markdown if "| |" in m.value]
    assert len(tables) == 2
    predictions, update = (table.splitlines()[2:] for table in tables)
    assert predictions[0] == "| 1 | " + " | ".join(f"{v:.6g}" for v in step.predictions[0]) + " |"
    expected = [step.old, step.grad, step.grad * step.learning_rate, step.new]
    for row, name, values in zip(
        update, step.parameter_names, zip(*expected, strict=True), strict=False
    ):
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1:] == [f"{v:.6g}" for v in values]
        assert cells[0].replace("\\", "") == name
    assert len(update) == min(STEP_PARAMETERS, len(step.parameter_names))
