"""The designers' server side over HTTP: drafts with conflicts, the plain-words preview, confirmation,
publishing, refusals naming the records, version history, restore, and the expression editor's support."""
from __future__ import annotations

import copy
from typing import Any

from .conftest import World

A = "/api/v1/apps"


def _save(world: World, headers: dict[str, str], definition: dict[str, Any], version: int) -> Any:
    return world.client.put(f"{A}/tasks/draft", json={"definition": definition, "version": version}, headers=headers)


def test_draft_reads_as_installed_then_saves_with_versions(world: World, admin: dict[str, str],
                                                           tasks_app: dict[str, Any]) -> None:
    c = world.client
    draft = c.get(f"{A}/tasks/draft", headers=admin)
    assert draft.status_code == 200 and draft.json()["version"] == 0 and draft.json()["saved"] is False
    assert draft.json()["definition"] == tasks_app and draft.headers["ETag"] == '"0"'
    edited = copy.deepcopy(tasks_app)
    edited["entities"][0]["fields"].append({"name": "due", "type": "date"})
    first = _save(world, admin, edited, 0)
    assert first.status_code == 200 and first.json()["version"] == 1 and first.json()["base_revision"] == 1
    again = c.put(f"{A}/tasks/draft", json={"definition": edited}, headers={**admin, "If-Match": '"1"'})
    assert again.status_code == 200 and again.json()["version"] == 2
    assert c.get(f"{A}/tasks/draft", headers=admin).json()["definition"] == edited
    # nothing is published: end users still see the installed definition
    assert "due" not in [f["name"] for f in c.get("/api/v1/entities/task", headers=admin).json()["fields"]]


def test_two_designers_get_a_conflict_never_an_overwrite(world: World, admin: dict[str, str],
                                                         tasks_app: dict[str, Any]) -> None:
    dora = world.headers("dora")
    mine, theirs = copy.deepcopy(tasks_app), copy.deepcopy(tasks_app)
    mine["entities"][0]["fields"].append({"name": "due", "type": "date"})
    theirs["entities"][0]["fields"].append({"name": "rank", "type": "integer"})
    assert _save(world, admin, mine, 0).status_code == 200
    late = _save(world, dora, theirs, 0)  # dora started from the same version 0
    assert late.status_code == 409 and late.json()["code"] == "drafts.version_conflict"
    assert "version 1" in late.json()["detail"]
    assert _save(world, admin, mine, 5).status_code == 409
    stored = world.client.get(f"{A}/tasks/draft", headers=admin).json()
    assert stored["version"] == 1 and stored["definition"] == mine
    missing = world.client.put(f"{A}/tasks/draft", json={"definition": mine}, headers=admin)
    assert missing.status_code == 422 and missing.json()["errors"][0]["path"] == "version"
    wrong_key = _save(world, admin, {**mine, "key": "other"}, 1)
    assert wrong_key.status_code == 422 and wrong_key.json()["errors"][0]["path"] == "/key"
    assert _save(world, world.headers("vera"), mine, 1).status_code == 403


def test_preview_in_plain_words_then_publish(world: World, admin: dict[str, str], tasks_app: dict[str, Any]) -> None:
    c = world.client
    for title in ("a", "b", "c"):
        assert c.post("/api/v1/records/task", json={"title": title}, headers=admin).status_code == 201
    edited = copy.deepcopy(tasks_app)
    fields = edited["entities"][0]["fields"]
    fields.append({"name": "priority", "type": "integer", "default": 3, "label": {"en": "Priority", "zh-CN": "优先级"}})
    fields[0]["name"] = "headline"
    fields[0]["key"] = "title"
    edited["entities"][0]["title_field"] = "headline"
    assert _save(world, admin, edited, 0).status_code == 200
    preview = c.post(f"{A}/tasks/draft/preview", headers={**admin, "Accept-Language": "zh-CN"}).json()
    assert preview["publishable"] is True and preview["needs_confirmation"] is False
    kinds = {ch["kind"]: ch for ch in preview["changes"]}
    assert kinds["add_field"]["words"]["en"] == "New field “Priority” (Integer) in “task”."
    assert kinds["add_field"]["words"]["zh-CN"] == "在“task”中新增字段“优先级”（整数）。"
    assert kinds["rename_field"]["category"] == "renamed"
    assert kinds["fill_default"]["words"]["en"] == "3 existing records of “task” get the default 3 for “Priority”."
    published = c.post(f"{A}/tasks/draft/publish", json={"version": 1}, headers=admin)
    assert published.status_code == 200, published.text
    assert published.json()["applied"] is True and published.json()["revision"] == 2
    assert [f["name"] for f in c.get("/api/v1/entities/task", headers=admin).json()["fields"]][:1] == ["headline"]
    assert c.get(f"{A}/tasks/draft", headers=admin).json()["version"] == 0  # the draft is the installed app again
    records = c.get("/api/v1/records/task", headers=admin).json()["data"]
    assert {r["priority"] for r in records} == {3}


