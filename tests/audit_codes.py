"""The audit vocabulary read from the sources: every action id, target type and detail key that
a ``record(session, actor, action, ...)`` or dashboard ``audit(session, action, ...)`` call
writes, found by walking the syntax trees of the packages (not by asking the code under test).

An f-string action (``f"planning.import_{kind}"``) is returned as its literal prefix in
``prefixes``; a name passed as a target type (``target_type=ttype``) is skipped."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("data", "ml", "analytics", "cli", "dashboard")


@dataclass
class AuditCodes:
    actions: set[str] = field(default_factory=set)
    prefixes: set[str] = field(default_factory=set)
    target_types: set[str] = field(default_factory=set)
    detail_keys: set[str] = field(default_factory=set)


def _strings(node: ast.AST, into: set[str]) -> None:
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            into.add(n.value)


def _choices(node: ast.AST, into: set[str]) -> None:
    """The strings an expression can be: a literal, or either branch of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        _choices(node.body, into)
        _choices(node.orelse, into)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        into.add(node.value)


def audit_codes() -> AuditCodes:
    found = AuditCodes()
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(n, ast.Call):
                    continue
                f = n.func
                name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", None)
                if name == "record" and len(n.args) >= 3:
                    action = n.args[2]
                elif name == "audit" and len(n.args) >= 2:
                    action = n.args[1]
                else:
                    continue
                if isinstance(action, ast.JoinedStr):
                    head = action.values[0]
                    assert isinstance(head, ast.Constant), ast.unparse(action)
                    found.prefixes.add(str(head.value))
                elif not isinstance(action, ast.Name):  # dashboard.state.audit passes it on
                    _choices(action, found.actions)
                for kw in n.keywords:
                    if kw.arg == "target_type":
                        _choices(kw.value, found.target_types)
                    elif kw.arg == "detail" and isinstance(kw.value, ast.Dict):
                        _strings(ast.Tuple(elts=[k for k in kw.value.keys if k]), found.detail_keys)
    return found
