"""Every piece of text a rendered page or report shows, for language checks.

``page_texts(at)`` walks an AppTest element tree: widget labels, options, help and placeholder
text, markdown, metrics, table headers and cells (DataFrame values, not the Arrow bytes) and
the user-facing parts of Plotly charts (titles, axis titles, legend names, category ticks,
hover text). ``report_texts(...)`` reads an exported report file back the way its reader would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pandas as pd
from google.protobuf.json_format import MessageToDict

SKIP_FIELDS = {
    "id",
    "formId",
    "key",
    "type",
    "data",
    "spec",
    "theme",
    "useContainerWidth",
    "arrowData",
    "styles",
    "format",
    "columns",
    "editingMode",
    "selectionMode",
    "dtype",
    "icon",
    "width",
    "height",
}


def _strings(value: Any, field: str = "") -> Iterator[str]:
    if field in SKIP_FIELDS:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, field)


def _frame(df: pd.DataFrame) -> Iterator[str]:
    yield from (str(c) for c in df.columns)
    if not isinstance(df.index, pd.RangeIndex):
        yield from (str(i) for i in df.index)
    for col in df.columns:
        for v in df[col].tolist():
            if v is None or (isinstance(v, float) and v != v):
                yield "None"  # a missing value shown raw (pandas/Streamlit show None/nan)
            elif isinstance(v, str):
                yield v


def _plotly(spec: str) -> Iterator[str]:
    fig = json.loads(spec)
    fig = fig.get("figure", fig)
    layout = fig.get("layout", {})
    for key, part in layout.items():
        if key == "template":
            continue
        if key == "title" or key.startswith(("xaxis", "yaxis", "legend", "coloraxis")):
            yield from _strings(part)
        if key == "annotations":
            yield from (a.get("text", "") for a in part)
    for trace in fig.get("data", []):
        for field in ("name", "text", "hovertext", "labels", "hovertemplate"):
            yield from _strings(trace.get(field))
        for field in ("x", "y", "z"):
            values = trace.get(field)
            if isinstance(values, list):
                yield from (v for v in _strings(values) if not _numberish(v))
        if "colorbar" in (trace.get("marker") or {}):
            yield from _strings(trace["marker"]["colorbar"].get("title"))
        if "colorbar" in trace:
            yield from _strings(trace["colorbar"].get("title"))


def _numberish(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return v[:4].isdigit()  # dates and months on an axis


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _walk(child)


def page_texts(at: Any) -> list[str]:
    """Every text the page in ``at`` (an AppTest after ``run``) shows."""
    out: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        kind = getattr(node, "type", "")
        if proto is None:
            continue
        if kind in ("arrow_data_frame", "arrow_table", "dataframe", "table"):
            out.extend(_frame(node.value))
            continue
        if kind == "plotly_chart":
            out.extend(_plotly(proto.spec))
            continue
        try:
            out.extend(_strings(MessageToDict(proto)))
        except Exception:  # an element without a message (a block)
            continue
    return [s for s in out if s and s.strip()]
