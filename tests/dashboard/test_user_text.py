"""User text is never markup (issue 15): role titles, labels and error messages reach the
browser as typed. The independent answer is a CommonMark renderer (markdown-it, what
Streamlit's front end follows) and Plotly's own HTML subset."""

from __future__ import annotations

import html
import json

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import update

from data.errors import InputError
from data.store.engine import session_scope
from data.store.models import Role
from data.text.markup import chart_label, hide_paths, md_plain

HOSTILE = [
    "![x](http://host/beacon.png)",
    "[Click for your bonus](https://evil.example/pay)",
    '<a href="https://evil.example">Senior engineer</a>',
    "<img src=x onerror=alert(1)>",
    "# Heading *bold* _it_ `code` ~~gone~~",
    "https://evil.example/autolink",
    ":red[alarm] :material/warning: $x^2$",
    "1. list\n- item\n> quote",
    "\\![escaped](http://host/x.png)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_shows_the_text_as_typed(text: str) -> None:
    rendered = MarkdownIt("commonmark").enable("strikethrough").render(md_plain(text))
    assert "<img" not in rendered and "<a " not in rendered and "<h1" not in rendered
    assert "<em>" not in rendered and "<strong>" not in rendered and "<code>" not in rendered
    # what a reader sees is the original text (line breaks as spaces)
    shown = html.unescape(rendered.removeprefix("<p>").removesuffix("</p>\n"))
    assert shown == " ".join(text.splitlines())


@pytest.mark.parametrize("text", HOSTILE)
def test_chart_labels_are_never_tags(text: str) -> None:
    label = chart_label(text)
    assert "<" not in label and ">" not in label
    assert html.unescape(label) == text  # plotly shows the entities as the characters


def test_error_messages_never_show_server_paths(tmp_path) -> None:
    from data.ingest.documents import read_document

    bad = tmp_path / "uploads" / "documents" / "plan.md"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"\x00\x01binary")
    with pytest.raises(InputError) as err:
        read_document(bad)
    assert str(tmp_path) in str(err.value)  # the premise: the importer names the full path
    shown = hide_paths(str(err.value))
    assert str(tmp_path) not in shown and "uploads" not in shown and "plan.md" in shown
    assert hide_paths("see https://docs.example/a/b.md, ratio 1/2") == (
        "see https://docs.example/a/b.md, ratio 1/2"
    )
    assert hide_paths(r"C:\Users\hr\cv.docx: too big") == "cv.docx: too big"


def test_a_hostile_role_title_is_plain_text_in_the_heatmap(seeded_sqlite, make_app) -> None:
    engine, _ = seeded_sqlite
    title = '<a href="https://evil.example">ML engineer</a>'
    with session_scope(engine) as s:
        s.execute(update(Role).values(title_en=title))
    at = make_app(engine).run()
    at.switch_page("app_pages/roles_skills.py").run()
    assert not at.exception
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    labels = [str(v) for spec in specs for tr in spec["data"] for v in tr.get("y") or []]
    assert chart_label(title) in labels
    assert not [v for v in labels if "<a" in v]
