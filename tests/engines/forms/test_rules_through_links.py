"""Record rules hold through links: a linked record the reader may not read counts as an empty link.

alice (department east) reads every order but only the assets of her department's members, and no
site named 'Hidden site'. Order O1 → her own asset (at the hidden site), O2 → carol's SECRET ASSET
(at the open site), O3 → no asset. Nothing about SECRET ASSET or the hidden site reaches her through
a filter, a sort, a search, a count, a get, a list, an export or a computed field; the same queries
as a system user see everything (so each check can fail).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.engines.forms.export import export_records
from jimu.engines.forms.listing import count_records, list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.bootstrap import init_database
from jimu.platform.context import AccessPolicy
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    RolePolicy,
    add_record_rule,
    create_department,
    create_role,
    create_user,
    load_principal,
    load_snapshot,
    set_permission,
    set_user_departments,
    set_user_roles,
)

APP: dict[str, Any] = {
    "key": "plant", "version": "1.0.0",
    "entities": [
        {"key": "site", "title_field": "name", "fields": [{"name": "name", "type": "text"}]},
        {"key": "asset", "title_field": "name", "fields": [
            {"name": "name", "type": "text"},
            {"name": "location", "type": "text"},
            {"name": "owner", "type": "user"},
            {"name": "site", "type": "link", "entity": "site"},
        ]},
        {"key": "work_order", "title_field": "title", "search_fields": ["title", "asset_name"], "fields": [
            {"name": "title", "type": "text"},
            {"name": "asset", "type": "link", "entity": "asset"},
            {"name": "asset_name", "type": "lookup", "link": "asset", "field": "name"},
            {"name": "asset_name_kept", "type": "lookup", "link": "asset", "field": "name", "stored": True},
            {"name": "name_length", "type": "formula", "expression": "LEN(asset.name)"},
            {"name": "name_length_kept", "type": "formula", "expression": "LEN(asset.name)", "stored": True},
            {"name": "site_name", "type": "formula", "expression": "asset.site.name"},
        ]},
    ],
}


@dataclass
class Plant:
    kernel: Kernel
    alice: RolePolicy
    users: dict[str, int]
    orders: dict[str, int]
    assets: dict[str, int]

    def run(self, access: AccessPolicy | None, fn: Any) -> Any:
        with self.kernel.unit_of_work(access=access) as ctx:
            return fn(ctx)


@pytest.fixture
def plant(engine: Engine) -> Iterator[Plant]:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(APP)
    with kernel.unit_of_work() as ctx:
        conn = ctx.conn
        users = {name: create_user(conn, name) for name in ("alice", "carol")}
        east, west = create_department(conn, "East"), create_department(conn, "West")
        set_user_departments(conn, users["alice"], [east])
        set_user_departments(conn, users["carol"], [west])
        create_role(conn, "clerk")
        set_permission(conn, "clerk", "work_order", ["read", "export"], catalog=ctx.catalog)
        for entity in ("asset", "site"):
            set_permission(conn, "clerk", entity, ["read"], catalog=ctx.catalog)
        add_record_rule(conn, ctx.catalog, "clerk", "asset", ["read"], {"field": "owner", "is": "my_department_members"})
        add_record_rule(conn, ctx.catalog, "clerk", "site", ["read"], {"expression": "name != 'Hidden site'"})
        set_user_roles(conn, users["alice"], ["clerk"])
        hidden = records.create(ctx, "site", {"name": "Hidden site"})["id"]
        shown = records.create(ctx, "site", {"name": "Open site"})["id"]
        assets = {
            "own": records.create(ctx, "asset", {"name": "OWN ASSET", "location": "Yard", "owner": users["alice"],
                                                 "site": hidden})["id"],
            "secret": records.create(ctx, "asset", {"name": "SECRET ASSET", "location": "Vault",
                                                    "owner": users["carol"], "site": shown})["id"],
        }
        orders = {
            "O1": records.create(ctx, "work_order", {"title": "O1", "asset": assets["own"]})["id"],
            "O2": records.create(ctx, "work_order", {"title": "O2", "asset": assets["secret"]})["id"],
            "O3": records.create(ctx, "work_order", {"title": "O3"})["id"],
        }
    with kernel.unit_of_work() as ctx:
        principal = load_principal(ctx.conn, users["alice"])
        alice = RolePolicy(principal, load_snapshot(ctx.conn), ctx.catalog, ctx.tables, dialect=ctx.dialect)
    yield Plant(kernel, alice, users, orders, assets)


def titles(plant: Plant, access: AccessPolicy | None, **query: Any) -> list[str]:
    page = plant.run(access, lambda ctx: list_records(ctx, "work_order", ListQuery(limit=500, **query)))
    return [row["title"] for row in page.rows]


def count(plant: Plant, access: AccessPolicy | None, **query: Any) -> int:
    return int(plant.run(access, lambda ctx: count_records(ctx, "work_order", ListQuery(**query))).value)


# (where, orders alice sees, orders the system sees); `{carol}` is carol's user id
WHERE = [
    ("asset.name = 'SECRET ASSET'", [], ["O2"]),
    ("asset.name = 'OWN ASSET'", ["O1"], ["O1"]),
    ("asset.name != 'OWN ASSET'", [], ["O2"]),
    ("asset.location = 'Vault'", [], ["O2"]),
    ("asset.owner = {carol}", [], ["O2"]),
    ("asset.id = {secret}", [], ["O2"]),
    ("LEN(asset.name) = 12", [], ["O2"]),
    ("ISBLANK(asset.name)", ["O2", "O3"], ["O3"]),
    ("asset.site.name = 'Open site'", [], ["O2"]),  # the first hop is hidden
    ("asset.site.name = 'Hidden site'", [], ["O1"]),  # the second hop is hidden
    ("asset_name = 'SECRET ASSET'", [], ["O2"]),  # a virtual lookup
    ("asset_name_kept = 'SECRET ASSET'", [], ["O2"]),  # a stored lookup
    ("name_length_kept = 12", [], ["O2"]),  # a stored formula through the link
    ("site_name = 'Hidden site'", [], ["O1"]),
]


@pytest.mark.parametrize(("where", "for_alice", "for_system"), WHERE)
def test_where_and_count(plant: Plant, where: str, for_alice: list[str], for_system: list[str]) -> None:
    where = where.format(carol=plant.users["carol"], secret=plant.assets["secret"])
    assert sorted(titles(plant, plant.alice, expression=where)) == for_alice
    assert count(plant, plant.alice, expression=where) == len(for_alice)
    assert sorted(titles(plant, None, expression=where)) == for_system
    assert count(plant, None, expression=where) == len(for_system)


FILTERS = [
    ({"field": "asset_name", "op": "eq", "value": "SECRET ASSET"}, [], ["O2"]),
    ({"field": "asset_name_kept", "op": "starts_with", "value": "SECRET"}, [], ["O2"]),
    ({"field": "name_length", "op": "eq", "value": 12}, [], ["O2"]),
    ({"field": "site_name", "op": "is_not_null"}, [], ["O1", "O2"]),
    ({"field": "asset_name", "op": "is_null"}, ["O2", "O3"], ["O3"]),
]


@pytest.mark.parametrize(("condition", "for_alice", "for_system"), FILTERS)
def test_structured_filters(plant: Plant, condition: dict[str, Any], for_alice: list[str],
                            for_system: list[str]) -> None:
    assert sorted(titles(plant, plant.alice, filters=condition)) == for_alice
    assert sorted(titles(plant, None, filters=condition)) == for_system


def test_search(plant: Plant) -> None:
    assert titles(plant, plant.alice, search="SECRET") == []
    assert titles(plant, None, search="SECRET") == ["O2"]
    assert titles(plant, plant.alice, search="OWN") == ["O1"]


@pytest.mark.parametrize("field", ["asset_name", "asset_name_kept", "name_length_kept"])
def test_sort_treats_the_hidden_record_as_empty(plant: Plant, field: str) -> None:
    # Descending, then by id: O2 sorts with O3 among the empty values (first or last, as each database
    # places NULLs); for the system O2 sorts first among the values.
    assert titles(plant, plant.alice, sort=f"-{field},id") in (["O2", "O3", "O1"], ["O1", "O2", "O3"])
    assert titles(plant, None, sort=f"-{field},id") in (["O3", "O2", "O1"], ["O2", "O1", "O3"])


COMPUTED = ("asset_name", "asset_name_kept", "name_length", "name_length_kept", "site_name")


def test_get_and_list_show_nothing_of_the_hidden_record(plant: Plant) -> None:
    order = plant.run(plant.alice, lambda ctx: records.get(ctx, "work_order", plant.orders["O2"]))
    assert order["asset"] == plant.assets["secret"]  # the order's own value
    assert {name: order[name] for name in COMPUTED} == dict.fromkeys(COMPUTED)
    listed = {row["title"]: row for row in plant.run(
        plant.alice, lambda ctx: list_records(ctx, "work_order", ListQuery(limit=500))).rows}
    assert {name: listed["O2"][name] for name in COMPUTED} == dict.fromkeys(COMPUTED)
    assert listed["O1"]["asset_name"] == "OWN ASSET" and listed["O1"]["site_name"] is None  # hidden second hop
    system = plant.run(None, lambda ctx: records.get(ctx, "work_order", plant.orders["O2"]))
    assert system["asset_name"] == system["asset_name_kept"] == "SECRET ASSET"
    assert system["name_length"] == system["name_length_kept"] == 12 and system["site_name"] == "Open site"


def test_export_shows_neither_title_nor_values(plant: Plant) -> None:
    def export(access: AccessPolicy | None) -> dict[str, dict[str, str]]:
        data = plant.run(access, lambda ctx: b"".join(export_records(ctx, "work_order", ListQuery(), "csv")))
        return {row["title"]: row for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig")))}

    alice, system = export(plant.alice), export(None)
    assert "SECRET" not in str(alice) and "Open site" not in str(alice)
    assert alice["O2"]["asset"] == str(plant.assets["secret"])  # the link's id, not the title
    assert alice["O1"]["asset"] == "OWN ASSET"
    assert system["O2"]["asset"] == system["O2"]["asset_name"] == "SECRET ASSET"


def test_plans_built_for_the_system_are_not_reused_for_alice(plant: Plant) -> None:
    for _ in range(2):  # whichever reads first, the other reader's plan is not shared
        assert plant.run(None, lambda ctx: records.get(ctx, "work_order", plant.orders["O2"]))["asset_name"]
        assert plant.run(plant.alice, lambda ctx: records.get(ctx, "work_order", plant.orders["O2"]))[
            "asset_name"] is None
        assert titles(plant, None, fields=["title", "asset_name"], search="SECRET") == ["O2"]
        assert titles(plant, plant.alice, fields=["title", "asset_name"], search="SECRET") == []

