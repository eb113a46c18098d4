"""The command line, run as a user would (a subprocess) and in-process through ``main(argv)``."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from linreg import TrainConfig, Trainer, least_squares, r2_score
from linreg.cli import build_parser, main
from linreg.data import read_csv, select
from linreg.reference import stable_learning_rate

ROOT = Path(__file__).resolve().parent.parent
SAMPLE5 = str(ROOT / "sample_data" / "sample5.csv")
SAMPLE15 = str(ROOT / "sample_data" / "sample15.csv")
ROLES = ["--inputs", "temperature,rainfall,humidity", "--targets", "apples,oranges"]
KEYS = {
    "inputs",
    "targets",
    "epochs_run",
    "loss",
    "optimal_loss",
    "r2",
    "weight",
    "bias",
    "diverged_at",
    "history",
}


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m linreg ARGS`` in a fresh process, from the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "linreg", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,
    )


def run_main(capsys, *args: str) -> tuple[int, str, str]:
    """``main(argv)`` in this process: exit status, stdout, stderr."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def trained(path: str, inputs, targets, config: TrainConfig, epochs: int):
    """The engine's own run for the same file and settings."""
    dataset = select(read_csv(Path(path)), inputs, targets)
    trainer = Trainer(dataset.inputs, dataset.targets, config)
    trainer.run(epochs)
    return dataset, trainer


