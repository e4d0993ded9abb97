"""Every `talentmap` command and sub-command, including ones added later, has help text."""

from __future__ import annotations

from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli.main import app


def walk(group: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every command reachable from ``group`` with its path of names (typer ships its own
    click, so groups are recognised by their ``commands``, not by class)."""
    found = [(path, group)]
    if isinstance(getattr(group, "commands", None), dict):
        for name, sub in sorted(group.commands.items()):
            found += walk(sub, (*path, name))
    return found


COMMANDS = walk(typer.main.get_command(app))


def test_the_walk_finds_the_store_commands() -> None:
    paths = {" ".join(p) for p, _ in COMMANDS}
    assert {
        "init",
        "demo",
        "serve",
        "users add",
        "users list",
        "import candidates",
        "import events",
    } <= paths
    assert len(paths) >= 8


@pytest.mark.parametrize(
    "path,command", COMMANDS, ids=[" ".join(p) or "talentmap" for p, _ in COMMANDS]
)
def test_every_command_has_help(path: tuple[str, ...], command: Any) -> None:
    text = (command.help or command.short_help or "").strip()
    assert text, f"`talentmap {' '.join(path)}` has no help text: give it a docstring"
    result = CliRunner().invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output and text.split()[0] in result.output
