"""The page's model without Streamlit: data in, settings, training, mistakes that lose nothing."""

import numpy as np
import pandas as pd
import pytest

from linreg import data
from linreg.dashboard.settings import Settings
from linreg.dashboard.workbench import RESTARTING, SAMPLE_NAMES_ES, Workbench
from linreg.errors import LinregError
from linreg.trainer import Trainer

ENGLISH = ("temperature", "rainfall", "humidity", "apples", "oranges")
SPANISH = ("temperatura", "lluvia", "humedad", "manzanas", "naranjas")
GOOD_CSV = b"x1,x2,y\n1.5,2,3.5\n2,1,4\n3,5,9.25\n4.5,3,8\n5,8,14\n7,2,9\n"


def good_frame() -> pd.DataFrame:
    return data.read_csv(GOOD_CSV)


# -- defaults ----------------------------------------------------------------------------------
def test_defaults_are_the_seed_lesson():
    wb = Workbench()
    assert wb.settings == Settings()
    assert wb.source_label == "sample5"
    assert tuple(wb.table.columns) == ENGLISH
    assert len(wb.table) == 5
    assert wb.dataset.input_names == ENGLISH[:3]
    assert wb.dataset.target_names == ENGLISH[3:]
    assert wb.reference.loss == pytest.approx(0.4831212, rel=1e-6)
    assert wb.trainer.epoch == 0
    assert wb.errors == {}
    assert wb.notice is None
    assert wb.runs == []


def test_sample15_from_settings():
    wb = Workbench(Settings(data="sample15"))
    assert len(wb.table) == 15
    assert wb.source_label == "sample15"
    assert wb.dataset.input_names == ENGLISH[:3]


def test_spanish_from_the_start():
    wb = Workbench(Settings(lang="es"))
    assert tuple(wb.table.columns) == SPANISH
    assert wb.dataset.input_names == SPANISH[:3]
    assert wb.dataset.target_names == SPANISH[3:]


def test_first_step_matches_an_independent_trainer():
    wb = Workbench()
    oracle = Trainer(wb.dataset.inputs, wb.dataset.targets, Settings().train_config())
    assert wb.step() is True
    oracle.step()
    assert wb.trainer.epoch == 1
    assert wb.trainer.current_loss() == oracle.current_loss()
    np.testing.assert_array_equal(wb.trainer.parameters()[0], oracle.parameters()[0])


# -- step, run, reset --------------------------------------------------------------------------
def test_step_run_reset():
    wb = Workbench()
    first = wb.trainer
    wb.step()
    assert wb.run(10) == 10
    assert wb.trainer.epoch == 11
    loss_before = wb.trainer.history.loss.copy()
    current = wb.trainer.current_loss()
    wb.reset()
    assert wb.trainer is not first
    assert wb.trainer.epoch == 0
    assert wb.notice is not None and wb.notice.key == "notice.reset"
    # the finished run is kept for comparison
    assert len(wb.runs) == 1
    kept = wb.runs[0]
    np.testing.assert_array_equal(kept.epochs, np.arange(12))  # 0 … 11
    np.testing.assert_array_equal(kept.loss[:11], loss_before)  # loss after epoch e at e
    assert kept.loss[11] == current
    assert "lr=1e-05" in wb.runs[0].label
    # same seed: the same numbers again
    wb.run(11)
    np.testing.assert_array_equal(wb.trainer.history.loss, loss_before)


def test_reset_without_epochs_keeps_no_empty_run():
    wb = Workbench()
    wb.reset()
    assert wb.runs == []


def test_clear_runs():
    wb = Workbench()
    wb.run(3)
    wb.reset()
    wb.clear_runs()
    assert wb.runs == []