def test_archiving_needs_a_confirmation_naming_that_preview(world: World, admin: dict[str, str],
                                                            tasks_app: dict[str, Any]) -> None:
    c = world.client
    edited = copy.deepcopy(tasks_app)
    edited["entities"][0]["fields"] = [f for f in edited["entities"][0]["fields"] if f["name"] != "secret"]
    assert _save(world, admin, edited, 0).status_code == 200
    preview = c.post(f"{A}/tasks/draft/preview", headers=admin).json()
    assert preview["needs_confirmation"] is True and preview["confirm_token"]
    archived = next(ch for ch in preview["changes"] if ch["kind"] == "archive_field")
    assert archived["category"] == "archived" and "kept (archived)" in archived["words"]["en"]
    refused = c.post(f"{A}/tasks/draft/publish", json={"version": 1}, headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "drafts.confirmation_required"
    stale = c.post(f"{A}/tasks/draft/publish", json={"version": 1, "confirm": "0" * 24}, headers=admin)
    assert stale.status_code == 409 and stale.json()["code"] == "drafts.confirmation_stale"
    # a further save changes the draft: the old token no longer confirms it
    edited["label"] = {"en": "Tasks", "zh-CN": "任务"}
    assert _save(world, admin, edited, 1).status_code == 200
    old = c.post(f"{A}/tasks/draft/publish", json={"version": 2, "confirm": preview["confirm_token"]}, headers=admin)
    assert old.status_code == 409 and old.json()["code"] == "drafts.confirmation_stale"
    token = c.post(f"{A}/tasks/draft/preview", headers=admin).json()["confirm_token"]
    done = c.post(f"{A}/tasks/draft/publish", json={"version": 2, "confirm": token}, headers=admin)
    assert done.status_code == 200 and done.json()["revision"] == 2


def test_type_change_refused_by_rows_names_them(world: World, admin: dict[str, str], tasks_app: dict[str, Any]) -> None:
    c = world.client
    ids = [c.post("/api/v1/records/task", json={"title": t, "secret": s}, headers=admin).json()["id"]
           for t, s in (("a", "12"), ("b", "abc"), ("c", "x1"), ("d", None))]
    edited = copy.deepcopy(tasks_app)
    next(f for f in edited["entities"][0]["fields"] if f["name"] == "secret")["type"] = "integer"
    assert _save(world, admin, edited, 0).status_code == 200
    preview = c.post(f"{A}/tasks/draft/preview", headers=admin).json()
    assert preview["publishable"] is False
    [refusal] = preview["refusals"]
    assert refusal["count"] == 2 and refusal["sample_ids"] == [ids[1], ids[2]] and refusal["field"] == "secret"
    assert refusal["words"]["en"] == f"2 record(s) of “task” refuse this change (secret); for example #{ids[1]}, #{ids[2]}."
    assert "“task”有 2 条记录拒绝此变更" in refusal["words"]["zh-CN"]
    assert [ch["kind"] for ch in preview["changes"]] == ["change_type"]
    token = preview["confirm_token"]
    refused = c.post(f"{A}/tasks/draft/publish", json={"version": 1, "confirm": token}, headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "schema.change_refused"
    assert [e["message"].split(":")[0] for e in refused.json()["errors"]] == [f"Record {ids[1]}", f"Record {ids[2]}"]
    assert c.get(f"{A}/tasks", headers=admin).json()["revision"] == 1
    # fix the rows, and the same draft publishes
    for record_id in ids[1:3]:
        assert c.patch(f"/api/v1/records/task/{record_id}", json={"secret": "7"}, headers=admin).status_code == 200
    token = c.post(f"{A}/tasks/draft/preview", headers=admin).json()["confirm_token"]
    assert c.post(f"{A}/tasks/draft/publish", json={"version": 1, "confirm": token}, headers=admin).status_code == 200
    assert c.get(f"/api/v1/records/task/{ids[0]}", headers=admin).json()["secret"] == 12


def test_history_in_plain_words_and_restore(world: World, admin: dict[str, str], tasks_app: dict[str, Any]) -> None:
    c = world.client
    edited = copy.deepcopy(tasks_app)
    edited["entities"][0]["fields"].append({"name": "due", "type": "date", "label": {"en": "Due", "zh-CN": "截止"}})
    assert _save(world, admin, edited, 0).status_code == 200
    assert c.post(f"{A}/tasks/draft/publish", json={"version": 1}, headers=admin).status_code == 200
    versions = c.get(f"{A}/tasks/history", headers=admin).json()["data"]
    assert [v["revision"] for v in versions] == [2, 1]
    assert versions[0]["changes"][0]["words"]["zh-CN"] == "在“task”中新增字段“截止”（日期）。"
    restored = c.post(f"{A}/tasks/versions/1/restore", json={"version": 0}, headers=admin)
    assert restored.status_code == 200 and restored.json()["definition"] == tasks_app
    preview = c.post(f"{A}/tasks/draft/preview", headers=admin).json()
    assert [ch["kind"] for ch in preview["changes"]] == ["archive_field"] and preview["needs_confirmation"]
    published = c.post(f"{A}/tasks/draft/publish", json={"version": restored.json()["version"],
                                                          "confirm": preview["confirm_token"]}, headers=admin)
    assert published.status_code == 200 and published.json()["revision"] == 3
    assert c.get(f"{A}/tasks", headers=admin).json()["definition"] == tasks_app
    assert c.post(f"{A}/tasks/versions/9/restore", json={"version": 0}, headers=admin).status_code == 404


def test_invalid_draft_previews_its_problems(world: World, admin: dict[str, str], tasks_app: dict[str, Any]) -> None:
    edited = copy.deepcopy(tasks_app)
    edited["entities"][0]["fields"].append({"name": "broken", "type": "no_such_type"})
    assert _save(world, admin, edited, 0).status_code == 200  # a draft may be unfinished
    preview = world.client.post(f"{A}/tasks/draft/preview", headers=admin).json()
    assert preview["publishable"] is False and preview["problems"][0]["path"].startswith("/entities/0/fields/6")
    refused = world.client.post(f"{A}/tasks/draft/publish", json={"version": 1}, headers=admin)
    assert refused.status_code == 422 and refused.json()["code"] == "definition_invalid"


def test_expression_check_against_the_draft(world: World, admin: dict[str, str], tasks_app: dict[str, Any]) -> None:
    c = world.client
    url = f"{A}/tasks/draft/expressions/check"
    ok = c.post(url, json={"entity": "task", "expression": "budget * 2", "expected": "decimal"}, headers=admin).json()
    assert ok["ok"] is True and ok["type"] == "decimal" and ok["references"] == ["budget"]
    bad = c.post(url, json={"entity": "task", "expression": "budget +\n  nothing"}, headers=admin).json()
    assert bad["ok"] is False
    [error] = bad["errors"]
    assert (error["line"], error["column"], error["code"]) == (2, 3, "expression.type.unknown_field")
    assert "nothing" in error["words"]["en"] and "nothing" in error["words"]["zh-CN"]
    edited = copy.deepcopy(tasks_app)
    edited["entities"][0]["fields"].append({"name": "rank", "type": "integer"})
    assert _save(world, admin, edited, 0).status_code == 200
    drafted = c.post(url, json={"entity": "task", "expression": "rank + 1"}, headers=admin).json()
    assert drafted["ok"] is True and drafted["draft"] is True and drafted["type"] == "integer"
    assert c.post(url, json={"entity": "task", "expression": "1", "expected": "money"}, headers=admin).status_code == 422
    assert c.post(url, json={"entity": "nope", "expression": "1"}, headers=admin).status_code == 404
    assert c.post(url, json={"entity": "task"}, headers=admin).status_code == 422


def test_expression_context_offers_fields_links_and_functions(world: World, admin: dict[str, str]) -> None:
    got = world.client.get(f"{A}/tasks/draft/expressions/context", params={"entity": "task"}, headers=admin).json()
    paths = {f["path"]: f for f in got["fields"]}
    assert {"id", "title", "budget", "items", "items.label"} <= set(paths)
    assert paths["items.label"]["aggregate_only"] is True and paths["title"]["aggregate_only"] is False
    functions = {(f["kind"], f["name"]): f for f in got["functions"]}
    assert functions[("function", "ROUND")]["help"]["zh-CN"].startswith("ROUND(x, [位数])")
    assert functions[("aggregate", "SUM")]["help"]["en"].startswith("SUM(c.x")
    assert all(f["help"]["en"] and f["help"]["zh-CN"] != f["help"]["en"] for f in got["functions"])


def test_link_paths_complete_through_links(world: World, admin: dict[str, str]) -> None:
    got = world.client.get(f"{A}/sales/draft/expressions/context", params={"entity": "sales_order"},
                           headers=admin)
    assert got.status_code == 200, got.text
    paths = [f["path"] for f in got.json()["fields"]]
    assert any(p.startswith("customer.") for p in paths)


def test_field_type_palette(world: World, admin: dict[str, str]) -> None:
    got = world.client.get("/api/v1/design/field-types", headers=admin)
    assert got.status_code == 200
    types = {t["name"]: t for t in got.json()["data"]}
    assert types["select"]["has_options"] and "options" in types["select"]["properties"]
    assert types["link"]["follows_link"] and types["integer"]["label"]["zh-CN"] == "整数"
    assert types["formula"]["computed"] and not types["text"]["computed"]


def test_the_designer_routes_serve_the_ui(world: World) -> None:
    for url in ("/design", "/design/tasks"):
        page = world.client.get(url)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), url
        assert "Content-Security-Policy" in page.headers


def test_a_new_app_starts_as_a_draft(world: World, admin: dict[str, str]) -> None:
    c = world.client
    new = {"key": "crm", "version": "0.1.0", "label": {"en": "CRM", "zh-CN": "客户管理"},
           "entities": [{"key": "lead", "fields": [{"name": "name", "type": "text"}]}]}
    assert c.get(f"{A}/crm/draft", headers=admin).status_code == 404
    assert c.put(f"{A}/crm/draft", json={"definition": new, "version": 0}, headers=admin).status_code == 200
    listed = c.get("/api/v1/design/drafts", headers=admin).json()["data"]
    assert [(d["app"], d["version"], d["label"]["en"]) for d in listed] == [("crm", 1, "CRM")]
    assert c.get("/api/v1/design/drafts", headers=world.headers("dora")).json()["data"] == []  # designs tasks only
    preview = c.post(f"{A}/crm/draft/preview", headers=admin).json()
    assert [ch["kind"] for ch in preview["changes"]] == ["create_entity"] and preview["publishable"]
    assert preview["changes"][0]["words"]["en"] == "New table “lead”."
    published = c.post(f"{A}/crm/draft/publish", json={"version": 1}, headers=admin)
    assert published.status_code == 200 and published.json()["revision"] == 1
    assert c.post("/api/v1/records/lead", json={"name": "Acme"}, headers=admin).status_code == 201
    assert c.get("/api/v1/design/drafts", headers=admin).json()["data"] == []
