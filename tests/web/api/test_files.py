"""Attachments round-trip through upload and download with the record's permissions checked.

alice and bob are reps: they create contracts and read and change only their own; vera may not touch
contracts. Files are typed by their bytes, named safely, never served as markup, limited in size, and
kept while their record is soft-deleted.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from jimu.platform.files import LocalFileStore
from jimu.platform.files.tables import files
from jimu.platform.kernel import Kernel
from jimu.platform.security import add_record_rule, create_api_token, set_permission
from jimu.web.api import create_app
from jimu.web.api.config import ApiSettings

from .conftest import TestClient, World, setup_security

CONTRACTS: dict[str, Any] = {"key": "contracts", "version": "1.0.0", "entities": [
    {"key": "contract", "title_field": "title", "fields": [
        {"name": "title", "type": "text", "required": True},
        {"name": "owner", "type": "user"},
        {"name": "scan", "type": "attachment", "multiple": True, "max_size": 4096,
         "accept": [".pdf", ".txt", ".html", ".png"]},
    ]}]}
PDF = b"%PDF-1.7\n" + b"x" * 600
F = "/api/v1/files"
R = "/api/v1/records/contract"


@pytest.fixture
def world(kernel: Kernel, api_settings: ApiSettings, tmp_path: Path) -> Iterator[World]:
    kernel.apply_app(CONTRACTS)
    users = setup_security(kernel)
    with kernel.unit_of_work() as ctx:
        set_permission(ctx.conn, "rep", "contract", ["read", "create", "update", "delete"], catalog=ctx.catalog)
        add_record_rule(ctx.conn, ctx.catalog, "rep", "contract", ["read", "update", "delete"],
                        {"field": "owner", "is": "current_user"})
        tokens = {name: create_api_token(ctx.conn, user_id, "tests", now=ctx.now())[1]
                  for name, user_id in users.items()}
    store = LocalFileStore(tmp_path / "store")
    with TestClient(create_app(kernel, api_settings=api_settings, file_store=store)) as client:
        yield World(kernel, client, users, tokens)


def upload(world: World, user: str, content: bytes, name: str = "contract.pdf", *,
           claimed: str = "text/html", field: str = "scan") -> Any:
    return world.client.post(F, headers=world.headers(user), data={"entity": "contract", "field": field},
                             files={"file": (name, content, claimed)})


def new_contract(world: World, user: str, scan: list[dict[str, Any]]) -> Any:
    return world.client.post(R, json={"title": f"{user}'s", "owner": world.users[user], "scan": scan},
                             headers=world.headers(user))


def test_an_attachment_round_trips_with_permissions_checked(world: World) -> None:
    sent = upload(world, "alice", PDF, name="../../etc/合同 v1.pdf")
    assert sent.status_code == 201, sent.text
    stored = sent.json()
    assert (stored["name"], stored["size"], stored["content_type"]) == ("合同 v1.pdf", len(PDF), "application/pdf")
    created = new_contract(world, "alice", [{"id": stored["id"], "name": "fake.exe", "size": 1}])
    assert created.status_code == 201, created.text
    record = created.json()
    assert record["scan"] == [{"id": stored["id"], "name": "合同 v1.pdf", "size": len(PDF),
                               "content_type": "application/pdf"}]  # the stored metadata, not the claims
    url = f"{R}/{record['id']}/files/{stored['id']}"
    got = world.client.get(url, headers=world.headers("alice"))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''%E5%90%88%E5%90%8C%20v1.pdf" in disposition
    assert world.client.get(url, headers=world.headers("bob")).status_code == 404  # bob may not read the record
    assert world.client.get(url, headers=world.headers("vera")).status_code == 403
    assert world.client.get(url).status_code == 401
    assert world.client.get(url, headers=world.headers("admin")).content == PDF
    other = world.client.get(f"{R}/{record['id']}/files/{stored['id'] + 100}", headers=world.headers("alice"))
    assert other.status_code == 404


def test_a_file_is_attached_only_by_its_uploader_or_its_record(world: World) -> None:
    alices = upload(world, "alice", PDF).json()
    stolen = new_contract(world, "bob", [{"id": alices["id"]}])
    assert stolen.status_code == 422 and stolen.json()["errors"][0]["path"] == "scan/0"
    assert stolen.json()["errors"][0]["code"] == "files.unknown_file"
    mine = new_contract(world, "alice", [{"id": alices["id"]}]).json()
    bobs = new_contract(world, "bob", []).json()
    moved = world.client.patch(f"{R}/{bobs['id']}", json={"scan": [{"id": alices["id"]}]}, headers=world.headers("bob"))
    assert moved.status_code == 422  # attached to alice's record: no other record may reference it
    assert new_contract(world, "alice", [{"id": 999}]).status_code == 422
    second = upload(world, "alice", b"plain notes\n", name="notes.txt").json()
    both = world.client.patch(f"{R}/{mine['id']}", headers=world.headers("alice"),
                              json={"scan": [{"id": alices["id"]}, {"id": second["id"]}]})
    assert both.status_code == 200 and [f["name"] for f in both.json()["scan"]] == ["contract.pdf", "notes.txt"]
    assert both.json()["_version"] == mine["_version"] + 1
    names = world.client.post(R, json={"title": "x", "scan": "a.pdf"}, headers=world.headers("alice"))
    assert names.status_code == 422 and names.json()["errors"][0]["code"] == "value.attachment_needs_upload"


def test_uploads_are_checked(world: World) -> None:
    assert upload(world, "vera", PDF).status_code == 403
    assert upload(world, "alice", b"%PDF-" + b"x" * 5000).status_code == 413  # the field's max_size
    refused = upload(world, "alice", PDF, name="tool.exe")
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "value.file_type_not_accepted"
    wrong = upload(world, "alice", PDF, field="title")
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["code"] == "files.not_attachment_field"
    missing = world.client.post(F, headers=world.headers("alice"), data={"entity": "contract", "field": "scan"})
    assert missing.status_code == 422
    with world.kernel.engine.connect() as conn:
        assert conn.execute(files.select()).all() == []  # nothing kept of a refused upload


def test_markup_is_never_served_as_markup(world: World) -> None:
    page = b"<html><script>alert(1)</script></html>"
    stored = upload(world, "alice", page, name="page.html", claimed="text/html").json()
    assert stored["content_type"] == "text/plain"
    record = new_contract(world, "alice", [{"id": stored["id"]}]).json()
    got = world.client.get(f"{R}/{record['id']}/files/{stored['id']}", headers=world.headers("alice"))
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in got.headers["content-security-policy"]


def test_files_of_soft_deleted_records_are_kept(world: World) -> None:
    stored = upload(world, "alice", PDF).json()
    record = new_contract(world, "alice", [{"id": stored["id"]}]).json()
    url = f"{R}/{record['id']}/files/{stored['id']}"
    assert world.client.delete(f"{R}/{record['id']}", headers=world.headers("alice")).status_code == 204
    assert world.client.get(url, headers=world.headers("alice")).status_code == 404
    assert world.client.post(f"{R}/{record['id']}/restore", headers=world.headers("admin")).status_code == 200
    assert world.client.get(url, headers=world.headers("alice")).content == PDF
