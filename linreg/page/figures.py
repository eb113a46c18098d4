"""Plotly figures for the dashboard: numbers in, a plain ``go.Figure`` out.

Every word shown arrives as an argument (the page speaks English and Spanish) and passes
through ``_text``: Plotly renders a subset of HTML (and ``$…$`` as LaTeX) in titles, ticks,
legends and hover labels, and a column name must be shown, never interpreted.
Traces are built from numpy arrays, which Plotly serializes as compact binary.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from linreg.formatting import number as _number

# English defaults; the page passes its own translations under the same keys.
DEFAULT_LABELS: dict[str, str] = {
    "epoch": "Epoch",
    "loss": "Loss",
    "optimum": "Least-squares optimum",
    "this_run": "This run",
    "shown_epoch": "Epoch shown",
    "row": "Row",
    "actual": "Actual",
    "predicted": "Predicted",
    "identity": "y = x",
    "fitted": "fitted line",
    "path": "Training path",
    "start": "Start",
    "current": "Now",
}

COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
FAINT_COLOURS = ("#9e9e9e", "#c49c94", "#98df8a", "#ff9896", "#c5b0d5", "#f7b6d2", "#dbdb8d")
ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;", "%": "&#37;"}


def _text(value: object) -> str:
    """``value`` as text Plotly shows literally: no HTML tags, no LaTeX, no ``%{…}`` fields."""
    return "".join(ESCAPES.get(c, c) for c in str(value))


def _labels(labels: Mapping[str, str] | None) -> dict[str, str]:
    return {key: _text(value) for key, value in {**DEFAULT_LABELS, **(labels or {})}.items()}


def _figure(title: str, height: int) -> go.Figure:
    # No template: applying one costs ~8 ms a figure, and Streamlit restyles charts with its
    # own theme anyway.
    return go.Figure(
        layout=dict(
            height=height,
            margin=dict(l=10, r=10, t=60 if title else 30, b=10),
            title=dict(text=_text(title), x=0, xanchor="left", font_size=15) if title else None,
            legend=dict(orientation="h", x=0, y=1, yanchor="bottom"),
            hovermode="closest",
            xaxis=dict(automargin=True),
            yaxis=dict(automargin=True),
        )
    )


def _finite(values: np.ndarray) -> np.ndarray:
    """float64 copy with inf replaced by NaN, which Plotly leaves undrawn."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values), values, np.nan)


