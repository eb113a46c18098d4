"""The exported PyTorch script, run on its own, reproduces the trainer's numbers exactly."""

import ast
import io
import json
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import numpy as np
import pytest

from linreg import LinregError, TrainConfig, Trainer, script
from linreg.script import build_script

ROOT = Path(__file__).resolve().parent.parent
SAMPLE15 = np.loadtxt(ROOT / "sample_data" / "sample15.csv", delimiter=",", skiprows=1)
INPUTS, TARGETS = SAMPLE15[:, :3], SAMPLE15[:, 3:]
INPUT_NAMES, TARGET_NAMES = ["temperature", "rainfall", "humidity"], ["apples", "oranges"]

# name -> (config, epochs, learning-rate changes {after epoch: new rate}, rows used)
CASES = {
    "scratch-full-batch": (TrainConfig(), 100, {}, 5),
    "scratch-mini-batch": (TrainConfig(batch_size=4, learning_rate=2e-5), 60, {}, 15),
    "scratch-standardize": (TrainConfig(standardize=True, learning_rate=0.1), 80, {}, 15),
    "scratch-normal": (TrainConfig(init="normal", seed=3), 50, {}, 15),
    "scratch-standardize-targets": (
        TrainConfig(standardize_targets=True, learning_rate=2e-5),
        60,
        {},
        15,
    ),
    "scratch-standardize-both-mini-batch": (
        TrainConfig(standardize=True, standardize_targets=True, batch_size=4, learning_rate=0.05),
        40,
        {},
        15,
    ),
    "scratch-zeros-mini-batch": (TrainConfig(init="zeros", batch_size=2, seed=7), 40, {}, 5),
    "scratch-diverges": (TrainConfig(learning_rate=1.0), 50, {}, 5),
    "scratch-lr-changed": (TrainConfig(learning_rate=3e-5), 90, {30: 1e-4, 60: 1e-6}, 15),
    "nn-sgd": (TrainConfig(engine="nn"), 100, {}, 5),
    "nn-momentum-mini-batch": (
        TrainConfig(engine="nn", optimizer="momentum", batch_size=5),
        60,
        {},
        15,
    ),
    "nn-adam-standardize": (
        TrainConfig(engine="nn", optimizer="adam", standardize=True, learning_rate=0.05),
        80,
        {},
        15,
    ),
    "nn-adam-lr-changed": (
        TrainConfig(engine="nn", optimizer="adam", learning_rate=0.5, init="zeros"),
        60,
        {20: 0.05, 40: 0.2},
        15,
    ),
    "nn-diverges": (TrainConfig(engine="nn", learning_rate=0.01), 50, {}, 5),
    "no-epochs": (TrainConfig(), 0, {}, 5),
}


def train(config: TrainConfig, epochs: int, changes: dict, rows: int) -> Trainer:
    """The trainer run the script should reproduce, learning-rate changes included."""
    trainer = Trainer(INPUTS[:rows], TARGETS[:rows], config)
    while trainer.epoch < epochs and not trainer.diverged:
        if trainer.epoch in changes:
            trainer.set_learning_rate(changes[trainer.epoch])
        trainer.step()
    return trainer


