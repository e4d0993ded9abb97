"""Who the CLI acts as (issue 15, "CLI identity"): a store with no users is run by the local
admin (the bootstrap); once users exist every command needs TALENTMAP_USER plus that user's
token, stored only as a hash. Before, an unset or empty TALENTMAP_USER made anyone an admin."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli import context
from cli.main import app
from data.store.engine import session_scope
from data.store.models import AuditLog, User
from data.store.users import add_user

pytestmark = pytest.mark.usefixtures("fast_hashing")


def raw(cli, *args: str, env: dict[str, str] | None = None):
    """``talentmap`` with exactly ``env`` for identity (no token minted for us)."""
    context._engines.clear()
    return CliRunner().invoke(
        app,
        list(args),
        env={"TALENTMAP_USER": None, "TALENTMAP_TOKEN": None, **(env or {})},
        catch_exceptions=False,
    )


def n_users(engine) -> int:
    with session_scope(engine) as s:
        return s.scalar(select(func.count()).select_from(User)) or 0


def test_a_fresh_store_is_bootstrapped_by_the_local_admin(cli) -> None:
    res = raw(cli, "users", "add", "ada", "--role", "admin")
    assert res.exit_code == 0, res.output
    assert n_users(cli.engine) == 1


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"TALENTMAP_USER": ""},
        {"TALENTMAP_USER": "admin"},
        {"TALENTMAP_USER": "ada"},
        {"TALENTMAP_USER": "ada", "TALENTMAP_TOKEN": ""},
        {"TALENTMAP_USER": "ada", "TALENTMAP_TOKEN": "tm_guess"},
    ],
    ids=["unset", "empty", "local-admin-name", "no-token", "empty-token", "wrong-token"],
)
def test_once_users_exist_nobody_is_admin_without_a_token(cli, env) -> None:
    with session_scope(cli.engine) as s:
        add_user(s, "ada", "admin")
    res = raw(cli, "users", "add", "mallory", "--role", "admin", env=env)
    assert res.exit_code == 4, res.output
    assert "talentmap users token" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert n_users(cli.engine) == 1


def test_a_token_signs_in_is_stored_hashed_and_a_new_one_replaces_it(cli) -> None:
    with session_scope(cli.engine) as s:
        add_user(s, "ada", "admin")
        add_user(s, "rita", "recruiter")
    first = cli("users", "token", "rita")  # as ada, with ada's token
    assert first.exit_code == 0, first.output
    token = first.stdout.strip()
    with session_scope(cli.engine) as s:
        stored = s.scalar(select(User.token_hash).where(User.name == "rita"))
        audit = s.scalar(select(AuditLog).where(AuditLog.action == "users.token"))
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored
    assert audit.actor == "ada" and audit.target == "rita" and token not in str(audit.detail)
    ok = raw(cli, "users", "list", env={"TALENTMAP_USER": "rita", "TALENTMAP_TOKEN": token})
    assert ok.exit_code == 0 and "rita\trecruiter" in ok.stdout
    # the token is rita's only: it does not sign ada in
    other = raw(cli, "users", "list", env={"TALENTMAP_USER": "ada", "TALENTMAP_TOKEN": token})
    assert other.exit_code == 4
    # a recruiter may not mint tokens (not even their own: an admin hands them out)
    res = raw(
        cli, "users", "token", "rita", env={"TALENTMAP_USER": "rita", "TALENTMAP_TOKEN": token}
    )
    assert res.exit_code == 4
    assert cli("users", "token", "rita").exit_code == 0  # re-issued: the old one is dead
    old = raw(cli, "users", "list", env={"TALENTMAP_USER": "rita", "TALENTMAP_TOKEN": token})
    assert old.exit_code == 4


def test_init_on_a_current_store_needs_nobody_but_an_upgrade_needs_an_admin(
    cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_scope(cli.engine) as s:
        add_user(s, "ada", "admin")
        add_user(s, "vera", "viewer")
    assert raw(cli, "init").exit_code == 0  # nothing to do (make run calls it every time)
    from data.store import engine as engine_mod

    monkeypatch.setattr(engine_mod, "is_current", lambda _e: False)  # an upgrade is pending
    vera = cli("init", user="vera")
    assert vera.exit_code == 4 and "may not upgrade" in vera.stderr, vera.output
    assert raw(cli, "init").exit_code == 4
    assert cli("init", user="ada").exit_code == 0


def test_users_disable_refuses_the_token_until_enable_restores_it(cli) -> None:
    with session_scope(cli.engine) as s:
        add_user(s, "ada", "admin")
        add_user(s, "rita", "recruiter")
    token = cli("users", "token", "rita").stdout.strip()
    rita = {"TALENTMAP_USER": "rita", "TALENTMAP_TOKEN": token}
    res = cli("users", "disable", "rita")
    assert res.exit_code == 0, res.output
    assert "rita\trecruiter\tdisabled" in cli("users", "list").stdout
    refused = raw(cli, "users", "list", env=rita)
    assert refused.exit_code == 4
    assert refused.stderr.strip().splitlines() == [
        "Error: user 'rita' is disabled: ask an admin to run `talentmap users enable rita`"
    ]
    res = cli("users", "enable", "rita")
    assert res.exit_code == 0, res.output
    assert raw(cli, "users", "list", env=rita).exit_code == 0  # the same token works again
    # the last active admin stays: ada cannot disable herself, nobody else is an admin
    res = cli("users", "disable", "ada")
    assert res.exit_code == 2 and "your own account" in res.stderr
    with session_scope(cli.engine) as s:
        rows = [
            (a.actor, a.action, a.target)
            for a in s.scalars(
                select(AuditLog).where(AuditLog.target == "rita").order_by(AuditLog.id)
            )
            if a.action != "users.add"
        ]
    assert rows == [
        ("ada", "users.token", "rita"),
        ("ada", "users.disable", "rita"),
        ("rita", "cli.login_disabled", "rita"),
        ("ada", "users.enable", "rita"),
    ]