# -- settings ----------------------------------------------------------------------------------
def test_learning_rate_change_keeps_training():
    wb = Workbench()
    wb.run(5)
    trainer = wb.trainer
    wb.update(lr=3e-5)
    assert wb.trainer is trainer
    assert wb.trainer.epoch == 5
    assert wb.trainer.learning_rate == 3e-5
    assert wb.settings.lr == 3e-5
    assert wb.notice is None
    wb.step()
    assert wb.trainer.history.learning_rate.tolist() == [1e-5] * 5 + [3e-5]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("seed", 7),
        ("init", "normal"),
        ("engine", "nn"),
        ("batch", 2),
        ("std", True),
        ("opt", "adam"),
    ],
)
def test_model_settings_restart_with_a_notice(name, value):
    assert name in RESTARTING
    wb = Workbench()
    wb.run(4)
    trainer = wb.trainer
    wb.update(**{name: value})
    assert getattr(wb.settings, name) == value
    assert wb.trainer is not trainer
    assert wb.trainer.epoch == 0
    assert wb.notice is not None
    assert wb.notice.key == "notice.restart_setting"
    assert wb.notice.params == {"setting": name}
    assert len(wb.runs) == 1  # the previous run is kept to compare
    assert "settings" not in wb.errors
    config = wb.trainer.config
    expected = Settings(**{name: value}).train_config()
    assert config == expected


def test_other_settings_do_not_restart():
    wb = Workbench()
    wb.run(2)
    trainer = wb.trainer
    wb.update(run=500, speed=3, log=True)
    assert wb.trainer is trainer and wb.trainer.epoch == 2
    assert wb.notice is None


@pytest.mark.parametrize("changes", [{"lr": 0.0}, {"lr": -1.0}, {"lr": float("nan")}])
def test_impossible_setting_changes_nothing_else(changes):
    wb = Workbench()
    wb.run(3)
    trainer, settings, table, dataset = wb.trainer, wb.settings, wb.table, wb.dataset
    wb.update(**changes)
    assert isinstance(wb.errors["settings"], LinregError)
    assert set(wb.errors) == {"settings"}
    assert wb.trainer is trainer and trainer.epoch == 3
    assert trainer.learning_rate == 1e-5
    assert wb.settings == settings
    assert wb.table is table and wb.dataset is dataset
    assert wb.notice is None
    assert wb.runs == []
    # a good value afterwards clears the message
    wb.update(lr=1e-6)
    assert "settings" not in wb.errors
    assert wb.trainer is trainer and trainer.learning_rate == 1e-6


def test_impossible_model_setting_is_refused_too():
    wb = Workbench()
    trainer = wb.trainer
    wb.update(seed=-1, init="ones")
    assert "settings" in wb.errors
    assert wb.trainer is trainer
    assert wb.settings == Settings()


# -- data --------------------------------------------------------------------------------------
def test_load_sample15_restarts():
    wb = Workbench()
    wb.run(3)
    wb.reset()
    wb.run(2)
    wb.load_sample("sample15")
    assert len(wb.table) == 15
    assert wb.settings.data == "sample15"
    assert wb.trainer.epoch == 0
    assert wb.notice.key == "notice.restart_data"
    assert wb.runs == []  # curves on other data do not compare
    assert wb.table_version == 1


def test_load_table_good_frame_restarts_and_clears_runs():
    wb = Workbench()
    wb.run(3)
    wb.reset()
    assert wb.runs
    version = wb.table_version
    assert wb.load_table(good_frame(), "mine.csv") is True
    assert wb.source_label == "mine.csv"
    assert wb.settings.data == "upload"
    assert wb.dataset.input_names == ("x1", "x2")
    assert wb.dataset.target_names == ("y",)
    assert wb.trainer.epoch == 0
    assert wb.trainer.config.seed == 0
    assert wb.runs == []
    assert wb.table_version == version + 1
    assert wb.notice.key == "notice.restart_data"
    assert wb.errors == {}


