"""Export a training run as a self-contained PyTorch script that reproduces it exactly.

The script embeds the data and settings and repeats the trainer's float32 arithmetic step
for step, so it prints the same losses and weights as ``linreg.Trainer``. Everything taken
from a user's file (column names, cell values) is written with ``repr``: data, never code.
"""

from __future__ import annotations

import base64
import math
import zlib
from collections.abc import Sequence

import numpy as np

from linreg.errors import POSITIVE, WHOLE_FROM_0, LinregError
from linreg.reference import standardization
from linreg.texts import LANGUAGES, Catalog, Phrase
from linreg.trainer import EXPLODE_FACTOR, INITS, OPTIMIZERS, TrainConfig

# Past this many data values the script packs them (base64 of zlib of float64) instead of
# writing them out: a list literal of millions of numbers is too slow for Python to compile.
MAX_WRITTEN_VALUES = 200_000

_UNPACK = """def unpack(text, n_columns):
    values = array.array("d", zlib.decompress(base64.b64decode(text)))
    if sys.byteorder == "big":
        values.byteswap()  # packed little-endian
    return torch.frombuffer(values, dtype=torch.float64).reshape(-1, n_columns)
"""

COMMENTS = Catalog(
    "script",
    {
        "title": (
            "Linear regression trained with PyTorch, exported from linreg.",
            "Regresión lineal entrenada con PyTorch, exportada desde linreg.",
        ),
        "about": (
            "It needs only torch: run it with `python` and it repeats the run epoch by epoch,\n"
            "with the same data, settings and float32 numbers, then prints the final loss.",
            "Solo necesita torch: ejecútalo con `python` y repite el entrenamiento época a época,\n"
            "con los mismos datos, ajustes y números float32, y al final imprime la pérdida.",
        ),
        "data": (
            "The data: one row per example, one column per name below.",
            "Los datos: una fila por ejemplo, una columna por cada nombre de abajo.",
        ),
        "packed": (
            "Too many values to write out: they are packed below as float64 numbers, row after\n"
            "row, zlib-compressed and base64-encoded.",
            "Demasiados valores para escribirlos: van empaquetados abajo como números float64,\n"
            "fila tras fila, comprimidos con zlib y codificados en base64.",
        ),
        "settings": ("The settings of the run.", "Los ajustes del entrenamiento."),
        "schedule": (
            "The learning rate changed during the run: from each epoch listed, it takes this value.",
            "La tasa de aprendizaje cambió durante el entrenamiento: desde cada época de la lista "
            "toma este valor.",
        ),
        "float64": (
            "Read the data in float64; training itself runs in float32, like the notebook.",
            "Se leen los datos en float64; el entrenamiento en sí usa float32, como el cuaderno.",
        ),
        "zero_loss": (
            "The loss of predicting 0 everywhere: a loss far above it means training exploded.",
            "La pérdida de predecir 0 en todas partes: una pérdida muy por encima indica que el "
            "entrenamiento explotó.",
        ),
        "standardize": (
            "Standardize the inputs: subtract each column's mean and divide by its (population)\n"
            "standard deviation; a constant column is only centred. The values are written out\n"
            "so that they are exactly the ones linreg used.",
            "Estandarizar las entradas: restar la media de cada columna y dividir por su desviación\n"
            "estándar (poblacional); una columna constante solo se centra. Los valores están\n"
            "escritos para que sean exactamente los que usó linreg.",
        ),
        "standardize_targets": (
            "Standardize the targets the same way: training then predicts z-scores, and the\n"
            "losses below are in those units.",
            "Estandarizar los objetivos de la misma manera: el entrenamiento predice entonces\n"
            "puntuaciones z, y las pérdidas de abajo están en esas unidades.",
        ),
        "init": (
            "Weights W (targets × inputs) and biases b, drawn from a seeded generator.",
            "Pesos W (objetivos × entradas) y sesgos b, tomados de un generador con semilla.",
        ),
        "model": (
            "The model: each target is a weighted sum of the inputs plus a bias.",
            "El modelo: cada objetivo es una suma ponderada de las entradas más un sesgo.",
        ),
        "mse": (
            "Mean squared error: average of the squared differences.",
            "Error cuadrático medio: promedio de las diferencias al cuadrado.",
        ),
        "linear": (
            "nn.Linear computes x @ weight.t() + bias. skip_init leaves out its own random start,\n"
            "so the seeded W and b above are copied in.",
            "nn.Linear calcula x @ weight.t() + bias. skip_init omite su propio inicio aleatorio,\n"
            "así que se copian los W y b de arriba.",
        ),
        "optimizer": (
            "The optimizer adjusts the weights from their gradients.",
            "El optimizador ajusta los pesos a partir de sus gradientes.",
        ),
        "loop": (
            "The training loop: one pass over the data per epoch.",
            "El ciclo de entrenamiento: una pasada por los datos en cada época.",
        ),
        "keep": (
            "Keep this epoch's starting point, to go back to if training diverges.",
            "Guardar el punto de partida de esta época, para volver a él si el entrenamiento diverge.",
        ),
        "full_loss": (
            "The loss over all the data, measured before this epoch's updates.",
            "La pérdida sobre todos los datos, medida antes de las actualizaciones de esta época.",
        ),
        "shuffle": (
            "Mini-batches: shuffle the rows every epoch and take them batch_size at a time.",
            "Mini-lotes: barajar las filas en cada época y tomarlas de batch_size en batch_size.",
        ),
        "step1": ("1. Generate the predictions", "1. Generar las predicciones"),
        "step2": ("2. Compute the loss", "2. Calcular la pérdida"),
        "step3": (
            "3. Compute the gradients with respect to the weights and biases",
            "3. Calcular los gradientes con respecto a pesos y sesgos",
        ),
        "step4": (
            "4. Adjust the weights, subtracting a small amount proportional to the gradient",
            "4. Ajustar los pesos restándoles una pequeña cantidad proporcional al gradiente",
        ),
        "step5": ("5. Reset the gradients to zero", "5. Reiniciar los gradientes a 0"),
        "nn_step5": (
            "5. Reset the gradients to zero (before they are computed again)",
            "5. Reiniciar los gradientes a 0 (antes de volver a calcularlos)",
        ),
        "nn_step12": (
            "1. and 2. Predictions and the mean squared error loss",
            "1. y 2. Predicciones y pérdida (error cuadrático medio)",
        ),
        "nn_step4": (
            "4. The optimizer adjusts the weights from the gradients",
            "4. El optimizador ajusta los pesos a partir de los gradientes",
        ),
        "diverge": (
            "Stop if training diverged (the loss or the weights became inf/NaN, or the loss\n"
            "exploded), keeping the last finite weights.",
            "Parar si el entrenamiento divergió (la pérdida o los pesos se volvieron inf/NaN, o la\n"
            "pérdida explotó), conservando los últimos pesos finitos.",
        ),
        "original": (
            "The weights and biases for the inputs in their original units.",
            "Los pesos y sesgos para las entradas en sus unidades originales.",
        ),
        "final": (
            "The final loss: mean squared error of the final weights over all the data.",
            "La pérdida final: error cuadrático medio de los pesos finales sobre todos los datos.",
        ),
    },
)


