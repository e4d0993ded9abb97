"""Plotly figures for the dashboard; every title and axis label comes in already localised.

Plotly renders a subset of HTML in labels, so every category, series name, title and hover
text goes through ``chart_label`` (one escaping helper, ``data.text.markup``): a role title
``<a href=…>`` shows as typed, never as a link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from analytics.geo import iso_numeric, projected_shapes
from data.text.markup import chart_label


def _cats(values: Sequence[object] | pd.Series) -> list[str]:
    return [chart_label(v) for v in values]


PALETTE = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#1b7c83", "#6e7781"]
FONT = "Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif"


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=chart_label(title),
        height=height,
        margin=dict(l=10, r=10, t=50, b=10),
        font=dict(family=FONT),
        template="plotly_white",
    )
    return fig


def funnel(stages: Sequence[str], counts: Sequence[int], title: str) -> go.Figure:
    fig = go.Figure(
        go.Funnel(
            y=_cats(stages),
            x=list(counts),
            texttemplate="%{value:,}<br>%{percentPrevious:.0%}",
            marker=dict(color=PALETTE[0]),
        )
    )
    return _layout(fig, title)


def time_in_stage(
    df: pd.DataFrame,
    stage_labels: Sequence[str],
    title: str,
    axis: str,
    legend: tuple[str, str, str] = ("p25–p75", "median", "p90"),
) -> go.Figure:
    """Median with the 25th–75th percentile band and the 90th percentile marked."""
    fig = go.Figure()
    fig.add_bar(
        y=_cats(stage_labels),
        x=df["p75"] - df["p25"],
        base=df["p25"],
        orientation="h",
        marker=dict(color="rgba(31,111,235,0.25)"),
        name=legend[0],
        hoverinfo="skip",
    )
    fig.add_scatter(
        y=_cats(stage_labels),
        x=df["median"],
        mode="markers",
        name=legend[1],
        marker=dict(color=PALETTE[0], size=12, symbol="diamond"),
    )
    fig.add_scatter(
        y=_cats(stage_labels),
        x=df["p90"],
        mode="markers",
        name=legend[2],
        marker=dict(color=PALETTE[3], size=8, symbol="line-ns-open"),
    )
    fig.update_xaxes(title=axis)
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title)


def bars(
    labels: Sequence[str],
    values: Sequence[float],
    title: str,
    axis: str,
    horizontal: bool = False,
    percent: bool = False,
) -> go.Figure:
    if horizontal:
        fig = go.Figure(
            go.Bar(y=_cats(labels), x=list(values), orientation="h", marker_color=PALETTE[0])
        )
        fig.update_xaxes(title=axis, tickformat=".0%" if percent else None)
        fig.update_yaxes(autorange="reversed")
    else:
        fig = go.Figure(go.Bar(x=_cats(labels), y=list(values), marker_color=PALETTE[0]))
        fig.update_yaxes(title=axis, tickformat=".0%" if percent else None)
    return _layout(fig, title)


def trend(
    df: pd.DataFrame,
    column: str,
    title: str,
    axis: str,
    percent: bool = False,
    month_format: str = "%b %Y",
    partial_label: str = "partial month",
    target: float | None = None,
    target_label: str = "target",
) -> go.Figure:
    """A monthly line; ``month_format`` (d3 time format) labels the months in the user's
    language (plotly's own month names are English only). Months flagged ``partial`` are
    drawn dotted with a hollow marker and labelled, so a short last month does not read as a
    drop; ``target`` draws a dashed line."""
    partial = df["partial"].astype(bool) if "partial" in df else pd.Series(False, index=df.index)
    full = df[~partial]
    fig = go.Figure(
        go.Scatter(
            x=full["month"],
            y=full[column],
            mode="lines+markers",
            line=dict(color=PALETTE[0]),
            name=axis,
            showlegend=False,
        )
    )
    if partial.any():
        segments = partial_segments(df.index, partial)
        xs: list[object] = []
        ys: list[object] = []
        for a, b in segments:  # one dotted piece per partial month, gaps in between
            xs += [df.loc[a, "month"], df.loc[b, "month"], None]
            ys += [df.loc[a, column], df.loc[b, column], None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line=dict(color=PALETTE[0], dash="dot"),
                hoverinfo="skip",
                connectgaps=False,
                showlegend=False,
            )
        )
        idx = [i for i in df.index if partial[i]]
        first, last = df.index[0], df.index[-1]
        fig.add_trace(
            go.Scatter(
                x=df.loc[idx, "month"],
                y=df.loc[idx, column],
                mode="markers+text",
                marker=dict(color="white", line=dict(color=PALETTE[0], width=2), size=9),
                text=[partial_label] * len(idx),
                # labels lean inwards at either end, so the plot edge does not cut them
                textposition=[
                    "top right"
                    if i == first and i != last
                    else "top left"
                    if i == last
                    else "top center"
                    for i in idx
                ],
                cliponaxis=False,
                name=partial_label,
                showlegend=False,
            )
        )
    if target is not None:
        fig.add_hline(
            y=target,
            line_dash="dash",
            line_color="#e8590c",
            annotation_text=target_label,
            annotation_position="top left",
        )
    fig.update_xaxes(tickformat=month_format, hoverformat=month_format)
    fig.update_yaxes(title=axis, tickformat=".0%" if percent else None, rangemode="tozero")
    return _layout(fig, title, height=300)


def partial_segments(index: pd.Index, partial: pd.Series) -> list[tuple[object, object]]:
    """The dotted pieces of a monthly line: each partial month joined to its nearest full
    neighbour (the previous one, or the next one for a partial first month). Never one piece
    across the chart from a partial first month to a partial last one."""
    pos = list(index)
    out: list[tuple[object, object]] = []
    for n, i in enumerate(pos):
        if not partial[i]:
            continue
        if n > 0 and not partial[pos[n - 1]]:
            out.append((pos[n - 1], i))
        elif n + 1 < len(pos) and not partial[pos[n + 1]]:
            out.append((i, pos[n + 1]))
    return out


def heatmap(matrix: pd.DataFrame, title: str, colorbar: str) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=matrix.values,
            x=_cats(matrix.columns),
            y=_cats(matrix.index),
            colorscale="Blues",
            zmin=0,
            zmax=1,
            colorbar=dict(title=colorbar),
        )
    )
    # one column per skill leaves ~20 px per label: upright labels overlap at any slant
    fig.update_xaxes(tickangle=-90, tickfont=dict(size=11), automargin=True)
    longest = max((len(str(c)) for c in matrix.columns), default=0)
    return _layout(fig, title, height=max(320, 28 * len(matrix.index) + 60 + 7 * longest))


def demand_supply(
    names: Sequence[str],
    demand: Sequence[float],
    supply: Sequence[float],
    title: str,
    labels: tuple[str, str],
) -> go.Figure:
    fig = go.Figure()
    fig.add_bar(
        y=_cats(names), x=list(demand), orientation="h", name=labels[0], marker_color=PALETTE[3]
    )
    fig.add_bar(
        y=_cats(names), x=list(supply), orientation="h", name=labels[1], marker_color=PALETTE[1]
    )
    fig.update_layout(barmode="group")
    fig.update_xaxes(tickformat=".0%")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(320, 24 * len(names) + 120))


def grouped(
    df: pd.DataFrame,
    x: str,
    series: Sequence[tuple[str, str]],
    title: str,
    axis: str,
    percent: bool = False,
    horizontal: bool = False,
) -> go.Figure:
    """Grouped bars; ``horizontal`` for many or long category names (no rotated labels)."""
    fig = go.Figure()
    for i, (col, name) in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        if horizontal:
            fig.add_bar(
                y=_cats(df[x]),
                x=df[col],
                name=chart_label(name),
                orientation="h",
                marker_color=color,
            )
        else:
            fig.add_bar(x=_cats(df[x]), y=df[col], name=chart_label(name), marker_color=color)
    fig.update_layout(barmode="group")
    value_axis = fig.update_xaxes if horizontal else fig.update_yaxes
    value_axis(title=axis, tickformat=".0%" if percent else None)
    if horizontal:
        fig.update_yaxes(autorange="reversed")
        fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return _layout(fig, title)


def world_map(
    iso2: Sequence[str], values: Sequence[float], names: Sequence[str], title: str, colorbar: str
) -> go.Figure:
    """A choropleth drawn as filled x/y polygons from the bundled shapes: no CDN, no tiles."""
    by_num = {}
    for code, v, n in zip(iso2, values, names, strict=True):
        num = iso_numeric(code) if code else None
        if num:
            by_num[num] = (float(v), n)
    vmax = max([v for v, _ in by_num.values()] or [1.0]) or 1.0
    fig = go.Figure()
    empty_x: list[float | None] = []
    empty_y: list[float | None] = []
    for shape in projected_shapes():
        if shape.numeric not in by_num:
            empty_x.extend(shape.xs)
            empty_y.extend(shape.ys)
    fig.add_scatter(
        x=empty_x,
        y=empty_y,
        fill="toself",
        mode="lines",
        hoverinfo="skip",
        line=dict(color="#ffffff", width=0.5),
        fillcolor="#e6e8eb",
        showlegend=False,
    )
    for shape in projected_shapes():
        if shape.numeric not in by_num:
            continue
        v, label = by_num[shape.numeric]
        color = sample_colorscale("Blues", [min(1.0, 0.2 + 0.8 * v / vmax)])[0]
        fig.add_scatter(
            x=shape.xs,
            y=shape.ys,
            fill="toself",
            mode="lines",
            fillcolor=color,
            line=dict(color="#ffffff", width=0.5),
            hoveron="fills",
            name=chart_label(f"{label}: {v:,.0f}"),
            text=chart_label(f"{label}: {v:,.0f}"),
            hoverinfo="text",
            showlegend=False,
        )
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        showlegend=False,
        hoverinfo="skip",
        marker=dict(
            colorscale="Blues",
            cmin=0,
            cmax=vmax,
            color=[0],
            showscale=True,
            colorbar=dict(title=colorbar),
        ),
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(plot_bgcolor="#ffffff")
    return _layout(fig, title, height=420)


def confusion(
    matrix: Sequence[Sequence[int]], labels: Sequence[str], title: str, axes: tuple[str, str]
) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=matrix,
            x=_cats(labels),
            y=_cats(labels),
            colorscale="Blues",
            text=matrix,
            texttemplate="%{text}",
            showscale=False,
        )
    )
    fig.update_xaxes(title=axes[0])
    fig.update_yaxes(title=axes[1], autorange="reversed")
    return _layout(fig, title, height=320)


def reliability(
    curves: dict[str, tuple[Sequence[float], Sequence[float]]], title: str, axes: tuple[str, str]
) -> go.Figure:
    fig = go.Figure()
    fig.add_scatter(
        x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="#999"), showlegend=False
    )
    for i, (name, (x, y)) in enumerate(curves.items()):
        fig.add_scatter(
            x=list(x),
            y=list(y),
            mode="lines+markers",
            name=name,
            line=dict(color=PALETTE[i % len(PALETTE)]),
        )
    fig.update_xaxes(title=axes[0], range=[0, 1])
    fig.update_yaxes(title=axes[1], range=[0, 1])
    return _layout(fig, title, height=320)


def fan_chart(
    df: pd.DataFrame, labels: dict[str, str], title: str, date_format: str = "%b %-d, %Y"
) -> go.Figure:
    """Cumulative plan against expected fills with the 80 % band (``analytics.forecast.fan``);
    ``date_format`` (d3 time format) writes the dates in the user's language (plotly's own
    month names are English only)."""
    fig = go.Figure()
    x = list(df["target_start"])
    fig.add_trace(
        go.Scatter(
            x=x, y=df["high"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"
        )
    )
    fig.add_trace(
        go.Scatter(
            x=x,
            y=df["low"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(31,119,180,0.25)",
            name=labels["band"],
        )
    )
    fig.add_trace(go.Scatter(x=x, y=df["expected"], mode="lines+markers", name=labels["expected"]))
    fig.add_trace(
        go.Scatter(x=x, y=df["plan"], mode="lines", line={"dash": "dash"}, name=labels["plan"])
    )
    fig.update_yaxes(title=labels["y"])
    fig.update_xaxes(tickformat=date_format, hoverformat=date_format)
    return _layout(fig, title)


def histogram(
    values: Sequence[float], title: str, x_title: str, marker: float | None = None
) -> go.Figure:
    fig = go.Figure(go.Histogram(x=list(values), nbinsx=40))
    if marker is not None:
        fig.add_vline(x=marker, line_dash="dash")
    fig.update_xaxes(title=x_title)
    return _layout(fig, title)


def survival(curves: Sequence[Any], title: str, x_title: str, y_title: str) -> go.Figure:
    """Kaplan–Meier curves (``analytics.retention.Curve``) with their confidence bands."""
    fig = go.Figure()
    palette = [
        "31,119,180",
        "255,127,14",
        "44,160,44",
        "214,39,40",
        "148,103,189",
        "140,86,75",
        "227,119,194",
        "127,127,127",
    ]
    for i, c in enumerate(curves[:8]):
        rgb = palette[i % len(palette)]
        x = list(c.timeline)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(c.upper),
                mode="lines",
                line={"width": 0, "shape": "hv"},
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(c.lower),
                mode="lines",
                line={"width": 0, "shape": "hv"},
                fill="tonexty",
                fillcolor=f"rgba({rgb},0.15)",
                showlegend=False,
                hoverinfo="skip",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(c.survival),
                mode="lines",
                line={"shape": "hv", "color": f"rgb({rgb})"},
                name=f"{c.group} (n={c.n})",
            )
        )
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title=y_title, range=[0, 1.02], tickformat=".0%")
    return _layout(fig, title)
