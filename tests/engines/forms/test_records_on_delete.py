"""Soft deletes honour each link's on_delete: restrict refuses, cascade deletes along, set_null unlinks;
restoring a record restores what its delete cascaded to, and a record whose link target is deleted stays deleted."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import ConflictError, ValidationError
from jimu.platform.kernel import Kernel

APP: dict[str, Any] = {
    "key": "works", "version": "1.0.0",
    "entities": [
        {"key": "part", "title_field": "name", "fields": [{"name": "name", "type": "text"}]},
        {"key": "asset", "title_field": "name", "fields": [{"name": "name", "type": "text"}]},
        {"key": "site", "title_field": "name", "fields": [{"name": "name", "type": "text"}]},
        {"key": "contact", "title_field": "name", "fields": [{"name": "name", "type": "text"}]},
        {"key": "tool", "title_field": "name", "fields": [{"name": "name", "type": "text"}]},
        {"key": "job", "title_field": "title", "fields": [
            {"name": "title", "type": "text"},
            {"name": "asset", "type": "link", "entity": "asset"},
            {"name": "site", "type": "link", "entity": "site", "on_delete": "cascade"},
            {"name": "contact", "type": "link", "entity": "contact", "on_delete": "set_null"},
            {"name": "contact_name", "type": "lookup", "link": "contact", "field": "name", "stored": True},
            {"name": "lines", "type": "child_table", "entity": "job_line"},
            {"name": "line_count", "type": "rollup", "relation": "lines", "function": "count"},
        ]},
        {"key": "job_line", "child": True, "fields": [
            {"name": "part", "type": "link", "entity": "part"},
            {"name": "tool", "type": "link", "entity": "tool", "on_delete": "cascade"},
            {"name": "helper", "type": "link", "entity": "contact", "on_delete": "set_null"},
            {"name": "qty", "type": "integer"},
        ]},
    ],
}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(APP)
    return kernel


def make(kernel: Kernel, entity: str, values: dict[str, Any]) -> int:
    with kernel.unit_of_work() as ctx:
        return int(records.create(ctx, entity, values)["id"])


def get(kernel: Kernel, entity: str, record_id: int) -> dict[str, Any]:
    with kernel.unit_of_work() as ctx:
        return records.get(ctx, entity, record_id, include_deleted=True)


def history(kernel: Kernel, entity: str, record_id: int) -> list[dict[str, Any]]:
    with kernel.unit_of_work() as ctx:
        return records.history(ctx, entity, record_id)


def delete(kernel: Kernel, entity: str, record_id: int) -> None:
    with kernel.unit_of_work() as ctx:
        records.delete(ctx, entity, record_id)


def restore(kernel: Kernel, entity: str, record_id: int) -> dict[str, Any]:
    with kernel.unit_of_work() as ctx:
        return records.restore(ctx, entity, record_id)


def test_restrict_refuses_and_names_the_linking_records(kernel: Kernel) -> None:
    part, asset = make(kernel, "part", {"name": "Bolt"}), make(kernel, "asset", {"name": "Pump"})
    job = make(kernel, "job", {"title": "Fix pump", "asset": asset, "lines": [{"part": part, "qty": 2}]})
    for entity, record_id, path in (("part", part, "$linked_from/job_line/part"), ("asset", asset, "$linked_from/job/asset")):
        with pytest.raises(ConflictError) as caught:
            delete(kernel, entity, record_id)
        assert caught.value.code == "records.delete_restricted"
        assert [(d.path, d.code) for d in caught.value.details] == [(path, "records.delete_restricted_by")]
        assert f"#{job} Fix pump" in caught.value.details[0].message
        assert get(kernel, entity, record_id)["_deleted_at"] is None  # nothing changed
    delete(kernel, "job", job)  # a deleted record no longer holds its targets
    delete(kernel, "part", part)
    delete(kernel, "asset", asset)


def test_restrict_names_at_most_ten(kernel: Kernel) -> None:
    asset = make(kernel, "asset", {"name": "Pump"})
    jobs = [make(kernel, "job", {"title": f"J{n}", "asset": asset}) for n in range(12)]
    with pytest.raises(ConflictError) as caught:
        delete(kernel, "asset", asset)
    message = caught.value.details[0].message
    assert f"#{jobs[9]} J9" in message and f"#{jobs[10]}" not in message and "…" in message


def test_cascade_deletes_along_and_restore_brings_them_back(kernel: Kernel) -> None:
    site, other = make(kernel, "site", {"name": "North"}), make(kernel, "site", {"name": "South"})
    jobs = [make(kernel, "job", {"title": f"J{n}", "site": site, "lines": [{"qty": n}]}) for n in range(2)]
    kept = make(kernel, "job", {"title": "elsewhere", "site": other})
    delete(kernel, "site", site)
    for job in jobs:
        record = get(kernel, "job", job)
        assert record["_deleted_at"] is not None and record["_version"] == 2
        entry = history(kernel, "job", job)[0]
        assert entry["action"] == "delete" and entry["version"] == 2
        assert entry["changes"][0]["caused_by"] == {"entity": "site", "record_id": site}
    assert get(kernel, "job", kept)["_deleted_at"] is None
    restore(kernel, "site", site)
    for job in jobs:
        record = get(kernel, "job", job)
        assert record["_deleted_at"] is None and len(record["lines"]) == 1 and record["_version"] == 3
        assert history(kernel, "job", job)[0]["changes"][0]["caused_by"] == {"entity": "site", "record_id": site}


def test_a_record_whose_link_target_is_deleted_cannot_be_restored(kernel: Kernel) -> None:
    site = make(kernel, "site", {"name": "North"})
    job = make(kernel, "job", {"title": "J", "site": site})
    delete(kernel, "site", site)
    with pytest.raises(ValidationError) as caught:
        restore(kernel, "job", job)
    assert [(d.path, d.code) for d in caught.value.details] == [("site", "records.link_deleted")]
    part = make(kernel, "part", {"name": "Bolt"})
    with_line = make(kernel, "job", {"title": "L", "lines": [{"part": part, "qty": 1}]})
    delete(kernel, "job", with_line)
    delete(kernel, "part", part)
    with pytest.raises(ValidationError) as caught:
        restore(kernel, "job", with_line)
    assert [(d.path, d.code) for d in caught.value.details] == [("lines/0/part", "records.link_deleted")]


def test_cascade_through_a_line_removes_the_line_from_its_record(kernel: Kernel) -> None:
    tool = make(kernel, "tool", {"name": "Wrench"})
    job = make(kernel, "job", {"title": "J", "lines": [{"tool": tool, "qty": 1}, {"qty": 2}]})
    line = get(kernel, "job", job)["lines"][0]["id"]
    delete(kernel, "tool", tool)
    record = get(kernel, "job", job)
    assert [x["qty"] for x in record["lines"]] == [2] and record["line_count"] == 1 and record["_version"] == 2
    entry = history(kernel, "job", job)[0]
    assert entry["action"] == "update" and entry["version"] == 2
    assert entry["changes"] == [{"field": "lines", "row": line, "action": "removed",
                                 "changes": [{"field": "tool", "old": tool, "new": None},
                                             {"field": "qty", "old": 1, "new": None}],
                                 "caused_by": {"entity": "tool", "record_id": tool}}]
    restore(kernel, "tool", tool)  # a removed line stays removed, as after an update
    assert [x["qty"] for x in get(kernel, "job", job)["lines"]] == [2]


def test_set_null_in_a_line(kernel: Kernel) -> None:
    contact = make(kernel, "contact", {"name": "Ann"})
    job = make(kernel, "job", {"title": "J", "lines": [{"helper": contact, "qty": 1}]})
    line = get(kernel, "job", job)["lines"][0]["id"]
    delete(kernel, "contact", contact)
    record = get(kernel, "job", job)
    assert record["lines"][0]["helper"] is None and record["_version"] == 2
    assert history(kernel, "job", job)[0]["changes"] == [
        {"field": "lines", "row": line, "action": "changed", "changes": [{"field": "helper", "old": contact, "new": None}],
         "caused_by": {"entity": "contact", "record_id": contact}}]


def test_set_null_clears_the_link_and_recomputes(kernel: Kernel) -> None:
    contact = make(kernel, "contact", {"name": "Ann"})
    job = make(kernel, "job", {"title": "J", "contact": contact})
    assert get(kernel, "job", job)["contact_name"] == "Ann"
    delete(kernel, "contact", contact)
    record = get(kernel, "job", job)
    assert record["contact"] is None and record["contact_name"] is None and record["_version"] == 2
    entry = history(kernel, "job", job)[0]
    assert entry["action"] == "update" and entry["version"] == 2
    assert entry["changes"] == [{"field": "contact", "old": contact, "new": None,
                                 "caused_by": {"entity": "contact", "record_id": contact}}]
    restore(kernel, "contact", contact)  # the link stays cleared: set_null is not undone
    assert get(kernel, "job", job)["contact"] is None