def run(source: str, folder: Path) -> subprocess.CompletedProcess:
    """Run a script on its own, in ``folder``, with this virtual environment's python."""
    path = folder / "run.py"
    path.write_text(source, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONPATH", None)  # the script must not need linreg
    return subprocess.run(
        [sys.executable, str(path)], cwd=folder, capture_output=True, env=env, timeout=120
    )


def printed(stdout: str) -> dict:
    """The numbers the script prints: final loss, weight, bias, per-epoch losses."""
    lines = stdout.splitlines()
    assert lines[-1].startswith("final loss: ")
    values = {"epochs": {}}
    for line in lines:
        if line.startswith("final loss: "):
            values["loss"] = float(line.removeprefix("final loss: "))
        elif line.startswith("weight: "):
            values["weight"] = np.array(ast.literal_eval(line.removeprefix("weight: ")))
        elif line.startswith("bias: "):
            values["bias"] = np.array(ast.literal_eval(line.removeprefix("bias: ")))
        elif line.startswith("epoch "):
            _, epoch, _, loss = line.split()
            values["epochs"][int(epoch)] = loss
    return values


# Runs scripts one after another in one fresh interpreter (torch is imported once), each in
# its own namespace with its output captured; linreg is not importable there.
RUNNER = """
import contextlib, io, json, runpy, sys
outputs = {}
for path in sys.argv[1:]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(path, run_name="__main__")
    outputs[path] = out.getvalue()
print(json.dumps(outputs))
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """Every case: its trainer, its script and what the script printed."""
    folder = tmp_path_factory.mktemp("scripts")
    cases = {}
    for name, (config, epochs, changes, rows) in CASES.items():
        trainer = train(config, epochs, changes, rows)
        source = build_script(
            INPUTS[:rows],
            TARGETS[:rows],
            INPUT_NAMES,
            TARGET_NAMES,
            config,
            epochs,
            learning_rates=trainer.history.learning_rate,
        )
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
        cases[name] = (trainer, source)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, *(f"{name}.py" for name in cases)],
        cwd=folder,
        capture_output=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode()
    printed_by = json.loads(result.stdout)
    return {name: (*cases[name], printed_by[f"{name}.py"]) for name in cases}


@pytest.mark.parametrize("case", CASES)
def test_script_reproduces_the_trainer_exactly(outputs, case):
    trainer, _, stdout = outputs[case]
    values = printed(stdout)
    assert values["loss"] == trainer.current_loss()
    weight, bias = trainer.parameters()
    if trainer.config.standardize:  # converting back to original units is float64 arithmetic
        np.testing.assert_allclose(values["weight"], weight, rtol=1e-12, atol=0)
        np.testing.assert_allclose(values["bias"], bias, rtol=1e-12, atol=1e-12)
    else:
        np.testing.assert_array_equal(values["weight"], weight)
        np.testing.assert_array_equal(values["bias"], bias)
    for epoch, loss in values["epochs"].items():
        assert loss == f"{trainer.history.loss[epoch - 1]:.6g}"
    if trainer.epoch and not trainer.diverged:
        assert trainer.epoch in values["epochs"]  # the last epoch is always reported


@pytest.mark.parametrize("case", ["scratch-diverges", "nn-diverges"])
def test_script_stops_where_the_trainer_diverged(outputs, case):
    trainer, _, stdout = outputs[case]
    assert trainer.diverged_at is not None
    assert f"Training diverged at epoch {trainer.diverged_at}" in stdout
    assert "smaller learning rate" in stdout


def test_a_changed_learning_rate_is_written_as_a_schedule(outputs):
    _, source, *_ = outputs["scratch-lr-changed"]
    assert "learning_rate = 3e-05" in source
    assert "learning_rate_from_epoch = {31: 0.0001, 61: 1e-06}" in source
    _, source, *_ = outputs["scratch-full-batch"]
    assert "learning_rate_from_epoch" not in source


def test_script_reads_like_the_notebook(outputs):
    _, scratch, *_ = outputs["scratch-full-batch"]
    for line in (
        "g = torch.Generator().manual_seed(seed)",
        "W = torch.rand(2, 3, generator=g, requires_grad=True)",
        "b = torch.rand(2, generator=g, requires_grad=True)",
        "return x @ W.t() + b",
        "return torch.sum(diff * diff) / diff.numel()",
        "loss.backward()",
        "with torch.no_grad():",
        "W -= W.grad * learning_rate",
        "W.grad.zero_()",
        "# 1. Generate the predictions",
        "# 5. Reset the gradients to zero",
    ):
        assert line in scratch
    _, nn_script, *_ = outputs["nn-momentum-mini-batch"]
    for line in (
        "model = nn.utils.skip_init(nn.Linear, 3, 2)",
        "F.mse_loss(model(x[rows]), y[rows])",
        "torch.optim.SGD(model.parameters(), lr=learning_rate, momentum=0.9)",
        "torch.randperm(15, generator=g).split(batch_size)",
    ):
        assert line in nn_script
    for source in (scratch, nn_script):
        tree = ast.parse(source)
        imported = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])
        }
        assert imported <= {"math", "torch"}


def code_only(source: str) -> str:
    """The script's syntax tree without its docstring: comments do not appear in it."""
    tree = ast.parse(source)
    tree.body = tree.body[1:]
    return ast.dump(tree)


@pytest.mark.parametrize(
    "config", [TrainConfig(), TrainConfig(engine="nn", batch_size=3, standardize=True)]
)
def test_spanish_script_differs_only_in_comments(config):
    english = build_script(INPUTS, TARGETS, INPUT_NAMES, TARGET_NAMES, config, 10)
    spanish = build_script(INPUTS, TARGETS, INPUT_NAMES, TARGET_NAMES, config, 10, lang="es")
    assert english != spanish
    assert "# 1. Generar las predicciones" in spanish or "Reiniciar los gradientes" in spanish
    assert code_only(english) == code_only(spanish)


HOSTILE = [
    'a"b',
    "x\n__import__('os').system('touch PWNED')",
    "'''",
    '"""',
    "\\",
    '"); import os; os.system("touch PWNED2") #',
    "{0} {input_names}",
    "Año \x1b[2J",
]


def test_hostile_column_names_are_data_not_code(tmp_path):
    names = HOSTILE[:5], HOSTILE[5:]
    inputs = np.arange(10 * 5, dtype=np.float64).reshape(10, 5) % 7
    targets = inputs[:, :3] @ np.ones((3, 3)) + 1.0
    for config in (TrainConfig(), TrainConfig(engine="nn", standardize=True)):
        source = build_script(inputs, targets, *names, config, 5)
        compile(source, "script.py", "exec")
        tree = ast.parse(source)
        assigned = {
            node.targets[0].id: ast.literal_eval(node.value)
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id in ("input_names", "target_names")
        }
        assert assigned == {"input_names": names[0], "target_names": names[1]}
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                assert "PWNED" not in token.string and "Año" not in token.string
        result = run(source, tmp_path)
        assert result.returncode == 0, result.stderr.decode()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run.py"]  # nothing touched
        stdout = result.stdout.decode("utf-8")
        for name in HOSTILE:
            assert name in stdout


def test_large_data_is_packed_and_still_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(script, "MAX_WRITTEN_VALUES", 20)
    config = TrainConfig(batch_size=4, standardize=True, learning_rate=0.05)
    trainer = Trainer(INPUTS, TARGETS, config)
    trainer.run(20)
    source = build_script(INPUTS, TARGETS, INPUT_NAMES, TARGET_NAMES, config, 20)
    assert "unpack(" in source and "[73, 67, 43]" not in source
    result = run(source, tmp_path)
    assert result.returncode == 0, result.stderr.decode()
    values = printed(result.stdout.decode())
    assert values["loss"] == trainer.current_loss()
    np.testing.assert_allclose(values["weight"], trainer.parameters()[0], rtol=1e-12, atol=0)


def test_numbers_are_embedded_exactly():
    inputs = np.array(
        [
            [0.1, -0.0, 1e-300],
            [123456789.123, 2.0**60, -7.0],
            [1 / 3, 5e-324, 3.0],
            [1e16, -2.5, 0.0],
        ]
    )
    targets = np.array([[np.float32(0.1)], [-1.0], [2.0**-20], [1.7976931348623157e308]])
    source = build_script(inputs, targets, ["a", "b", "c"], ["y"], TrainConfig(), 1)
    values = {
        node.targets[0].id: np.array(ast.literal_eval(node.value), dtype=np.float64)
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        and getattr(node.targets[0], "id", "") in ("inputs", "targets")
    }
    assert values["inputs"].view(np.int64).tolist() == inputs.view(np.int64).tolist()
    assert values["targets"].view(np.int64).tolist() == targets.view(np.int64).tolist()
    assert "[73, 67, 43]" in build_script(
        INPUTS, TARGETS, INPUT_NAMES, TARGET_NAMES, TrainConfig(), 1
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lang": "fr"},
        {"epochs": -1},
        {"input_names": ["only one"]},
        {"learning_rates": [1e-5, float("nan")]},
        {"config": TrainConfig(learning_rate=0.0)},
    ],
)
def test_impossible_requests_raise_linreg_error(kwargs):
    arguments = {
        "dataset_inputs": INPUTS,
        "dataset_targets": TARGETS,
        "input_names": INPUT_NAMES,
        "target_names": TARGET_NAMES,
        "config": TrainConfig(),
        "epochs": 10,
        **kwargs,
    }
    with pytest.raises(LinregError):
        build_script(**arguments)
