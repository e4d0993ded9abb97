#!/usr/bin/env python
"""Move bilingual string dictionaries from Python code into the gettext catalogs.

Usage (from the repository root)::

    python scripts/strings_to_po.py                 # dashboard/i18n.py STRINGS -> .po, empties it
    python scripts/strings_to_po.py analytics/x.py:LABELS --prefix report.   # another dict
    python scripts/strings_to_po.py --check         # exit 1 if STRINGS still holds strings

A source is ``FILE:NAME`` where ``NAME`` is assigned a literal ``{"en": {key: text}, "zh":
{key: text}}`` (read with ``ast.literal_eval``; the module is not imported). Every key is added
to (or updated in) ``data/reference/locale/{en,zh}/LC_MESSAGES/talentmap.po`` as
``prefix + key``; the catalogs are written back sorted by key, unwrapped, with Babel. Unless
``--keep`` is given, the dictionary in the source file is then rewritten as ``{"en": {}, "zh":
{}}`` so a string lives in one place. Re-run it after merging a branch that added strings to
``STRINGS``; a key already in the catalog takes the text from the source (the newer edit).
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "data" / "reference" / "locale"
LANGS = ("en", "zh")
DEFAULT = "dashboard/i18n.py:STRINGS"
HEADER = """\
# TalentMap user-facing strings (message ids are stable keys; see data/reference/labels.py).
# Keep both languages' catalogs in step: same keys, same {placeholders} (tests check it).
# Add strings here by hand or with scripts/strings_to_po.py."""


def _find(tree: ast.Module, name: str) -> ast.Assign | ast.AnnAssign:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id == name and node.value is not None:
                return node
    raise SystemExit(f"no top-level assignment to {name} found")


def read_source(path: Path, name: str) -> tuple[dict[str, dict[str, str]], ast.AST]:
    """The dictionary assigned to ``name`` in ``path`` and its value node."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    node = _find(tree, name)
    assert node.value is not None
    value = ast.literal_eval(node.value)
    if not isinstance(value, dict) or set(value) - set(LANGS):
        raise SystemExit(f"{path}:{name} is not a {{'en': {{...}}, 'zh': {{...}}}} literal")
    return value, node.value


def load_catalog(lang: str) -> Catalog:
    path = LOCALE / lang / "LC_MESSAGES" / "talentmap.po"
    if path.exists():
        with path.open("rb") as fh:
            return read_po(fh, locale=lang, domain="talentmap")
    return Catalog(
        locale=lang,
        domain="talentmap",
        project="TalentMap",
        version="1",
        copyright_holder="TalentMap",
        msgid_bugs_address="",
        fuzzy=False,
        header_comment=HEADER,
    )


def save_catalog(lang: str, catalog: Catalog) -> None:
    path = LOCALE / lang / "LC_MESSAGES" / "talentmap.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, sort_output=True, omit_header=False)


def merge(strings: dict[str, dict[str, str]], prefix: str) -> int:
    """Add ``strings`` to both catalogs; the number of keys added or changed."""
    en_keys = set(strings.get("en", {}))
    zh_keys = set(strings.get("zh", {}))
    if en_keys != zh_keys:
        raise SystemExit(
            "both languages need the same keys; only in en: "
            f"{sorted(en_keys - zh_keys)}, only in zh: {sorted(zh_keys - en_keys)}"
        )
    changed = 0
    for lang in LANGS:
        catalog = load_catalog(lang)
        for key, text in strings.get(lang, {}).items():
            msgid = f"{prefix}{key}"
            old = catalog.get(msgid)
            if old is None:
                catalog.add(msgid, text)
            elif old.string != text:
                old.string = text  # Catalog.add would keep the old text of a known id
            else:
                continue
            changed += lang == "en"
        save_catalog(lang, catalog)
    return changed


def empty_source(path: Path, node: ast.AST) -> None:
    """Rewrite the dictionary literal ``node`` in ``path`` as ``{"en": {}, "zh": {}}``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert node.end_lineno is not None and node.end_col_offset is not None
    start, end = node.lineno - 1, node.end_lineno - 1
    head = lines[start][: node.col_offset]
    tail = lines[end][node.end_col_offset :]
    lines[start : end + 1] = [f'{head}{{"en": {{}}, "zh": {{}}}}{tail}']
    path.write_text("".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "source", nargs="?", default=DEFAULT, help="FILE:NAME (default: %(default)s)"
    )
    parser.add_argument("--prefix", default="", help="prepended to every key")
    parser.add_argument("--keep", action="store_true", help="leave the source dictionary as is")
    parser.add_argument("--check", action="store_true", help="only report pending strings")
    args = parser.parse_args(argv)
    file, _, name = args.source.partition(":")
    path = ROOT / file
    strings, node = read_source(path, name or "STRINGS")
    pending = len(strings.get("en", {}))
    if args.check:
        print(f"{args.source}: {pending} string(s) not yet in the catalogs")
        return 1 if pending else 0
    if not pending:
        print(f"{args.source}: nothing to convert")
        return 0
    changed = merge(strings, args.prefix)
    if not args.keep:
        empty_source(path, node)
    print(f"{args.source}: {pending} string(s) moved, {changed} new or changed in the catalogs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
