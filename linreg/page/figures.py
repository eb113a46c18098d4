"""Plotly figures the server draws (the loss landscape): numbers in, a plain ``go.Figure`` out.

The live views (weights, loss curve, predictions) are drawn in the browser by
``linreg.page.component``, from numbers.

Every word shown arrives as an argument (the page speaks English and Spanish) and passes
through ``_text``: Plotly renders a subset of HTML (and ``$…$`` as LaTeX) in titles, ticks,
legends and hover labels, and a column name must be shown, never interpreted.
Traces are built from numpy arrays, which Plotly serializes as compact binary.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from linreg.formatting import number as _number

# English defaults; the page passes its own translations under the same keys.
DEFAULT_LABELS: dict[str, str] = {
    "loss": "Loss",
    "optimum": "Least-squares optimum",
    "path": "Training path",
    "start": "Start",
    "current": "Now",
}

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