def build_script(
    dataset_inputs: np.ndarray,
    dataset_targets: np.ndarray,
    input_names: Sequence[str],
    target_names: Sequence[str],
    config: TrainConfig,
    epochs: int,
    learning_rates: Sequence[float] | None = None,
    lang: str = "en",
) -> str:
    """The source of a torch-only script that reproduces ``epochs`` epochs of this run.

    ``learning_rates`` holds the rate of each epoch (``trainer.history.learning_rate``); epochs
    past its end keep its last rate. Without it every epoch uses ``config.learning_rate``.
    """
    config = config.validate()
    inputs = np.asarray(dataset_inputs, dtype=np.float64)
    targets = np.asarray(dataset_targets, dtype=np.float64)
    input_names, target_names = [str(n) for n in input_names], [str(n) for n in target_names]
    _check(inputs, targets, input_names, target_names, epochs, lang)
    schedule = _schedule(config.learning_rate, learning_rates, epochs)
    n_rows, n_inputs = inputs.shape
    n_targets = targets.shape[1]
    mini_batch = config.batch_size is not None and config.batch_size < n_rows
    nn_engine = config.engine == "nn"
    packed = inputs.size + targets.size > MAX_WRITTEN_VALUES

    def comment(key: str, indent: str = "") -> list[str]:
        text = COMMENTS(key, lang)
        return [f"{indent}# {line}" for line in text.split("\n")]

    out = ['"""' + COMMENTS("title", lang), ""]
    out += [*COMMENTS("about", lang).split("\n"), '"""', ""]
    modules = ["array", "base64", "math", "sys", "zlib"] if packed else ["math"]
    out += [f"import {module}" for module in modules] + ["", "import torch"]
    if nn_engine:
        out += ["import torch.nn.functional as F", "from torch import nn"]
    out += ["", *comment("data")]
    out += [f"input_names = {input_names!r}", f"target_names = {target_names!r}"]
    if packed:
        out += ["", "", *comment("packed"), _UNPACK, ""]
        out += [f"inputs = unpack({_packed(inputs)}, {inputs.shape[1]})"]
        out += [f"targets = unpack({_packed(targets)}, {targets.shape[1]})", ""]
    else:
        out += ["inputs = " + _matrix(inputs), "targets = " + _matrix(targets), ""]

    out += comment("settings")
    out += [f"epochs = {int(epochs)}", f"learning_rate = {schedule[1]!r}"]
    if len(schedule) > 1:
        out += comment("schedule")
        pairs = ", ".join(f"{epoch}: {rate!r}" for epoch, rate in schedule.items() if epoch > 1)
        out += [f"learning_rate_from_epoch = {{{pairs}}}"]
    if mini_batch:
        out += [f"batch_size = {config.batch_size}"]
    out += [f"seed = {config.seed}", ""]

    out += comment("float64")
    out += ["x = torch.as_tensor(inputs, dtype=torch.float64)"]
    out += ["y = torch.as_tensor(targets, dtype=torch.float64)"]
    if config.standardize:
        mean, scale = standardization(inputs)
        out += comment("standardize")
        out += [f"mean = torch.tensor({_vector(mean)}, dtype=torch.float64)"]
        out += [f"scale = torch.tensor({_vector(scale)}, dtype=torch.float64)"]
        out += ["x = (x - mean) / scale"]
    if config.standardize_targets:
        target_mean, target_scale = standardization(targets)
        out += comment("standardize_targets")
        out += [f"target_mean = torch.tensor({_vector(target_mean)}, dtype=torch.float64)"]
        out += [f"target_scale = torch.tensor({_vector(target_scale)}, dtype=torch.float64)"]
        out += ["y = (y - target_mean) / target_scale"]
    out += comment("zero_loss") + ["zero_loss = torch.mean(y * y).item()"]
    out += ["x = x.float()", "y = y.float()", ""]

    out += comment("init") + ["g = torch.Generator().manual_seed(seed)"]
    grad = "" if nn_engine else ", requires_grad=True"
    draw = INITS[config.init]
    if draw is None:
        out += [
            f"W = torch.zeros({n_targets}, {n_inputs}{grad})",
            f"b = torch.zeros({n_targets}{grad})",
        ]
    else:
        out += [f"W = {draw}({n_targets}, {n_inputs}, generator=g{grad})"]
        out += [f"b = {draw}({n_targets}, generator=g{grad})"]
    out += [""]
    if nn_engine:
        out += comment("linear")
        out += [f"model = nn.utils.skip_init(nn.Linear, {n_inputs}, {n_targets})"]
        out += ["with torch.no_grad():", "    model.weight.copy_(W)", "    model.bias.copy_(b)"]
        out += ["W, b = model.weight, model.bias", ""]
        out += comment("optimizer") + [
            "optimizer = "
            + OPTIMIZERS[config.optimizer].source("model.parameters()", "learning_rate"),
            "",
            "",
        ]
    else:
        out += ["", *comment("model"), "def model(x):", "    return x @ W.t() + b", "", ""]
    out += comment("mse")
    out += ["def mse(predictions, targets):", "    diff = predictions - targets"]
    out += ["    return torch.sum(diff * diff) / diff.numel()", "", ""]

    update = _nn_update if nn_engine else _scratch_update
    out += comment("loop")
    out += ["report_every = max(1, epochs // 10)", "losses = []"]
    out += ["for epoch in range(1, epochs + 1):"]
    if len(schedule) > 1:
        out += ["    if epoch in learning_rate_from_epoch:"]
        out += ["        learning_rate = learning_rate_from_epoch[epoch]"]
        if nn_engine:
            out += [
                "        for group in optimizer.param_groups:",
                '            group["lr"] = learning_rate',
            ]
    out += comment("keep", "    ") + [
        "    W_before, b_before = W.detach().clone(), b.detach().clone()"
    ]
    if mini_batch:
        out += comment("full_loss", "    ")
        out += ["    with torch.no_grad():", "        loss = mse(x @ W.t() + b, y)"]
        out += comment("shuffle", "    ")
        out += [f"    for rows in torch.randperm({n_rows}, generator=g).split(batch_size):"]
        out += update("x[rows]", "y[rows]", "batch_loss", "        ", comment)
    else:
        out += update("x", "y", "loss", "    ", comment)
    out += ["    losses.append(loss.item())"]
    out += comment("diverge", "    ")
    advice = "a smaller learning rate" + ("" if config.standardize else " or standardized inputs")
    out += [
        "    stop = None",
        "    if not (math.isfinite(losses[-1]) and W.isfinite().all() and b.isfinite().all()):",
        '        stop = "the loss or the weights became inf/NaN"',
        f"    elif losses[-1] > {_literal(EXPLODE_FACTOR)} * max(losses[0], zero_loss):",
        '        stop = "the loss exploded"',
        "    if stop:",
        "        losses.pop()",
        "        with torch.no_grad():",
        "            W.copy_(W_before)",
        "            b.copy_(b_before)",
        '        print(f"Training diverged at epoch {epoch}: {stop}.")',
        f'        print(f"Kept the weights after epoch {{epoch - 1}}; try {advice}.")',
        "        break",
        "    if epoch == 1 or epoch % report_every == 0 or epoch == epochs:",
        '        print(f"epoch {epoch:>8}   loss {losses[-1]:.6g}")',
        "",
    ]
    out += comment("original")
    out += ["weight = W.detach().double()", "bias = b.detach().double()"]
    if config.standardize_targets:
        out += [
            "weight = weight * target_scale[:, None]",
            "bias = bias * target_scale + target_mean",
        ]
    if config.standardize:
        out += ["weight = weight / scale", "bias = bias - weight @ mean"]
    out += [
        "for k, target in enumerate(target_names):",
        '    terms = " + ".join(f"{weight[k, d].item():.6g}*{name}" for d, name in enumerate(input_names))',
        '    print(f"{target} = {terms} + {bias[k].item():.6g}")',
        'print("weight:", weight.tolist())',
        'print("bias:", bias.tolist())',
        "",
        *comment("final"),
        "with torch.no_grad():",
        "    final_loss = mse(x @ W.t() + b, y).item()",
        'print("final loss:", final_loss)',
        "",
    ]
    return "\n".join(out)