def assert_one_error_line(stderr: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in stderr


def test_json_matches_the_engine_in_a_subprocess():
    result = cli("train", SAMPLE5, *ROLES, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert KEYS <= set(report)
    dataset, trainer = trained(
        SAMPLE5, ROLES[1].split(","), ROLES[3].split(","), TrainConfig(), 100
    )
    weight, bias = trainer.parameters()
    assert report["inputs"] == ["temperature", "rainfall", "humidity"]
    assert report["targets"] == ["apples", "oranges"]
    assert report["epochs_run"] == 100
    assert report["weight"] == weight.tolist()
    assert report["bias"] == bias.tolist()
    assert report["history"] == trainer.history.loss.tolist()
    assert report["loss"] == trainer.current_loss()
    assert report["optimal_loss"] == least_squares(dataset.inputs, dataset.targets).loss
    assert report["optimal_loss"] == pytest.approx(0.4831212, abs=1e-7)
    assert report["r2"] == r2_score(dataset.targets, trainer.predict(dataset.inputs)).tolist()
    assert report["diverged_at"] is None
    assert result.stderr == ""


@pytest.mark.parametrize(
    "options, config",
    [
        (
            ["--engine", "nn", "--optimizer", "adam", "--lr", "0.05", "--standardize"],
            TrainConfig(engine="nn", optimizer="adam", learning_rate=0.05, standardize=True),
        ),
        (
            ["--batch-size", "4", "--init", "normal", "--seed", "3", "--lr", "2e-5"],
            TrainConfig(batch_size=4, init="normal", seed=3, learning_rate=2e-5),
        ),
        (
            ["--engine", "nn", "--optimizer", "momentum", "--init", "zeros"],
            TrainConfig(engine="nn", optimizer="momentum", init="zeros"),
        ),
    ],
)
def test_every_option_reaches_the_engine(capsys, options, config):
    status, out, _ = run_main(
        capsys, "train", SAMPLE15, *ROLES, "--epochs", "40", *options, "--json"
    )
    assert status == 0
    report = json.loads(out)
    _, trainer = trained(SAMPLE15, ROLES[1].split(","), ROLES[3].split(","), config, 40)
    assert report["weight"] == trainer.parameters()[0].tolist()
    assert report["history"] == trainer.history.loss.tolist()
    assert report["loss"] == trainer.current_loss()


def test_defaults_are_100_epochs_at_learning_rate_1e_5(capsys):
    args = build_parser().parse_args(["train", "data.csv"])
    assert (args.epochs, args.learning_rate, args.batch_size, args.engine) == (
        100,
        1e-5,
        None,
        "scratch",
    )
    assert (args.optimizer, args.init, args.seed) == ("sgd", "uniform", 0)
    status, out, _ = run_main(capsys, "train", SAMPLE5, "--json")
    report = json.loads(out)
    # Default roles: the last numeric column is the target, the others are inputs.
    assert report["targets"] == ["oranges"]
    assert report["inputs"] == ["temperature", "rainfall", "humidity", "apples"]
    _, trainer = trained(SAMPLE5, None, None, TrainConfig(), 100)
    assert report["epochs_run"] == 100
    assert report["history"] == trainer.history.loss.tolist()


def test_human_report_shows_progress_and_equations(capsys):
    status, out, err = run_main(capsys, "train", SAMPLE5, *ROLES)
    assert status == 0 and err == ""
    _, trainer = trained(SAMPLE5, ROLES[1].split(","), ROLES[3].split(","), TrainConfig(), 100)
    weight, bias = trainer.parameters()
    assert f"apples  = {weight[0, 0]:.4g}·temperature + {weight[0, 1]:.4g}·rainfall" in out
    assert f"oranges = -{-weight[1, 0]:.4g}·temperature" in out
    assert f"+ {bias[1]:.4g}\n" in out
    assert "least-squares optimum: 0.483121" in out
    assert "R²: apples " in out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    rows = [row for row in rows if len(row) == 2]  # the progress table
    epochs = [int(row[0]) for row in rows]
    assert epochs[0] == 1 and epochs[-1] == 100 and 10 <= len(epochs) <= 20
    assert rows[-1][1] == f"{trainer.history.loss[99]:.6g}"


def test_spanish_report(capsys):
    status, out, _ = run_main(capsys, "train", SAMPLE5, *ROLES, "--lang", "es", "--epochs", "3")
    assert status == 0
    assert "época" in out and "pérdida" in out and "óptimo por mínimos cuadrados" in out


def test_column_names_with_spaces_and_accents(tmp_path, capsys):
    path = tmp_path / "cosecha.csv"
    path.write_text(
        "Año;Precipitación (mm);Temperatura media;Cosecha total\n"
        "2001;12,5;20;100\n2002;14;21,5;120\n2003;9,5;19;90\n2004;15;22;130\n",
        encoding="cp1252",
    )
    options = ["--inputs", "Precipitación (mm), Temperatura media", "--targets", "Cosecha total"]
    status, out, _ = run_main(capsys, "train", str(path), *options, "--json")
    assert status == 0
    report = json.loads(out)
    assert report["inputs"] == ["Precipitación (mm)", "Temperatura media"]
    assert report["targets"] == ["Cosecha total"]


@pytest.mark.parametrize(
    "args, named",
    [
        (["train", "no/such/file.csv"], "no/such/file.csv"),
        (["train", SAMPLE5, "--inputs", "temperature,sunshine"], "sunshine"),
        (["train", SAMPLE5, "--lr", "0"], "learning_rate"),
        (["train", SAMPLE5, "--lr", "-1"], "learning_rate"),
        (["train", SAMPLE5, "--lr", "nan"], "learning_rate"),
        (["train", SAMPLE5, "--epochs", "abc"], "--epochs"),
        (["train", SAMPLE5, "--epochs", "-3"], "--epochs"),
        (["train", SAMPLE5, "--batch-size", "0"], "batch_size"),
        (["train", SAMPLE5, "--engine", "keras"], "--engine"),
        (["train", SAMPLE5, "--seed", "-1"], "seed"),
        (["train", SAMPLE5, "--targets", "temperature", "--inputs", "temperature"], "temperature"),
        (["train", SAMPLE5, "--frobnicate"], "--frobnicate"),
        (["train"], "CSV"),
        ([], "COMMAND"),
        (["script", SAMPLE5, "--output", "/no/such/folder/run.py"], "/no/such/folder/run.py"),
    ],
)
def test_bad_input_exits_2_with_one_error_line(capsys, args, named):
    status, out, err = run_main(capsys, *args)
    assert status == 2
    assert out == ""
    assert_one_error_line(err)
    assert named in err


def test_binary_and_unreadable_files_exit_2(tmp_path):
    binary = tmp_path / "data.csv"
    binary.write_bytes(bytes(range(256)) * 10)
    for path in (binary, tmp_path):  # a binary file, then a folder
        result = cli("train", str(path))
        assert result.returncode == 2
        assert result.stdout == ""
        assert_one_error_line(result.stderr)


def test_usage_errors_exit_2_in_a_subprocess_too():
    result = cli("train", SAMPLE5, "--epochs", "abc")
    assert result.returncode == 2
    assert_one_error_line(result.stderr)


def test_errors_in_spanish(capsys):
    status, _, err = run_main(capsys, "train", SAMPLE5, "--inputs", "sol", "--lang", "es")
    assert status == 2
    assert err.startswith("error: No hay ninguna columna 'sol'")


def test_hostile_column_name_cannot_reach_the_terminal(tmp_path, capsys):
    path = tmp_path / "hostile.csv"
    path.write_text('"x\x1b[2J";y\n1;2\n2;3\n3;5\n', encoding="utf-8")
    status, out, _ = run_main(capsys, "train", str(path), "--epochs", "2")
    assert status == 0
    assert "\x1b" not in out and "x\\x1b[2J" in out
    status, out, _ = run_main(capsys, "train", str(path), "--epochs", "2", "--json")
    assert json.loads(out)["inputs"] == ["x\x1b[2J"]


def test_divergence_exits_3_with_the_last_finite_weights():
    result = cli("train", SAMPLE5, *ROLES, "--lr", "1", "--json")
    assert result.returncode == 3
    report = json.loads(result.stdout)
    _, trainer = trained(
        SAMPLE5, ROLES[1].split(","), ROLES[3].split(","), TrainConfig(learning_rate=1.0), 100
    )
    assert report["diverged_at"] == trainer.diverged_at is not None
    assert report["epochs_run"] == trainer.diverged_at - 1 == len(report["history"])
    assert report["weight"] == trainer.parameters()[0].tolist()
    assert all(np.isfinite(report["weight"]).ravel())
    assert "Traceback" not in result.stderr
    assert "smaller learning rate" in result.stderr


def test_divergence_warning_in_the_human_report(capsys):
    status, out, err = run_main(capsys, "train", SAMPLE5, *ROLES, "--lr", "1")
    assert status == 3
    assert "apples  = " in out
    assert "diverged at epoch" in err and "--standardize" in err


def test_script_command_reproduces_train(tmp_path, capsys):
    options = [
        *ROLES,
        "--epochs",
        "30",
        "--batch-size",
        "2",
        "--engine",
        "nn",
        "--optimizer",
        "momentum",
    ]
    status, out, _ = run_main(capsys, "train", SAMPLE15, *options, "--json")
    assert status == 0
    report = json.loads(out)
    script = tmp_path / "run.py"
    status, out, err = run_main(capsys, "script", SAMPLE15, *options, "--output", str(script))
    assert status == 0 and out == "" and str(script) in err
    status, printed, _ = run_main(capsys, "script", SAMPLE15, *options, "--output", "-")
    assert status == 0 and printed == script.read_text(encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"final loss: {report['loss']!r}"


def test_help_and_import_stay_light():
    result = cli("--help")
    assert result.returncode == 0 and "train" in result.stdout and "script" in result.stdout
    code = "import sys, linreg, linreg.cli; print('streamlit' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    imported = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert imported.stdout.strip() == "False"


def test_a_closed_pipe_ends_quietly():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "linreg", "train", SAMPLE5, "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.close()  # the reader goes away before anything is written
    _, err = process.communicate(timeout=120)
    assert process.returncode == 1
    assert b"Traceback" not in err and b"Exception ignored" not in err


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT")
def test_ctrl_c_stops_between_epochs_and_reports(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out.json"
    with out.open("wb") as stdout:
        process = subprocess.Popen(
            [sys.executable, "-m", "linreg", "train", SAMPLE5, "--epochs", "10000000", "--json"],
            cwd=ROOT,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
        )
        time.sleep(6)  # torch imported, training under way
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert b"Traceback" not in err and b"interrupted" in err
    report = json.loads(out.read_text())
    assert 0 < report["epochs_run"] < 10_000_000
    assert len(report["history"]) == report["epochs_run"]


def test_numbers_written_for_people_are_said_and_the_stable_rate_is_given(tmp_path, capsys):
    """R's row names first, money as people type it: read, said in one line on stderr; the JSON
    gives the largest stable learning rate of plain gradient descent with the run's scaling."""
    path = tmp_path / "houses.csv"
    path.write_text(
        '"","price","rooms"\n"a","$250,000",3\n"b","$310,500",4\n"c","$199,000",2\n"d","$420,000",5\n'
    )
    status, out, err = run_main(
        capsys, "train", str(path), "--json", "--standardize", "--lr", "0.1"
    )
    report = json.loads(out)
    assert status == 0
    assert report["inputs"] == ["price"] and report["targets"] == ["rooms"]
    assert "price: '$250,000' read as 250000" in err.splitlines()
    inputs = np.array([[250_000.0], [310_500.0], [199_000.0], [420_000.0]])
    assert report["stable_learning_rate"] == stable_learning_rate(inputs, True, 1)
    # The oracle: 2 / the largest eigenvalue of the loss's Hessian, (2/N)·[z 1]ᵀ[z 1].
    z = (inputs - inputs.mean()) / inputs.std()
    design = np.hstack([z, np.ones_like(z)])
    hessian = 2 / len(z) * design.T @ design
    assert report["stable_learning_rate"] == pytest.approx(2 / np.linalg.eigvalsh(hessian).max())
    _, _, err_es = run_main(capsys, "train", str(path), "--json", "--lang", "es")
    assert "price: '$250,000' leído como 250000" in err_es.splitlines()