def test_load_table_skips_an_id_column_as_input():
    frame = data.read_csv(b"id,a,b,y\n1,2,3,4\n2,3,1,5\n3,1,2,7\n4,5,5,1\n")
    wb = Workbench()
    assert wb.load_table(frame, "ids.csv")
    assert wb.dataset.input_names == ("a", "b")
    assert wb.dataset.target_names == ("y",)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"name": ["a", "b", "c"], "x": [1.0, 2.0, 3.0]}),  # one numeric column
        pd.DataFrame({"x": [1.0, np.nan, 3.0], "y": [1.0, 2.0, 3.0]}),  # missing value
        pd.DataFrame({"x": [1.0, np.inf, 3.0], "y": [1.0, 2.0, 3.0]}),  # infinite value
        pd.DataFrame({"x": [1.0], "y": [2.0]}),  # a single row
        pd.DataFrame({"a": ["p", "q"], "b": ["r", "s"]}),  # no numbers at all
    ],
)
def test_bad_table_keeps_everything(frame):
    wb = Workbench()
    wb.run(4)
    wb.reset()
    wb.run(2)
    state = (wb.table, wb.dataset, wb.trainer, wb.settings, wb.source_label, wb.table_version)
    runs = list(wb.runs)
    reference = wb.reference
    assert wb.load_table(frame, "bad.csv") is False
    assert isinstance(wb.errors["upload"], LinregError)
    assert (
        wb.table,
        wb.dataset,
        wb.trainer,
        wb.settings,
        wb.source_label,
        wb.table_version,
    ) == state
    assert wb.trainer.epoch == 2
    assert wb.runs == runs
    assert wb.reference is reference
    assert wb.notice.key == "notice.reset"  # untouched: the reset's notice, not a restart
    # the next good file clears the message
    assert wb.load_table(good_frame(), "good.csv")
    assert "upload" not in wb.errors


def test_report_keeps_an_upload_error():
    wb = Workbench()
    trainer = wb.trainer
    wb.report("upload", LinregError("file_empty"))
    assert wb.errors["upload"].code == "file_empty"
    assert wb.trainer is trainer


def test_edit_table_good_edit_restarts():
    wb = Workbench()
    wb.run(5)
    edited = wb.table.copy()
    edited.loc[0, "apples"] = 60.0
    version = wb.table_version
    wb.edit_table(edited)
    assert wb.table.loc[0, "apples"] == 60.0
    assert wb.dataset.targets[0, 0] == 60.0
    assert wb.trainer.epoch == 0
    assert wb.notice.key == "notice.restart_data"
    assert wb.table_version == version  # an edit is not a new table
    assert "edit" not in wb.errors


def test_edit_table_added_row():
    wb = Workbench()
    row = pd.DataFrame([[70.0, 70.0, 50.0, 60.0, 80.0]], columns=list(ENGLISH))
    wb.edit_table(pd.concat([wb.table, row], ignore_index=True))
    assert wb.dataset.n_rows == 6


@pytest.mark.parametrize(
    ("value", "code"),
    [("lots", "not_a_number"), (None, "missing_values"), (np.inf, "infinite_value")],
)
def test_edit_table_bad_cell_keeps_training(value, code):
    wb = Workbench()
    wb.run(5)
    table, dataset, trainer = wb.table, wb.dataset, wb.trainer
    edited = wb.table.astype(object)
    edited.loc[1, "rainfall"] = value
    wb.edit_table(edited)
    assert wb.errors["edit"].code == code
    assert wb.table is table and wb.dataset is dataset
    assert wb.trainer is trainer and trainer.epoch == 5
    assert wb.notice is None
    # fixing the cell clears the message
    wb.edit_table(table.copy())
    assert "edit" not in wb.errors


def test_edit_table_deleting_rows_down_to_one_is_refused():
    wb = Workbench()
    trainer = wb.trainer
    wb.edit_table(wb.table.iloc[:1].copy())
    assert wb.errors["edit"].code == "too_few_rows"
    assert wb.trainer is trainer and len(wb.table) == 5


# -- roles -------------------------------------------------------------------------------------
def test_set_roles_restarts():
    wb = Workbench()
    wb.run(3)
    wb.set_roles(("temperature",), ("apples", "oranges"))
    assert wb.dataset.input_names == ("temperature",)
    assert wb.settings.inputs == ("temperature",)
    assert wb.settings.targets == ("apples", "oranges")
    assert wb.trainer.epoch == 0
    assert wb.trainer.parameters()[0].shape == (2, 1)
    assert wb.notice.key == "notice.restart_columns"