def _scratch_update(x: str, y: str, loss: str, indent: str, comment) -> list[str]:
    """The seed notebook's five steps on the batch ``x``, ``y``."""
    lines = comment("step1", indent) + [f"{indent}predictions = model({x})"]
    lines += comment("step2", indent) + [f"{indent}{loss} = mse(predictions, {y})"]
    lines += comment("step3", indent) + [f"{indent}{loss}.backward()"]
    lines += comment("step4", indent) + [f"{indent}with torch.no_grad():"]
    lines += [
        f"{indent}    W -= W.grad * learning_rate",
        f"{indent}    b -= b.grad * learning_rate",
    ]
    lines += comment("step5", indent) + [f"{indent}W.grad.zero_()", f"{indent}b.grad.zero_()"]
    return lines


def _nn_update(x: str, y: str, loss: str, indent: str, comment) -> list[str]:
    """The same five steps with nn.Linear, F.mse_loss and the optimizer."""
    lines = comment("nn_step5", indent) + [f"{indent}optimizer.zero_grad()"]
    lines += comment("nn_step12", indent) + [f"{indent}{loss} = F.mse_loss(model({x}), {y})"]
    lines += comment("step3", indent) + [f"{indent}{loss}.backward()"]
    lines += comment("nn_step4", indent) + [f"{indent}optimizer.step()"]
    return lines