def decimate(x: np.ndarray, y: np.ndarray, max_points: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """At most ``max_points`` of the series (N,): first, last, and each bucket's min and max.

    Keeping both extremes of every bucket keeps spikes and the curve's envelope; y must be
    finite. Short series come back unchanged.
    """
    x, y = np.asarray(x), np.asarray(y)
    n = len(y)
    if n <= max(max_points, 2):
        return x, y
    buckets = (max_points - 2) // 2
    if buckets < 1:
        keep = np.array([0, n - 1])
    else:
        interior = n - 2
        size = -(-interior // buckets)
        # Bucket b holds rows 1 + b·size …; the last bucket is padded by repeating its last row.
        index = 1 + np.minimum(np.arange(buckets * size), interior - 1).reshape(buckets, size)
        values, rows = y[index], np.arange(buckets)
        extremes = (index[rows, values.argmin(axis=1)], index[rows, values.argmax(axis=1)])
        keep = np.unique(np.concatenate([[0], *extremes, [n - 1]]))
    return x[keep], y[keep]


def _drawable(
    epochs: np.ndarray, loss: np.ndarray, log_scale: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The (epoch, loss) pairs a curve can show: finite, and positive on a log axis."""
    epochs, loss = np.asarray(epochs), np.asarray(loss, dtype=np.float64)
    keep = np.isfinite(loss) & (loss > 0 if log_scale else True)
    return epochs[keep], loss[keep]


def loss_curve(
    epochs: np.ndarray,
    loss: np.ndarray,
    *,
    optimal_loss: float | None,
    log_scale: bool,
    marker_epoch: int | None = None,
    others: Sequence[tuple[str, np.ndarray, np.ndarray]] = (),
    labels: Mapping[str, str] | None = None,
    title: str = "",
    max_points: int = 2000,
) -> go.Figure:
    """Loss (N,) over epochs (N,), earlier runs' curves faint behind it, the optimum dashed.

    Labels used: epoch, loss, optimum, this_run, shown_epoch. ``others`` holds
    (label, epochs, loss) per earlier run; ``marker_epoch`` marks the epoch looked back at.
    """
    text = _labels(labels)
    fig = _figure(title, height=340)
    fig.update_layout(hovermode="x")  # hover anywhere above an epoch, not only on the line
    hover = f"{text['epoch']} %{{x}}<br>{text['loss']} %{{y:.6~g}}"
    drawn_epochs = []
    for i, (name, other_epochs, other_loss) in enumerate(others):
        x, y = decimate(*_drawable(other_epochs, other_loss, log_scale), max_points)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                name=_text(name),
                line=dict(color=FAINT_COLOURS[i % len(FAINT_COLOURS)], width=1.5),
                opacity=0.8,
                hovertemplate=f"{hover}<extra>{_text(name)}</extra>",
            )
        )
        drawn_epochs.append(x)
    x, y = decimate(*_drawable(epochs, loss, log_scale), max_points)
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name=text["this_run"],
            line=dict(color=COLOURS[0], width=2.5),
            hovertemplate=f"{hover}<extra></extra>",
        )
    )
    drawn_epochs.append(x)
    drawn = np.concatenate(drawn_epochs)
    if (
        optimal_loss is not None
        and np.isfinite(optimal_loss)
        and (optimal_loss > 0 or not log_scale)
    ):
        span = np.array([drawn.min(), drawn.max()]) if drawn.size else np.array([0, 1])
        fig.add_trace(
            go.Scatter(
                x=span,
                y=np.full(2, float(optimal_loss)),
                mode="lines",
                name=text["optimum"],
                line=dict(color="#2ca02c", width=1.5, dash="dash"),
                hovertemplate=f"{text['optimum']} %{{y:.6~g}}<extra></extra>",
            )
        )
    if marker_epoch is not None:
        fig.add_vline(x=marker_epoch, line=dict(color="#7f7f7f", width=1, dash="dot"))
        at = np.flatnonzero(np.asarray(epochs) == marker_epoch)
        x, y = _drawable(np.asarray(epochs)[at], np.asarray(loss)[at], log_scale)
        if y.size:
            fig.add_trace(
                go.Scatter(
                    x=x[:1],
                    y=y[:1],
                    mode="markers",
                    name=text["shown_epoch"],
                    marker=dict(color=COLOURS[3], size=10, line=dict(color="white", width=1)),
                    hovertemplate=f"{hover}<extra></extra>",
                )
            )
    fig.update_xaxes(title_text=text["epoch"])
    if drawn.size and drawn.max() - drawn.min() <= 10:
        fig.update_xaxes(tick0=0, dtick=1)  # a few epochs: whole numbers only
    fig.update_yaxes(title_text=text["loss"], type="log" if log_scale else "linear")
    fig.update_layout(uirevision="loss")  # keep the user's zoom while the curve grows
    return fig


def _heatmap_trace(
    values: np.ndarray, rows: list[str], columns: list[str], zmid: float | None, **trace: object
) -> go.Heatmap:
    """values (R, C) as coloured cells with their numbers written in (names already escaped)."""
    cells = np.array([[_number(v) for v in row] for row in values], dtype=object)
    hover = np.array(
        [[f"{r} · {c}: {cells[i, j]}" for j, c in enumerate(columns)] for i, r in enumerate(rows)],
        dtype=object,
    )
    # Integer positions with tick text: names that look like numbers or dates stay labels.
    return go.Heatmap(
        z=_finite(values),
        x=np.arange(len(columns)),
        y=np.arange(len(rows)),
        text=cells,
        texttemplate="%{text}",
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        colorscale="RdBu",
        zmid=zmid,
        xgap=2,
        ygap=2,
        **trace,
    )


def parameters_heatmap(
    weight: np.ndarray,
    bias: np.ndarray,
    input_names: Sequence[str],
    target_names: Sequence[str],
    *,
    weight_title: str,
    bias_title: str,
    zmid: float | None = 0,
) -> go.Figure:
    """weight (K, D) and bias (K,) side by side in one figure, sharing the target rows.

    Each has its own colour scale (a bias can be far larger than the weights); the colour bar
    is the weight's. The bias column is headed ``bias_title``. Used for the parameters and for
    their gradients.
    """
    weight = np.asarray(weight, dtype=np.float64)
    bias = np.asarray(bias, dtype=np.float64).reshape(-1, 1)
    rows, columns = [_text(n) for n in target_names], [_text(n) for n in input_names]
    split = len(columns) / (len(columns) + 1.3)  # the bias gets about one column's width
    fig = _figure(_text(weight_title), height=min(150 + 45 * len(rows), 680))
    fig.add_trace(_heatmap_trace(weight, rows, columns, zmid, colorbar=dict(thickness=10, len=0.9)))
    fig.add_trace(
        _heatmap_trace(bias, rows, [_text(bias_title)], zmid, xaxis="x2", showscale=False)
    )
    top = dict(side="top", showgrid=False)
    fig.update_layout(
        # The title at the very top, the column names (ticks on top) below it: Streamlit's
        # theme would otherwise draw a long title across them.
        title=dict(yref="container", y=1, yanchor="top", pad=dict(t=8)),
        margin_t=80,
        xaxis=dict(
            domain=[0, split - 0.03], tickvals=np.arange(len(columns)), ticktext=columns, **top
        ),
        xaxis2=dict(domain=[split + 0.03, 1], tickvals=[0], ticktext=[_text(bias_title)], **top),
        yaxis=dict(
            tickvals=np.arange(len(rows)), ticktext=rows, autorange="reversed", showgrid=False
        ),
    )
    return fig


def _sample_rows(n_rows: int, max_points: int) -> np.ndarray:
    """All rows, or a fixed random sample of ``max_points`` of them in order."""
    if n_rows <= max_points:
        return np.arange(n_rows)
    return np.sort(np.random.default_rng(0).choice(n_rows, max_points, replace=False))


def predicted_vs_actual(
    actual: np.ndarray,
    predicted: np.ndarray,
    target_names: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    row_ids: np.ndarray | None = None,
    max_points: int = 5000,
) -> go.Figure:
    """Predicted (N, K) against actual (N, K), a colour per target, and the y = x line.

    Labels used: row, actual, predicted, identity. ``row_ids`` (N,) name rows in the hover
    (default 0 … N-1). Past ``max_points`` rows a fixed random sample is drawn.
    """
    text = _labels(labels)
    actual, predicted = _finite(actual), _finite(predicted)
    row_ids = np.arange(len(actual)) if row_ids is None else np.asarray(row_ids)
    rows = _sample_rows(len(actual), max_points)
    fig = _figure(title, height=400)
    for k, name in enumerate(target_names):
        fig.add_trace(
            go.Scatter(
                x=actual[rows, k],
                y=predicted[rows, k],
                customdata=row_ids[rows],
                mode="markers",
                name=_text(name),
                marker=dict(color=COLOURS[k % len(COLOURS)], size=8, opacity=0.8),
                hovertemplate=(
                    f"{text['row']} %{{customdata}}<br>{text['actual']} %{{x:.4~g}}"
                    f"<br>{text['predicted']} %{{y:.4~g}}<extra>{_text(name)}</extra>"
                ),
            )
        )
    both = np.concatenate([actual.ravel(), predicted.ravel()])
    both = both[np.isfinite(both)]
    if both.size:
        span = np.array([both.min(), both.max()])
        fig.add_trace(
            go.Scatter(
                x=span,
                y=span,
                mode="lines",
                name=text["identity"],
                line=dict(color="#7f7f7f", width=1.5, dash="dash"),
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title_text=text["actual"])
    fig.update_yaxes(title_text=text["predicted"])
    return fig


def fitted_line(
    x: np.ndarray,
    targets: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray,
    input_name: str,
    target_names: Sequence[str],
    *,
    labels: Mapping[str, str] | None = None,
    title: str = "",
    max_points: int = 5000,
) -> go.Figure:
    """With one input x (N,): targets (N, K) as points and each line weight[k]·x + bias[k].

    Labels used: fitted. Lines span [min x, max x]; past ``max_points`` rows a fixed random
    sample of points is drawn.
    """
    text = _labels(labels)
    x, targets = _finite(x), _finite(targets)
    weight, bias = np.asarray(weight, dtype=np.float64), np.asarray(bias, dtype=np.float64)
    rows = _sample_rows(len(x), max_points)
    finite_x = x[np.isfinite(x)]
    ends = np.array([finite_x.min(), finite_x.max()]) if finite_x.size else np.empty(0)
    names = [_text(n) for n in target_names]
    fig = _figure(title, height=400)
    for k, name in enumerate(names):
        colour = COLOURS[k % len(COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=x[rows],
                y=targets[rows, k],
                mode="markers",
                name=name,
                legendgroup=str(k),
                marker=dict(color=colour, size=8, opacity=0.8),
                hovertemplate=f"{_text(input_name)} %{{x:.4~g}}<br>{name} %{{y:.4~g}}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=ends,
                y=weight[k] * ends + bias[k],
                mode="lines",
                name=f"{name} · {text['fitted']}",
                legendgroup=str(k),
                line=dict(color=colour, width=2.5),
                hovertemplate=f"{_text(input_name)} %{{x:.4~g}}<br>{name} %{{y:.4~g}}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text=_text(input_name))
    fig.update_yaxes(title_text=", ".join(names))
    return fig


def _path_indices(n: int, max_points: int) -> np.ndarray:
    """Indices into a path of n points: all, or half evenly and half log-spaced (early steps move most)."""
    if n <= max_points:
        return np.arange(n)
    even = np.linspace(0, n - 1, max_points // 2)
    early = np.geomspace(1, n, max_points - max_points // 2) - 1
    return np.unique(np.round(np.concatenate([even, early])).astype(np.int64))


def loss_landscape(
    w1_grid: np.ndarray,
    w2_grid: np.ndarray,
    loss_grid: np.ndarray,
    path_w1: np.ndarray,
    path_w2: np.ndarray,
    optimum: tuple[float, float] | None,
    *,
    names: tuple[str, str],
    labels: Mapping[str, str] | None = None,
    title: str = "",
    max_path_points: int = 500,
) -> go.Figure:
    """Contours of log10(loss) over two parameters, the path training took, and the optimum.

    w1_grid (A,) runs along x, w2_grid (B,) along y, loss_grid is (B, A). The path (P,) goes
    from its start to the current values. Labels used: loss, path, start, current, optimum.
    """
    text = _labels(labels)
    first, second = _text(names[0]), _text(names[1])
    loss = _finite(loss_grid)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_loss = np.where(loss > 0, np.log10(np.where(loss > 0, loss, 1.0)), np.nan)
    fig = _figure(title, height=460)
    at = f"{first} %{{x:.4~g}}<br>{second} %{{y:.4~g}}"
    contour = dict(
        x=np.asarray(w1_grid, dtype=np.float64),
        y=np.asarray(w2_grid, dtype=np.float64),
        z=log_loss.astype(np.float32),  # plenty for colours, half the bytes
        customdata=loss,
        colorscale="Viridis",
        ncontours=24,
        hovertemplate=f"{at}<br>{text['loss']} %{{customdata:.4~g}}<extra></extra>",
    )
    finite = log_loss[np.isfinite(log_loss)]
    if finite.size:
        # Colour by log10(loss) but label the colour bar with the loss itself.
        ticks = np.linspace(finite.min(), finite.max(), 5)
        contour["colorbar"] = dict(
            title=dict(text=text["loss"], side="right"),
            thickness=12,
            tickvals=ticks,
            ticktext=[_number(10.0**t) for t in ticks],
        )
    fig.add_trace(go.Contour(**contour))
    path_w1, path_w2 = _finite(path_w1), _finite(path_w2)
    steps = _path_indices(len(path_w1), max_path_points)
    path = dict(hovertemplate=f"{at}<extra></extra>")
    fig.add_trace(
        go.Scatter(
            x=path_w1[steps],
            y=path_w2[steps],
            mode="lines+markers",
            name=text["path"],
            line=dict(color="white", width=2),
            marker=dict(color="white", size=4),
            **path,
        )
    )
    if len(path_w1):
        for name, i, symbol in ((text["start"], 0, "circle-open"), (text["current"], -1, "circle")):
            fig.add_trace(
                go.Scatter(
                    x=path_w1[[i]],
                    y=path_w2[[i]],
                    mode="markers",
                    name=name,
                    marker=dict(
                        color="#d62728", size=12, symbol=symbol, line=dict(color="white", width=2)
                    ),
                    **path,
                )
            )
    if optimum is not None:
        fig.add_trace(
            go.Scatter(
                x=np.array([optimum[0]], dtype=np.float64),
                y=np.array([optimum[1]], dtype=np.float64),
                mode="markers",
                name=text["optimum"],
                marker=dict(
                    color="gold", size=18, symbol="star", line=dict(color="black", width=1)
                ),
                **path,
            )
        )
    fig.update_xaxes(title_text=first, showgrid=False)
    fig.update_yaxes(title_text=second, showgrid=False)
    return fig
