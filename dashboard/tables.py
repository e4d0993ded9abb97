"""Tables the way a reader expects them: numbers right-aligned with thousands separators,
shares as percentages with one decimal, days with one decimal, headers in the user's language.

Numbers stay numbers (so columns sort numerically); only their display is formatted.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st


def show(df: pd.DataFrame, labels: Mapping[str, str], *, key: str,
         counts: Iterable[str] = (), percents: Iterable[str] = (), days: Iterable[str] = (),
         height: int | str = "auto") -> None:
    """Draw the ``labels`` columns of ``df`` (in that order, headed by their labels).

    ``counts`` are whole numbers, ``percents`` are shares (0..1, shown as 12.3%), ``days``
    are fractional days (shown with one decimal).
    """
    out = df[list(labels)].copy()
    config: dict[str, st.column_config.NumberColumn] = {}
    for col in counts:
        config[labels[col]] = st.column_config.NumberColumn(format="localized")
    for col in percents:
        out[col] = pd.to_numeric(out[col], errors="coerce") * 100
        config[labels[col]] = st.column_config.NumberColumn(format="%.1f%%")
    for col in days:
        out[col] = pd.to_numeric(out[col], errors="coerce")
        config[labels[col]] = st.column_config.NumberColumn(format="%.1f")
    st.dataframe(out.rename(columns=dict(labels)), hide_index=True, column_config=config,
                 key=key, height=height)
