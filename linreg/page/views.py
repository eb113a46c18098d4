"""The views of the training run: status, weights, loss, predictions, the step explained, export."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from linreg import export
from linreg.dashboard import views
from linreg.dashboard.texts import t
from linreg.dashboard.workbench import Workbench
from linreg.formatting import number
from linreg.page import figures, session
from linreg.page.text import plain
from linreg.script import build_script

SCRIPT_SHOWN_ROWS = 1000  # larger data: the script (which embeds it) is only built on download
TABLE_ROWS = 200  # rows shown in per-row tables; the figures sample larger data themselves
CHART = {"displaylogo": False}


def _labels(lang: str) -> dict[str, str]:
    """The figures' words (figures.DEFAULT_LABELS) in ``lang``."""
    return {key: t(f"fig.{key}", lang) for key in figures.DEFAULT_LABELS}


def _significant(values: pd.Series, digits: int) -> np.ndarray:
    """Values rounded to ``digits`` significant digits, for tables (cheaper than a Styler)."""
    values = values.to_numpy(dtype=np.float64)
    with np.errstate(all="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
        scale = 10.0 ** (digits - 1 - np.where(np.isfinite(magnitude), magnitude, 0))
        return np.where(np.isfinite(values), np.round(values * scale) / scale, values)


def _r2(value: float) -> str:
    """R² with three decimals; a hopeless fit (R² can reach −10¹⁷) just reads "< −999"."""
    return f"{value:.3f}" if value > -1000 else "< −999"


def shown_epoch(wb: Workbench) -> int:
    """The epoch the views show: the latest, or the one picked on the look-back slider."""
    latest = wb.trainer.epoch
    key = f"look_{id(wb.trainer)}_{latest}"
    return min(int(st.session_state.get(key, latest)), latest)


def status_ui(wb: Workbench, lang: str) -> None:
    trainer = wb.trainer
    shown = views.status(wb, shown_epoch(wb))
    r2 = shown.r2
    cols = st.columns(4)
    cols[0].metric(t("metric.epoch", lang), f"{shown.epoch:,}")
    cols[1].metric(
        t("metric.loss", lang),
        number(shown.loss),
        None if shown.change is None else number(shown.change),
        delta_color="inverse",
    )
    cols[2].metric(
        t("metric.optimum", lang), number(shown.optimum), help=t("metric.optimum_help", lang)
    )
    # One R² per target while they fit; past two, their mean (each one is in the help).
    r2_text = " / ".join(map(_r2, r2)) if len(r2) <= 2 else _r2(np.mean(r2))
    r2_each = ", ".join(
        f"{name}: {v:.4f}" for name, v in zip(wb.dataset.target_names, r2, strict=True)
    )
    label = t("metric.r2" if len(r2) <= 2 else "metric.r2_mean", lang)
    cols[3].metric(label, r2_text, help=plain(t("metric.r2_help", lang, each=r2_each)))
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


def views_ui(wb: Workbench, lang: str, animating: bool) -> None:
    trainer = wb.trainer
    if trainer.epoch > 0 and not animating:
        key = f"look_{id(trainer)}_{trainer.epoch}"
        st.slider(
            t("look.label", lang),
            0,
            trainer.epoch,
            trainer.epoch,
            key=key,
            help=t("look.help", lang),
        )
    epoch = shown_epoch(wb)
    left, right = st.columns([1, 1])
    with left:
        weights_ui(wb, lang, epoch)
    with right:
        loss_ui(wb, lang, epoch)
    # Only the open tab is drawn: a frame of Play pays for what is on screen.
    names = ("predictions", "step", "landscape", "predict", "code")
    tabs = st.tabs([t(f"tab.{name}", lang) for name in names], key="view_tab", on_change="rerun")
    draw = {
        "predictions": lambda: predictions_ui(wb, lang, epoch),
        "step": lambda: step_ui(wb, lang, epoch),
        "landscape": lambda: landscape_ui(wb, lang, epoch),
        "predict": lambda: predict_ui(wb, lang, epoch),
        "code": lambda: code_ui(wb, lang, animating),
    }
    for name, tab in zip(names, tabs, strict=True):
        if tab.open:
            with tab:
                draw[name]()


def weights_ui(wb: Workbench, lang: str, epoch: int) -> None:
    """W and b after ``epoch`` with the equations, and beside them the gradients of that epoch."""
    trainer, ds = wb.trainer, wb.dataset
    weight, bias = trainer.parameters(epoch)
    st.subheader(t("weights.title", lang, epoch=epoch))
    st.caption(t("weights.layout", lang))
    _matrix_and_vector(
        ds, weight, bias, t("weights.matrix", lang), t("weights.bias", lang), "weights"
    )
    st.code(
        "\n".join(views.equations(weight, bias, ds.input_names, ds.target_names)),
        language=None,
        wrap_lines=True,
    )
    snap = trainer.history.snapshot(epoch)
    if epoch == 0 or snap.epoch != epoch:
        st.caption(t("weights.no_grad", lang))
        return
    note = t("weights.grad_units", lang) if trainer.config.standardize else ""
    _matrix_and_vector(
        ds,
        snap.weight_grad,
        snap.bias_grad,
        t("weights.grad", lang) + note,
        t("weights.bias_grad", lang),
        "grads",
    )


def _matrix_and_vector(ds, matrix, vector, matrix_title, vector_title, key) -> None:
    fig = figures.parameters_heatmap(
        matrix,
        vector,
        ds.input_names,
        ds.target_names,
        weight_title=matrix_title,
        bias_title=vector_title,
    )
    st.plotly_chart(fig, key=key, config=CHART)


def loss_ui(wb: Workbench, lang: str, epoch: int) -> None:
    history = wb.trainer.history
    st.subheader(t("loss.title", lang))
    key = f"log_{st.session_state.widget_version}"
    log = st.toggle(
        t("loss.log", lang),
        value=wb.settings.log,
        key=key,
        on_change=session.on_setting,
        args=("log", key, bool),
    )
    others = [(run.label, run.epochs, run.loss) for run in wb.runs]
    # Drawn as "loss of the weights after epoch e" at x = e, so the curve ends on the Loss metric.
    fig = figures.loss_curve(
        np.arange(history.n_epochs + 1),
        wb.trainer.losses_after(),
        optimal_loss=wb.optimum,
        log_scale=log,
        marker_epoch=epoch,
        others=others,
        labels=_labels(lang),
    )
    st.plotly_chart(fig, key="loss", config=CHART)
    if history.n_epochs == 0:
        st.caption(t("loss.empty", lang))
    if wb.runs:
        st.button(
            t("loss.clear_runs", lang, count=len(wb.runs)),
            key="clear_runs",
            on_click=session.on_clear_runs,
        )


def predictions_ui(wb: Workbench, lang: str, epoch: int) -> None:
    ds = wb.dataset
    predicted = wb.trainer.predict(ds.inputs, epoch)
    st.plotly_chart(
        figures.predicted_vs_actual(
            ds.targets,
            predicted,
            ds.target_names,
            labels=_labels(lang),
            row_ids=np.arange(1, ds.n_rows + 1),
        ),
        key="pred_vs_actual",
        config=CHART,
    )
    if ds.n_inputs == 1:
        weight, bias = wb.trainer.parameters(epoch)
        st.plotly_chart(
            figures.fitted_line(
                ds.inputs[:, 0],
                ds.targets,
                weight[:, 0],
                bias,
                ds.input_names[0],
                ds.target_names,
                labels=_labels(lang),
            ),
            key="fitted",
            config=CHART,
        )
    rows = min(ds.n_rows, TABLE_ROWS)
    table = {}
    for k, name in enumerate(ds.target_names):
        table[(name, t("pred.actual", lang))] = ds.targets[:rows, k]
        table[(name, t("pred.predicted", lang))] = predicted[:rows, k]
        table[(name, t("pred.error", lang))] = predicted[:rows, k] - ds.targets[:rows, k]
    frame = pd.DataFrame(table, index=pd.RangeIndex(1, rows + 1, name=t("pred.row", lang)))
    st.dataframe(frame.apply(_significant, digits=4), width="stretch")
    if rows < ds.n_rows:
        st.caption(t("main.preview", lang, shown=rows, rows=ds.n_rows))


def step_ui(wb: Workbench, lang: str, epoch: int) -> None:
    """The five steps of the seed's summary, with the numbers of ``epoch``."""
    trainer, ds = wb.trainer, wb.dataset
    if epoch == 0:
        st.info(t("step.none", lang))
        return
    step = views.step_view(wb, epoch)
    if step is None:
        st.info(t("step.thinned", lang))
        return
    rows = len(step.predictions)
    st.markdown(t("step.intro", lang, epoch=epoch))
    if trainer.config.standardize:
        st.caption(t("step.standardized", lang))
    scratch = trainer.config.engine == "scratch"
    st.markdown(t("step.1", lang))
    st.code(
        "predictions = inputs @ W.t() + b" if scratch else "predictions = model(inputs)",
        language="python",
    )
    st.dataframe(
        pd.DataFrame(
            step.predictions, columns=list(ds.target_names), index=pd.RangeIndex(1, rows + 1)
        ),
        width="stretch",
    )
    if rows < ds.n_rows:
        st.caption(t("main.preview", lang, shown=rows, rows=ds.n_rows))
    st.markdown(t("step.2", lang, loss=number(step.loss), cells=step.cells))
    st.code(
        "diff = predictions - targets\nloss = torch.sum(diff * diff) / diff.numel()"
        if scratch
        else "loss = F.mse_loss(predictions, targets)",
        language="python",
    )
    st.markdown(t("step.3", lang))
    st.code("loss.backward()", language="python")
    st.markdown(t("step.4", lang, lr=f"{step.learning_rate:g}"))
    if scratch:
        st.code(
            "with torch.no_grad():\n    W -= W.grad * lr\n    b -= b.grad * lr", language="python"
        )
    else:
        st.code("optimizer.step()", language="python")
        st.caption(t(f"step.optimizer.{trainer.config.optimizer}", lang))
    update = pd.DataFrame(
        {
            t("step.col.old", lang): step.old,
            t("step.col.grad", lang): step.grad,
            t("step.col.lr_grad", lang): step.grad * step.learning_rate,
            t("step.col.new", lang): step.new,
        },
        index=step.parameter_names,
    )
    st.dataframe(update.head(60).apply(_significant, digits=6), width="stretch")
    st.markdown(t("step.5", lang))
    st.code(
        "W.grad.zero_()\nb.grad.zero_()" if scratch else "optimizer.zero_grad()", language="python"
    )


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


def code_ui(wb: Workbench, lang: str, animating: bool) -> None:
    trainer, ds = wb.trainer, wb.dataset
    if animating:
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
