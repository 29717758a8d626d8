"""Story: a newcomer, with the HTTP API alone (and again with the CLI alone), gives a new colleague read
access to one entity with a record rule, and the colleague reads only their own rows.

Nothing here calls Python of the security kernel: a fresh database, one app, one superuser made by
`jimu admin create-user --superuser`, then only requests (or only commands).
"""
from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jimu.platform.kernel import Kernel
from jimu.platform.settings import Settings
from jimu.web.api import create_app
from jimu.web.cli.main import main

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CRM: dict[str, Any] = {"key": "crm", "version": "1.0.0", "entities": [
    {"key": "lead", "title_field": "company", "fields": [
        {"name": "company", "type": "text", "required": True},
        {"name": "owner", "type": "user"},
        {"name": "stage", "type": "select", "options": [{"value": "new"}, {"value": "won"}]}]},
    {"key": "contract", "fields": [{"name": "code", "type": "text"}]},
]}
BOSS_PASSWORD, NEWBIE_PASSWORD = "the boss's long password", "mei's own long password"


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    status = main(["--json", *argv])
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out) if out.strip().startswith(("{", "[")) else out


@pytest.fixture
def fresh(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
          tmp_path: Path) -> Iterator[TestClient]:
    """`jimu db init`, `jimu app apply crm.json`, `jimu admin create-user boss --superuser`, and the API."""
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    (tmp_path / "crm.json").write_text(json.dumps(CRM), encoding="utf-8")
    cli(capsys, "db", "init")
    cli(capsys, "app", "apply", str(tmp_path / "crm.json"))
    cli(capsys, "admin", "create-user", "boss", "--superuser", "--password", BOSS_PASSWORD)
    kernel = Kernel.from_settings(Settings(database_url=database_url))
    try:
        with TestClient(create_app(kernel)) as client:
            yield client
    finally:
        kernel.engine.dispose()


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def mei_reads_only_her_leads(client: TestClient, mei_id: int) -> None:
    mei = login(client, "mei", NEWBIE_PASSWORD)
    listed = client.get("/api/v1/records/lead", params={"count": "true"}, headers=mei).json()
    assert sorted(r["company"] for r in listed["data"]) == ["Mei's client A", "Mei's client B"]
    assert listed["count"] == 2 and {r["owner"] for r in listed["data"]} == {mei_id}
    boss_lead = client.get("/api/v1/records/lead", params={"where": "{owner} != CURRENT_USER()"}, headers=mei)
    assert boss_lead.json()["data"] == []
    assert client.get("/api/v1/records/lead/1", headers=mei).status_code == 404  # the boss's lead
    assert client.post("/api/v1/records/lead", json={"company": "x"}, headers=mei).status_code == 403
    assert client.get("/api/v1/records/contract", headers=mei).status_code == 403
    assert client.get("/api/v1/admin/users", headers=mei).status_code == 403


def test_over_http_alone(fresh: TestClient) -> None:
    client = fresh
    boss = login(client, "boss", BOSS_PASSWORD)
    role = client.post("/api/v1/admin/roles", json={"key": "sales_rep", "label": {"en": "Sales rep"}}, headers=boss)
    assert role.status_code == 201, role.text
    assert client.put("/api/v1/admin/roles/sales_rep/permissions/lead", json={"actions": ["read"]},
                      headers=boss).status_code == 200
    rule = client.post("/api/v1/admin/roles/sales_rep/rules", headers=boss, json={
        "entity": "lead", "actions": ["read"], "rule": {"field": "owner", "is": "current_user"}})
    assert rule.status_code == 201, rule.text
    mei = client.post("/api/v1/admin/users", headers=boss, json={
        "username": "mei", "display_name": "Mei", "password": NEWBIE_PASSWORD, "roles": ["sales_rep"]}).json()
    for company, owner in (("Boss's client", None), ("Mei's client A", mei["id"]), ("Mei's client B", mei["id"])):
        created = client.post("/api/v1/records/lead", json={"company": company, "owner": owner}, headers=boss)
        assert created.status_code == 201, created.text
    mei_reads_only_her_leads(client, mei["id"])


def test_with_the_cli_alone(fresh: TestClient, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cli(capsys, "admin", "create-role", "sales_rep", "--label", "Sales rep")
    cli(capsys, "admin", "grant", "sales_rep", "lead", "read")
    cli(capsys, "admin", "add-rule", "sales_rep", "lead", "--actions", "read", "--field", "owner",
        "--is", "current_user")
    mei = cli(capsys, "admin", "create-user", "mei", "--password", NEWBIE_PASSWORD, "--role", "sales_rep")
    leads = tmp_path / "leads.csv"
    leads.write_text(f"company,owner\nBoss's client,\nMei's client A,{mei['id']}\nMei's client B,{mei['id']}\n",
                     encoding="utf-8")
    assert cli(capsys, "records", "import", "lead", str(leads))["created"] == 3
    mei_reads_only_her_leads(fresh, mei["id"])
