"""Tables the way a reader expects them: numbers right-aligned with thousands separators,
shares as percentages with one decimal, days with one decimal, ratios with two, a dash where
there is no value, headers in the user's language.

Numbers stay numbers (so columns sort numerically); only their display is formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import streamlit as st

MISSING = "—"


def _count(v: float) -> str:
    return f"{v:,.0f}"


def _percent(v: float) -> str:
    return f"{v * 100:.1f}%"


def _days(v: float) -> str:
    return f"{v:,.1f}"


def _ratio(v: float) -> str:
    return f"{v:,.2f}"


def header_width(header: str) -> int:
    """Pixels a column needs so its header is not cut ("Median day…"): about 7 px a Latin
    character and 14 px a CJK one (the header font), plus the cell padding and the sort icon."""
    wide = sum(1 for ch in header if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return 7 * (len(header) - wide) + 14 * wide + 30


def show(
    df: pd.DataFrame,
    labels: Mapping[str, str],
    *,
    key: str,
    counts: Iterable[str] = (),
    percents: Iterable[str] = (),
    days: Iterable[str] = (),
    ratios: Iterable[str] = (),
    height: int | str = "auto",
) -> None:
    """Draw the ``labels`` columns of ``df`` (in that order, headed by their labels).

    ``counts`` are whole numbers, ``percents`` are shares (0..1, shown as 12.3%), ``days``
    are fractional days (shown with one decimal), ``ratios`` have two decimals (compa-ratios,
    weights); missing values show as a dash.
    """
    out = df[list(labels)].rename(columns=dict(labels))
    formats: dict[str, Callable[[float], str]] = {}
    config = {}
    for cols, fn in ((counts, _count), (percents, _percent), (days, _days), (ratios, _ratio)):
        for col in cols:
            name = labels[col]
            values = pd.to_numeric(out[name], errors="coerce")
            config[name] = st.column_config.Column(width=header_width(name), alignment="right")
            if values.isna().any():  # Streamlit draws a missing number as "None": use text
                out[name] = [MISSING if v != v else fn(v) for v in values]
            else:
                out[name] = values
                formats[name] = fn
    for name in out.columns:  # text columns keep their own width (sized to their content)
        if (
            name not in config and out[name].dtype == object
        ):  # text: a dash, not Streamlit's grey "None"
            out[name] = [MISSING if v is None or v != v else v for v in out[name]]
    st.dataframe(
        out.style.format(formats), hide_index=True, column_config=config, key=key, height=height
    )
