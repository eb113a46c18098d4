"""The views the server draws for the epoch the live views show: the step explained, the loss
landscape, a prediction for a new row, the code and downloads; and the divergence warning.
The live views themselves (controls, readouts, weights, loss, predictions) are
``linreg.page.component``'s."""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from linreg import export
from linreg.dashboard import views
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.formatting import number
from linreg.page import figures
from linreg.page.text import plain
from linreg.script import build_script

SCRIPT_SHOWN_ROWS = 1000  # larger data: the script (which embeds it) is only built on download
CHART = {"displaylogo": False}
STEP_PARAMETERS = 60  # rows of "Inside one step"'s update table, at most


def _labels(lang: str) -> dict[str, str]:
    """The figures' words (figures.DEFAULT_LABELS) in ``lang``."""
    return {key: t(f"fig.{key}", lang) for key in figures.DEFAULT_LABELS}


def code_block(code: str) -> str:
    """``code`` as monospaced lines in a Markdown element (class ``lr-code``: page.css).

    Not Streamlit's code block: its highlighter is a script loaded the first time one is shown
    (0.6 s of script evaluation on a 2-core machine, landing on the first Step) that highlights
    again at every Step; these few lines read as well in plain monospace."""
    return f'<div class="lr-code">{html.escape(code)}</div>'


def markdown_table(row_names, column_names, values: np.ndarray, written) -> str:
    """A Markdown table: one row per name, ``values`` (rows, columns) ``written`` as text.

    Far lighter than st.dataframe for a few rows redrawn at every Step (no Arrow table, no
    canvas grid); names are escaped, they may be a file's column names.
    """
    lines = [
        "| | " + " | ".join(plain(name) for name in column_names) + " |",
        "|---|" + "---:|" * len(column_names),
    ]
    for name, row in zip(row_names, values, strict=True):
        lines.append(f"| {plain(name)} | " + " | ".join(written(v) for v in row) + " |")
    return "\n".join(lines)


def diverged_ui(wb: Workbench, lang: str) -> None:
    """The warning of a run that diverged: at which epoch, and what to try."""
    trainer = wb.trainer
    if trainer.diverged:
        st.warning(
            t(
                f"diverged.{trainer.divergence}",
                lang,
                epoch=trainer.diverged_at,
                lr=f"{trainer.learning_rate:g}",
            ),
            icon=":material/warning:",
        )


def tabs_ui(wb: Workbench, lang: str, epoch: int, playing: bool) -> None:
    """The views drawn by the server, for ``epoch``: the one the live views show."""
    # Only the open tab is drawn: a Step pays for what is on screen.
    names = ("step", "landscape", "predict", "code")
    tabs = st.tabs([t(f"tab.{name}", lang) for name in names], key="view_tab", on_change="rerun")
    draw = {
        "step": lambda: step_ui(wb, lang, epoch),
        "landscape": lambda: landscape_ui(wb, lang, epoch),
        "predict": lambda: predict_ui(wb, lang, epoch),
        "code": lambda: code_ui(wb, lang, playing),
    }
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                draw[name]()


def step_ui(wb: Workbench, lang: str, epoch: int) -> None:
    """The five steps of the seed's summary, with the numbers of ``epoch``.

    Each step is one Markdown element (its words, its PyTorch lines, its table): redrawn at
    every Step, few elements cost far fewer bytes than a widget per line.
    """
    trainer, ds = wb.trainer, wb.dataset
    if epoch == 0:
        st.caption(t("step.none", lang))
        return
    step = views.step_view(wb, epoch)
    if step is None:
        st.caption(t("step.thinned", lang))
        return
    rows = len(step.predictions)
    st.markdown(t("step.intro", lang, epoch=epoch))
    if trainer.config.standardize:
        st.caption(t("step.standardized", lang))
    scratch = trainer.config.engine == "scratch"
    written = "{:.6g}".format
    predictions = markdown_table(range(1, rows + 1), ds.target_names, step.predictions, written)
    if rows < ds.n_rows:
        predictions += "\n\n" + t("main.preview", lang, shown=rows, rows=ds.n_rows)
    columns = [t(f"step.col.{name}", lang) for name in ("old", "grad", "lr_grad", "new")]
    update = np.column_stack([step.old, step.grad, step.grad * step.learning_rate, step.new])
    shown = slice(0, STEP_PARAMETERS)
    update_table = markdown_table(step.parameter_names[shown], columns, update[shown], written)
    if not scratch:
        update_table = t(f"step.optimizer.{trainer.config.optimizer}", lang) + "\n\n" + update_table
    lines = {
        "step.1": "predictions = inputs @ W.t() + b" if scratch else "predictions = model(inputs)",
        "step.2": "diff = predictions - targets\nloss = torch.sum(diff * diff) / diff.numel()"
        if scratch
        else "loss = F.mse_loss(predictions, targets)",
        "step.3": "loss.backward()",
        "step.4": "with torch.no_grad():\n    W -= W.grad * lr\n    b -= b.grad * lr"
        if scratch
        else "optimizer.step()",
        "step.5": "W.grad.zero_()\nb.grad.zero_()" if scratch else "optimizer.zero_grad()",
    }
    words = {
        "step.1": t("step.1", lang),
        "step.2": t("step.2", lang, loss=number(step.loss), cells=step.cells),
        "step.3": t("step.3", lang),
        "step.4": t("step.4", lang, lr=f"{step.learning_rate:g}"),
        "step.5": t("step.5", lang),
    }
    tables = {"step.1": predictions, "step.4": update_table}
    for key, code in lines.items():
        block = f"{words[key]}\n\n{code_block(code)}"
        st.markdown(block + (f"\n\n{tables[key]}" if key in tables else ""), unsafe_allow_html=True)