@pytest.mark.parametrize(
    ("inputs", "targets", "code"),
    [
        (("temperature", "apples"), ("apples",), "role_overlap"),
        (("nope",), ("apples",), "unknown_column"),
    ],
)
def test_set_roles_refused_keeps_training(inputs, targets, code):
    wb = Workbench()
    wb.run(3)
    trainer, settings, dataset = wb.trainer, wb.settings, wb.dataset
    wb.set_roles(inputs, targets)
    assert wb.errors["roles"].code == code
    assert wb.trainer is trainer and trainer.epoch == 3
    assert wb.settings == settings and wb.dataset is dataset
    wb.set_roles(("rainfall",), ("oranges",))
    assert "roles" not in wb.errors


@pytest.mark.parametrize(
    ("inputs", "targets", "code"),
    [((), ("apples",), "no_inputs"), (("temperature",), (), "no_targets")],
)
def test_set_roles_empty_choice_is_reported(inputs, targets, code):
    wb = Workbench()
    wb.run(3)
    trainer = wb.trainer
    wb.set_roles(inputs, targets)
    assert wb.errors["roles"].code == code
    assert wb.trainer is trainer and trainer.epoch == 3


# -- drop rows with missing values -------------------------------------------------------------
MISSING_CSV = b"a,b,c\n1,2,3\n2,,5\n3,4,7\n4,5,9\n"


def test_drop_missing_on_upload():
    wb = Workbench(Settings(drop=True))
    assert wb.load_table(data.read_csv(MISSING_CSV), "holes.csv")
    assert wb.dataset.dropped_rows == (2,)
    assert wb.dataset.n_rows == 3


def test_drop_missing_error_clears_when_fixed():
    wb = Workbench(Settings(drop=True))
    assert wb.load_table(data.read_csv(MISSING_CSV), "holes.csv")
    wb.set_drop_missing(False)
    assert wb.errors["data"].code == "missing_values"
    wb.set_drop_missing(True)
    assert wb.dataset.dropped_rows == (2,)
    assert "data" not in wb.errors


# -- language ----------------------------------------------------------------------------------
def test_language_switch_renames_sample_columns_without_restarting():
    wb = Workbench()
    wb.run(7)
    trainer = wb.trainer
    loss = trainer.history.loss.copy()
    wb.update(lang="es")
    assert wb.settings.lang == "es"
    assert tuple(wb.table.columns) == SPANISH
    assert wb.dataset.input_names == SPANISH[:3]
    assert wb.dataset.target_names == SPANISH[3:]
    assert wb.trainer is trainer and trainer.epoch == 7
    np.testing.assert_array_equal(trainer.history.loss, loss)
    assert wb.notice is None
    wb.update(lang="en")
    assert tuple(wb.table.columns) == ENGLISH
    assert wb.trainer is trainer


def test_language_switch_renames_chosen_roles():
    wb = Workbench()
    wb.set_roles(("rainfall", "humidity"), ("oranges",))
    wb.update(lang="es")
    assert wb.settings.inputs == ("lluvia", "humedad")
    assert wb.settings.targets == ("naranjas",)
    assert wb.dataset.input_names == ("lluvia", "humedad")
    # the renamed roles still work for the next change
    wb.set_roles(("lluvia",), ("naranjas",))
    assert "roles" not in wb.errors


def test_language_switch_keeps_uploaded_names():
    wb = Workbench()
    wb.load_table(good_frame(), "mine.csv")
    wb.update(lang="es")
    assert tuple(wb.table.columns) == ("x1", "x2", "y")


def test_sample_in_spanish_after_switch():
    wb = Workbench()
    wb.update(lang="es")
    wb.load_sample("sample15")
    assert tuple(wb.table.columns) == SPANISH
    assert set(SAMPLE_NAMES_ES.values()) == set(SPANISH)