def _check(inputs, targets, input_names, target_names, epochs, lang) -> None:
    if inputs.ndim != 2 or targets.ndim != 2 or len(inputs) != len(targets):
        raise LinregError("shape_mismatch", n_inputs=len(inputs), n_targets=len(targets))
    if len(input_names) != inputs.shape[1] or len(target_names) != targets.shape[1]:
        raise LinregError(
            "bad_setting",
            name="column names",
            value=[*input_names, *target_names],
            expected=Phrase(
                f"{inputs.shape[1]} input and {targets.shape[1]} target name(s)",
                f"{inputs.shape[1]} nombre(s) de entrada y {targets.shape[1]} de objetivo",
            ),
        )
    if isinstance(epochs, bool) or not isinstance(epochs, int | np.integer) or epochs < 0:
        raise LinregError("bad_setting", name="epochs", value=epochs, expected=WHOLE_FROM_0)
    if lang not in LANGUAGES:
        raise LinregError("bad_setting", name="lang", value=lang, expected=" | ".join(LANGUAGES))


def _schedule(
    learning_rate: float, learning_rates: Sequence[float] | None, epochs: int
) -> dict[int, float]:
    """{first epoch: rate} for each run of equal rates, starting at epoch 1."""
    given = [] if learning_rates is None else [float(r) for r in learning_rates]
    rates = given[: max(epochs, 1)] or [float(learning_rate)]
    schedule: dict[int, float] = {}
    for epoch, rate in enumerate(rates, start=1):
        if not (math.isfinite(rate) and rate > 0):
            raise LinregError("bad_setting", name="learning_rate", value=rate, expected=POSITIVE)
        if not schedule or rate != schedule[max(schedule)]:
            schedule[epoch] = rate
    return schedule


def _literal(value: float) -> str:
    """A Python literal for ``value`` that reads back as exactly the same float64."""
    value = float(value)
    if not math.isfinite(value):
        return f"float({str(value)!r})"
    negative_zero = value == 0 and math.copysign(1.0, value) < 0
    if value.is_integer() and abs(value) < 2**53 and not negative_zero:
        return str(int(value))
    return repr(value)


def _packed(values: np.ndarray) -> str:
    """``values`` as a string literal: base64 of zlib-compressed little-endian float64."""
    raw = np.ascontiguousarray(values, dtype="<f8").tobytes()
    return repr(base64.b64encode(zlib.compress(raw, 1)).decode("ascii"))


def _vector(values: np.ndarray) -> str:
    return "[" + ", ".join(_literal(v) for v in values.tolist()) + "]"


def _matrix(values: np.ndarray) -> str:
    rows = ",\n".join("    " + _vector(row) for row in values)
    return "[\n" + rows + ",\n]" if len(values) else "[]"
