"""User text is never markup: one place that makes text safe where it meets Markdown or a chart.

Role titles, file names, reviewer names, document labels and error messages come from users
and from files. Streamlit renders Markdown in ``st.markdown``, ``st.subheader``, ``st.error``,
captions and widget and expander labels, so ``![x](http://host/beacon.png)`` in a role title
made every recruiter's browser fetch that image, and ``[Click](https://…)`` became a live link.
Plotly renders a subset of HTML in category labels, titles and hover text, so
``<a href=…>`` in a role title was a live link in the heatmap.

- ``md_plain(text)``: every character Markdown (and Streamlit's extensions: ``:emoji:``,
  ``:red[…]``, ``$math$``) gives meaning to is backslash-escaped, so it shows as typed.
- ``chart_label(text)``: HTML-escaped (Plotly shows ``&lt;`` as ``<`` and never makes a tag).
- ``hide_paths(text)``: absolute file paths reduced to their last part, so a message shown to
  a browser never tells where the server keeps its files.
"""

from __future__ import annotations

import html
import re

_MD_SPECIAL = frozenset("\\`*_{}[]()<>#+-.!|~$:=&\"'^")

_PATH = re.compile(
    r"""(?<![\w.:/\\])        # not inside a word, a URL or another path
    (?:[A-Za-z]:[\\/]|/)      # a POSIX root or a Windows drive
    (?:[^\s'"<>|:;,()\[\]\\/]+[\\/])+  # one or more folders
    (?=[^\s'"<>|:;,()\[\]\\/])  # followed by the last part, which is kept
    """,
    re.VERBOSE,
)


def md_plain(text: object) -> str:
    """``text`` escaped for Markdown: it renders exactly as typed (no link, image, emphasis,
    heading, list, emoji shortcode, colour or formula); line breaks become spaces."""
    s = " ".join(str(text).splitlines())
    return "".join("\\" + c if c in _MD_SPECIAL else c for c in s)


def chart_label(text: object) -> str:
    """``text`` for a Plotly label, title or hover text: HTML-escaped, so no tag is made."""
    return html.escape(str(text), quote=True)


def hide_paths(text: object) -> str:
    """``text`` with every absolute path (``/srv/talentmap/var/uploads/x.md``,
    ``C:\\data\\x.md``) cut down to its last part (``x.md``)."""
    return _PATH.sub("", str(text))