# -- settings from a link ----------------------------------------------------------------------
def test_url_roles_that_exist_are_used():
    wb = Workbench(Settings(inputs=("temperature", "humidity"), targets=("oranges",)))
    assert wb.dataset.input_names == ("temperature", "humidity")
    assert wb.dataset.target_names == ("oranges",)
    assert wb.settings.inputs == ("temperature", "humidity")


@pytest.mark.parametrize(
    ("inputs", "targets"),
    [
        (("nope",), ("apples",)),
        (("temperature",), ("missing",)),
        (("temperature",), ("temperature",)),
        (("temperature",), ("manzanas",)),  # Spanish name on the English sample
    ],
)
def test_url_roles_that_do_not_fit_fall_back_to_defaults(inputs, targets):
    wb = Workbench(Settings(inputs=inputs, targets=targets, seed=3))
    assert wb.dataset.input_names == ENGLISH[:3]
    assert wb.dataset.target_names == ENGLISH[3:]
    assert wb.settings.inputs == () and wb.settings.targets == ()
    assert wb.settings.seed == 3
    assert wb.trainer.epoch == 0
    assert wb.trainer.config.seed == 3


def test_url_with_targets_only_mirrors_the_roles_in_use():
    wb = Workbench(Settings(targets=("oranges",)))
    assert wb.dataset.target_names == ("oranges",)
    again = Workbench(wb.settings)
    assert again.dataset.target_names == wb.dataset.target_names
    assert again.dataset.input_names == wb.dataset.input_names


def test_url_upload_source_starts_on_the_sample():
    wb = Workbench(Settings(data="upload"))
    assert wb.source_label == "sample5"
    assert len(wb.table) == 5


def test_sessions_are_independent():
    a, b = Workbench(), Workbench(Settings(seed=1))
    a.run(3)
    assert b.trainer.epoch == 0
    assert a.trainer.generator is not b.trainer.generator
    c = Workbench()
    c.run(3)
    np.testing.assert_array_equal(a.trainer.history.loss, c.trainer.history.loss)


def test_refused_upload_is_retried_when_dropping_is_ticked():
    wb = Workbench()
    wb.run(3)
    trainer = wb.trainer
    assert wb.load_table(data.read_csv(MISSING_CSV), "holes.csv") is False
    assert wb.errors["upload"].code == "missing_values"
    assert wb.trainer is trainer and wb.source_label == "sample5"
    wb.set_drop_missing(True)
    assert wb.source_label == "holes.csv"
    assert wb.dataset.dropped_rows == (2,)
    assert wb.settings.drop is True and wb.settings.data == "upload"
    assert "upload" not in wb.errors
    assert wb.trainer.epoch == 0


def test_an_upload_keeps_its_row_labels_and_says_how_its_numbers_were_read():
    table = data.read_table(
        b'"","year","price","rooms"\n"a",1990,"$250,000",3\n"b",1991,"$310,500",4\n'
        b'"c",1992,"$199,000",2\n"d",1993,"$420,000",5\n'
    )
    wb = Workbench(Settings())
    assert wb.load_table(table.frame, "houses.csv", table.conversions)
    assert list(wb.table.index) == ["a", "b", "c", "d"]
    assert [c.message() for c in wb.conversions] == ["price: '$250,000' read as 250000"]
    # Years are data, not a row counter: a default input.
    assert "year" in wb.dataset.input_names
    wb.load_sample("sample5")
    assert wb.conversions == ()


def test_the_stable_learning_rate_follows_the_scaling():
    wb = Workbench(Settings())
    raw = wb.stable_learning_rate
    wb.update(std=True)
    assert wb.stable_learning_rate > 1000 * raw
    # Gradient descent just below the rate settles; just above, it explodes.
    wb.update(lr=0.9 * wb.stable_learning_rate)
    wb.run(2000)
    assert not wb.trainer.diverged
    wb.update(lr=1.1 * wb.stable_learning_rate)
    wb.reset()
    wb.run(2000)
    assert wb.trainer.diverged
