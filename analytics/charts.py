"""Plotly figures shared by the dashboard and the hiring report.

Functions take plain lists (no SQL, no Streamlit) and return a ``go.Figure``; the report
renders them to PNG with kaleido, the dashboard draws them live. Others may append functions
here; keep each one self-contained.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

FONT = "Noto Sans CJK SC, Noto Sans, Arial, sans-serif"
PALETTE = ["#3b5bdb", "#12b886", "#f59f00", "#e64980", "#7950f2", "#15aabf", "#868e96"]


def _layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0.0},
        height=height,
        width=760,
        margin={"l": 140, "r": 30, "t": 50, "b": 40},
        font={"family": FONT, "size": 12},
        template="plotly_white",
        showlegend=False,
    )
    return fig


def funnel_figure(stages: Sequence[str], counts: Sequence[int], *, title: str) -> go.Figure:
    """Applications reaching each stage, widest first."""
    fig = go.Figure(
        go.Funnel(
            y=list(stages),
            x=list(counts),
            # full numbers ("12,802", not plotly's "12.802k") and the share of the first stage
            texttemplate="%{value:,d} (%{percentInitial:.0%})",
            marker={"color": PALETTE[0]},
        )
    )
    return _layout(fig, title)


def bar_figure(
    labels: Sequence[str], values: Sequence[float], *, title: str, color: str = PALETTE[1]
) -> go.Figure:
    """A horizontal bar per label (largest at the top)."""
    fig = go.Figure(
        go.Bar(
            y=list(labels)[::-1],
            x=list(values)[::-1],
            orientation="h",
            marker={"color": color},
            text=list(values)[::-1],
            textposition="auto",
        )
    )
    return _layout(fig, title, height=max(220, 60 + 28 * len(labels)))


def impact_ratio_figure(
    groups: Sequence[str],
    ratios: Sequence[float],
    *,
    title: str,
    threshold: float = 0.8,
    threshold_label: str = "four-fifths line",
) -> go.Figure:
    """Impact ratio per group, red under the four-fifths line, with the line drawn."""
    colours = ["#e03131" if r < threshold else PALETTE[0] for r in ratios]
    fig = go.Figure(
        go.Bar(
            y=list(groups)[::-1],
            x=list(ratios)[::-1],
            orientation="h",
            marker={"color": colours[::-1]},
            text=[f"{r:.2f}" for r in ratios][::-1],
            textposition="auto",
        )
    )
    fig.add_vline(
        x=threshold,
        line_dash="dash",
        line_color="#e03131",
        annotation_text=threshold_label,
        annotation_position="top",
    )
    fig.update_xaxes(range=[0, max([1.05, *ratios])])
    return _layout(fig, title, height=max(220, 60 + 28 * len(groups)))