def landscape_ui(wb: Workbench, lang: str, epoch: int) -> None:
    names = views.landscape_params(wb)
    if len(names) < 2:
        return
    params = list(names)
    st.caption(t("landscape.help", lang))
    left, right = st.columns(2)
    a = left.selectbox(t("landscape.x", lang), params, index=0, format_func=names.get, key="land_a")
    b = right.selectbox(
        t("landscape.y", lang), params, index=1, format_func=names.get, key="land_b"
    )
    if a == b:
        st.warning(t("landscape.same", lang))
        return
    shown = views.landscape_view(wb, epoch, a, b)
    fig = figures.loss_landscape(
        shown.xs,
        shown.ys,
        shown.loss,
        shown.path_a,
        shown.path_b,
        shown.optimum,
        names=(names[a], names[b]),
        labels=_labels(lang),
    )
    st.plotly_chart(fig, key="landscape", config=CHART)


def predict_ui(wb: Workbench, lang: str, epoch: int) -> None:
    ds = wb.dataset
    st.caption(t("predict.help", lang))
    cols = st.columns(min(ds.n_inputs, 4))
    values = []
    for d, name in enumerate(ds.input_names):
        mean = float(np.mean(ds.inputs[:, d]))
        values.append(
            cols[d % len(cols)].number_input(
                plain(name),
                value=round(mean, 4),
                format="%g",
                key=f"predict_{wb.table_version}_{d}",
            )
        )
    predicted = wb.trainer.predict(np.array(values), epoch)[0]
    out = st.columns(min(ds.n_targets, 4))
    for k, name in enumerate(ds.target_names):
        out[k % len(out)].metric(plain(t("predict.result", lang, name=name)), number(predicted[k]))


def code_ui(wb: Workbench, lang: str, playing: bool) -> None:
    trainer, ds = wb.trainer, wb.dataset
    if playing:
        st.caption(t("code.paused_only", lang))
        return
    epochs = trainer.epoch
    rates = trainer.history.learning_rate.tolist() if trainer.epoch else None
    config = trainer.config.with_(learning_rate=trainer.learning_rate)

    def script() -> str:
        return build_script(
            ds.inputs, ds.targets, ds.input_names, ds.target_names, config, epochs, rates, lang=lang
        )

    st.caption(t("code.help", lang, epochs=epochs))
    weight, bias = trainer.parameters()
    history = trainer.history
    cols = st.columns(4)
    cols[0].download_button(
        t("code.download_script", lang),
        script,
        "linreg_run.py",
        "text/x-python",
        key="dl_script",
        on_click="ignore",
    )
    cols[1].download_button(
        t("code.download_weights_csv", lang),
        lambda: export.weights_csv(weight, bias, ds.input_names, ds.target_names),
        "weights.csv",
        "text/csv",
        key="dl_weights_csv",
        on_click="ignore",
    )
    cols[2].download_button(
        t("code.download_weights_json", lang),
        lambda: export.weights_json(
            weight, bias, ds.input_names, ds.target_names, epoch=trainer.epoch
        ),
        "weights.json",
        "application/json",
        key="dl_weights_json",
        on_click="ignore",
    )
    loss, rates_now = history.loss.copy(), history.learning_rate.copy()
    cols[3].download_button(
        t("code.download_history", lang),
        lambda: export.history_csv(loss, rates_now),
        "loss_history.csv",
        "text/csv",
        key="dl_history",
        on_click="ignore",
    )
    if ds.n_rows <= SCRIPT_SHOWN_ROWS:
        st.code(script(), language="python")
    else:
        st.caption(t("code.too_big_to_show", lang, rows=ds.n_rows))
