"""File uploaders that speak the page's language.

Streamlit draws its uploader's button ("Upload") and limits line ("20MB per file • PDF, DOCX")
in English whatever the page's language, with no option to change them. In Chinese the two
are covered by the catalog's words with a style scoped to the one uploader (Streamlit gives
a keyed widget's container the class ``st-key-<key>``); the widget itself is untouched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from dashboard.i18n import lang, t

_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
_LIMITS = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def _css_text(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def file_uploader(
    label: str, *, types: Sequence[str], key: str, multiple: bool = False
) -> Any:  # Streamlit's UploadedFile, a list of them, or None
    """``st.file_uploader`` whose button and limits line are in the page's language."""
    if lang() != "en":
        mb = int(st.get_option("server.maxUploadSize"))
        kinds = "、".join(x.upper() for x in types)
        scope = f".st-key-{key}"
        button = _css_text(t("upload.button"))
        limits = _css_text(t("upload.limits", mb=mb, kinds=kinds))
        st.html(
            "<style>"
            f"{scope} {_BUTTON} {{font-size:0}}"
            f"{scope} {_BUTTON}::after {{content:{button};font-size:0.875rem}}"
            f"{scope} {_LIMITS} {{font-size:0}}"
            f"{scope} {_LIMITS}::after {{content:{limits};font-size:0.875rem}}"
            "</style>"
        )
    return st.file_uploader(label, type=list(types), accept_multiple_files=multiple, key=key)
