"""Imports point one way: front ends → analytics → ml → data. A test per package.

Inside ``data/``, ``data/text`` (pure text work) and ``data/reference`` (bundled tables) import
no store code: they must stay usable without a database.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"data", "ml", "analytics", "dashboard", "cli"}
ALLOWED = {
    "data": {"data"},
    "ml": {"ml", "data"},
    "analytics": {"analytics", "ml", "data"},
    "cli": OURS,
    "dashboard": OURS - {"cli"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    files = sorted((ROOT / package).rglob("*.py"))
    assert files, f"{package}/ has no Python files"
    wrong = {
        str(f.relative_to(ROOT)): sorted(_imports(f) - ALLOWED[package])
        for f in files
        if _imports(f) - ALLOWED[package]
    }
    assert not wrong, f"{package}/ imports layers above it: {wrong}"


PURE = {
    "data/text": {"data.text", "data.errors", "data.reference"},
    "data/reference": {"data.reference", "data.errors"},
}


def _our_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return {m for m in found if m.split(".")[0] in OURS}


@pytest.mark.parametrize("folder", sorted(PURE))
def test_pure_folders_import_no_store_code(folder: str) -> None:
    allowed = PURE[folder]
    files = sorted((ROOT / folder).rglob("*.py"))
    assert files, f"{folder}/ has no Python files"
    wrong = {
        str(f.relative_to(ROOT)): sorted(
            m for m in _our_modules(f) if not any(m == a or m.startswith(a + ".") for a in allowed)
        )
        for f in files
    }
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"{folder}/ imports store or higher code: {wrong}"


@pytest.mark.parametrize("folder", sorted(PURE))
def test_pure_folders_use_no_database_library(folder: str) -> None:
    wrong = {}
    for f in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(f.read_text(encoding="utf-8"), filename=str(f))
        names = {
            alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        } | {
            node.module.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        bad = sorted(names & {"sqlalchemy", "alembic", "psycopg"})
        if bad:
            wrong[str(f.relative_to(ROOT))] = bad
    assert not wrong, f"{folder}/ is pure but uses a database library: {wrong}"
