"""Administration pages: admins manage users and read the audit log; nobody else sees them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from data.reference import labels
from data.store.engine import session_scope
from data.store.models import AuditLog, User
from data.store.users import add_user, disable_user, set_role, verify_password
from tests.dashboard.test_write_pages import _sign_in


def _audit(engine) -> list[tuple[str, str, str | None]]:
    with session_scope(engine) as s:
        return [
            (a.actor, a.action, a.target)
            for a in s.scalars(
                select(AuditLog).where(AuditLog.action.like("users.%")).order_by(AuditLog.id)
            )
        ]


def test_an_admin_adds_changes_resets_and_disables_users_and_each_change_is_audited(
    seeded_store, make_app
):
    engine, _ = seeded_store
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "pw-ada-123")
    at = _sign_in(make_app(engine), "ada", "pw-ada-123")
    at.switch_page("app_pages/admin.py").run()
    assert not at.exception, at.exception
    at.text_input(key="admin_new_name").input("bob")
    at.selectbox(key="admin_new_role").select("viewer")
    at.text_input(key="admin_new_pw").input("bob-secret-1").run()
    at.button(key="admin_add").click().run()
    assert not at.exception, at.exception
    at.selectbox(key="admin_who").select("bob")
    at.selectbox(key="admin_role").select("recruiter")
    at.button(key="admin_set_role").click().run()
    at.text_input(key="admin_pw").input("bob-secret-2").run()
    at.button(key="admin_reset").click().run()
    with session_scope(engine) as s:
        bob = s.scalar(select(User).where(User.name == "bob"))
        assert bob.role == "recruiter"
        assert verify_password(bob, "bob-secret-2") and not verify_password(bob, "bob-secret-1")
    at.button(key="admin_disable").click().run()
    assert not at.exception, at.exception
    with session_scope(engine) as s:
        bob = s.scalar(select(User).where(User.name == "bob"))
        assert bob.disabled and verify_password(bob, "bob-secret-2")  # kept, but refused
    # a disabled user is offered Enable instead of Disable
    assert "admin_disable" not in {b.key for b in at.button}
    at.button(key="admin_enable").click().run()
    with session_scope(engine) as s:
        assert not s.scalar(select(User.disabled).where(User.name == "bob"))
    # an admin cannot disable themself: a clear error, nothing changed
    at.selectbox(key="admin_who").select("ada").run()
    at.button(key="admin_disable").click().run()
    assert at.error
    assert _audit(engine) == [
        ("ada", "users.add", "bob"),
        ("ada", "users.role", "bob"),
        ("ada", "users.password_reset", "bob"),
        ("ada", "users.disable", "bob"),
        ("ada", "users.enable", "bob"),
    ]


def test_the_audit_log_viewer_filters_and_exports(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "pw-ada-123")
        expected = len(
            list(s.scalars(select(AuditLog.id).where(AuditLog.action == "dashboard.login")))
        )
    at = _sign_in(make_app(engine), "ada", "pw-ada-123")
    at.switch_page("app_pages/admin.py").run()
    at.multiselect(key="admin_f_action").select("dashboard.login").run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value
    # the action is shown by its catalog name, not its id (the export keeps the id)
    assert set(table["Action"]) == {labels.tr("en", "log.action.dashboard.login")}
    assert "dashboard.login" not in set(table["Action"])
    assert len(table) == expected + 1  # this sign-in too
    csv = at.get("download_button")[0].proto.url
    assert csv  # the export is offered
    at.multiselect(key="admin_f_actor").select("ada").run()
    assert set(at.dataframe[-1].value["Who"]) == {"ada"}


@pytest.mark.parametrize("role", ["recruiter", "viewer"])
def test_non_admins_get_no_administration_page(seeded_sqlite, make_app, role):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "nora", role, "pw-nora-123")
    at = _sign_in(make_app(engine), "nora", "pw-nora-123")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("app_pages/admin.py")
    for page in ("app_pages/overview.py", "app_pages/candidates.py"):
        at.switch_page(page).run()
        keys = {w.key or "" for w in [*at.button, *at.text_input, *at.selectbox]}
        assert not {k for k in keys if k.startswith("admin_")}, (page, keys)
    assert "Administration" not in str(at)


def test_a_disabled_user_is_refused_with_a_message_and_signed_out_mid_session(
    seeded_sqlite, make_app
):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "pw-ada-123")
        add_user(s, "bob", "recruiter", "pw-bob-123")
    bob = _sign_in(make_app(engine), "bob", "pw-bob-123")
    assert bob.session_state["user"]["name"] == "bob"
    with session_scope(engine) as s:
        disable_user(s, "bob", actor="ada")
    bob.run()  # bob's next click: signed out, told why
    assert not bob.exception
    assert "user" not in bob.session_state or not bob.session_state["user"]
    assert [w.value for w in bob.warning] == [labels.tr("en", "login.disabled")]
    again = _sign_in(make_app(engine), "bob", "pw-bob-123")
    assert [e.value for e in again.error] == [labels.tr("en", "login.disabled")]
    with session_scope(engine) as s:
        refusals = s.scalars(
            select(AuditLog.actor).where(AuditLog.action == "dashboard.login_disabled")
        ).all()
    assert refusals == ["bob"]


def test_a_role_change_applies_at_the_next_click(seeded_sqlite, make_app):
    engine, _ = seeded_sqlite
    with session_scope(engine) as s:
        add_user(s, "ada", "admin", "pw-ada-123")
        add_user(s, "bob", "recruiter", "pw-bob-123")
    bob = _sign_in(make_app(engine), "bob", "pw-bob-123")
    with session_scope(engine) as s:
        set_role(s, "bob", "viewer", actor="ada")
    bob.run()
    assert bob.session_state["user"]["role"] == "viewer"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        bob.switch_page("app_pages/matching.py")
