"""`jimu admin ...`: users, roles, grants, rules, departments and reset-password from the command line."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform.context import utcnow
from jimu.platform.database import create_engine
from jimu.platform.security import login
from jimu.platform.security.tables import security_audit
from jimu.web.cli.main import main

TASKS: dict[str, Any] = {"key": "tasks", "version": "1.0.0", "entities": [{"key": "task", "fields": [
    {"name": "title", "type": "text", "required": True}, {"name": "owner", "type": "user"}]}]}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    status, out, err = run(capsys, "--json", *argv)
    assert status == 0, err
    return json.loads(out)


@pytest.fixture
def ready(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any) -> str:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    assert run(capsys, "db", "init")[0] == 0
    app = tmp_path / "tasks.json"
    app.write_text(json.dumps(TASKS), encoding="utf-8")
    assert run(capsys, "app", "apply", str(app))[0] == 0
    return database_url


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_users_roles_and_grants_from_the_command_line(ready: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "admin", "create-role", "reader", "--label", "Reader", "--label-zh", "读者")["label"] == {
        "en": "Reader", "zh-CN": "读者"}
    role = run_json(capsys, "admin", "grant", "reader", "task", "read", "export")
    assert role["permissions"] == [{"entity": "task", "actions": ["read", "export"]}]
    created = run_json(capsys, "admin", "create-user", "ann", "--password", "ann's long password", "--role", "reader",
                       "--email", "ann@example.com")
    assert created["username"] == "ann"
    status, out, _ = run(capsys, "admin", "list-users")
    assert status == 0 and "ann" in out and "reader" in out
    assert run_json(capsys, "admin", "set-roles", "ANN")["roles"] == []
    assert run_json(capsys, "admin", "update-user", "ann", "--display-name", "Ann A.", "--locale", "zh-CN")[
        "display_name"] == "Ann A."
    status, out, _ = run(capsys, "admin", "deactivate-user", "ann")
    assert status == 0 and "deactivated" in out
    assert run_json(capsys, "admin", "list-users", "--q", "ann")["data"][0]["is_active"] is False
    assert run(capsys, "admin", "reactivate-user", "ann")[0] == 0
    department = run_json(capsys, "admin", "create-department", "Sales", "--manager", "ann")
    assert department["manager_id"] == created["id"]
    assert run_json(capsys, "admin", "set-departments", "ann", str(department["id"]))["departments"] == [
        department["id"]]
    assert run_json(capsys, "admin", "update-department", str(department["id"]), "--manager", "none")[
        "manager_id"] is None
    assert run(capsys, "admin", "field-permission", "reader", "task", "title", "--no-write")[0] == 0
    shown = run_json(capsys, "admin", "list-roles")["data"]
    assert shown[0]["field_permissions"] == [{"entity": "task", "field": "title", "read": True, "write": False}]
    engine = create_engine(ready)
    with engine.connect() as conn:
        actions = list(conn.execute(sa.select(security_audit.c.action, security_audit.c.source)
                                    .order_by(security_audit.c.id)))
    engine.dispose()
    assert [a for a, _ in actions][:4] == ["role.create", "role.permission_set", "user.create", "user.roles_set"]
    assert {s for _, s in actions} == {"cli"}


def test_record_rules_are_checked(ready: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "admin", "create-role", "reader")
    status, _, err = run(capsys, "admin", "add-rule", "reader", "task", "--actions", "read", "--expression", "{nope} = 1")
    assert status == 2 and "rule/expression" in err and "nope" in err
    status, _, err = run(capsys, "admin", "add-rule", "reader", "task", "--actions", "read", "--field", "title",
                         "--is", "current_user")
    assert status == 2 and "rule/field" in err and "'title' is not a user field" in err
    rule = run_json(capsys, "admin", "add-rule", "reader", "task", "--actions", "read,update", "--field", "owner",
                    "--is", "current_user")
    assert rule["actions"] == ["read", "update"]
    assert run(capsys, "admin", "remove-rule", str(rule["id"]))[0] == 0
    status, _, err = run(capsys, "admin", "remove-rule", str(rule["id"]))
    assert status == 2 and f"No record rule {rule['id']}" in err


def test_reset_password(ready: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "admin", "create-user", "root", "--password", "the first password", "--superuser")
    stdin(monkeypatch, "short\n")
    status, _, err = run(capsys, "admin", "reset-password", "root", "--password-stdin")
    assert status == 2 and "at least 8 characters" in err
    stdin(monkeypatch, "")
    status, _, err = run(capsys, "admin", "reset-password", "root")  # no terminal to prompt on
    assert status == 2 and "--password-stdin" in err
    stdin(monkeypatch, "a brand new password\n")
    status, _, err = run(capsys, "admin", "reset-password", "nobody", "--password-stdin")
    assert status == 2 and "No user 'nobody'" in err
    stdin(monkeypatch, "a brand new password\n")
    status, out, _ = run(capsys, "admin", "reset-password", "root", "--password-stdin")
    assert status == 0 and "root" in out
    engine = create_engine(ready)
    try:
        with engine.begin() as conn:
            assert login(conn, "root", "a brand new password", ip=None, now=utcnow()).token
    finally:
        engine.dispose()


def test_the_prompt_asks_twice(ready: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "admin", "create-user", "root", "--password", "the first password")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    answers = iter(["one long password", "another long password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    status, _, err = run(capsys, "admin", "reset-password", "root")
    assert status == 2 and "differ" in err


def test_chinese_sentences(ready: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIMU_LOCALE", "zh-CN")
    status, out, _ = run(capsys, "admin", "create-role", "reader")
    assert status == 0 and out.strip() == "已创建角色“reader”。"
    status, _, err = run(capsys, "admin", "set-roles", "ghost", "reader")
    assert status == 2 and "没有用户“ghost”" in err
