"""The dry run and the apply agree: a corpus of awkward definitions, each checked both ways on a database with
data, gets the same outcome (applied, or refused with the same typed error) — never a raw database error.
Also: identifiers are whole-string matches, keys may not take system columns, generated names are injective
and fit PostgreSQL's 63 characters, and indexes made under the old names are still found."""
from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError, JimuError
from jimu.platform.kernel import Kernel
from jimu.platform.registry.model import SYSTEM_COLUMNS
from jimu.platform.registry.validation import validate_app
from jimu.platform.storage.tables import MAX_IDENTIFIER, build_tables, index_name, legacy_index_name

LONG = "k" * 48


def base() -> dict[str, Any]:
    return {"key": "odd", "entities": [
        {"key": "a", "fields": [{"name": "title", "type": "text"}, {"name": "code", "type": "text"},
                                {"name": "qty", "type": "integer"}, {"name": "lines", "type": "child_table",
                                                                     "entity": "a_line"}]},
        {"key": "a_line", "child": True, "fields": [{"name": "note", "type": "text"}]},
    ]}


def variant(change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    raw = base()
    change(raw)
    return raw


def _fields(raw: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    fields: list[dict[str, Any]] = next(e for e in raw["entities"] if e["key"] == entity)["fields"]
    return fields


def _entity(raw: dict[str, Any], entity: str) -> dict[str, Any]:
    found: dict[str, Any] = next(e for e in raw["entities"] if e["key"] == entity)
    return found


CORPUS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "key with a trailing newline": lambda r: _fields(r, "a").append({"name": "evil", "key": "evil\n", "type": "text"}),
    "entity key with a trailing newline": lambda r: r["entities"].append(
        {"key": "evil\n", "fields": [{"name": "x", "type": "text"}]}),
    "field key id": lambda r: _fields(r, "a").append({"name": "ident", "key": "id", "type": "text"}),
    "line field key id": lambda r: _fields(r, "a_line").append({"name": "ident", "key": "id", "type": "integer"}),
    "crossing names a_b.c and a.b_c": lambda r: (
        r["entities"].append({"key": "a_b", "fields": [{"name": "c", "type": "text", "indexed": True,
                                                        "unique": True}]}),
        _fields(r, "a").append({"name": "b_c", "type": "text", "indexed": True, "unique": True})),
    "entity index named like an indexed field": lambda r: (
        _fields(r, "a").append({"name": "title_qty", "type": "text", "indexed": True}),
        _entity(r, "a").update(indexes=[{"key": "title_qty", "fields": ["title", "qty"]}])),
    "line index named parent": lambda r: (
        _fields(r, "a_line").append({"name": "parent_ref", "type": "integer"}),
        _entity(r, "a_line").update(indexes=[{"key": "parent", "fields": ["note", "parent_ref"]}])),
    "longest keys everywhere": lambda r: r["entities"].append({"key": LONG, "fields": [
        {"name": LONG, "type": "text", "unique": True},
        {"name": LONG[:-1] + "x", "type": "link", "entity": LONG},
        {"name": LONG[:-1] + "y", "type": "text", "indexed": True}],
        "indexes": [{"key": LONG, "fields": [LONG, LONG[:-1] + "y"], "unique": True}]}),
    "unique over duplicate data": lambda r: _fields(r, "a")[1].update(unique=True),
    "text to integer over words": lambda r: _fields(r, "a")[1].update(type="integer"),
    "required with a default": lambda r: _fields(r, "a").append({"name": "flag", "type": "boolean", "default": True}),
    "child flag changed": lambda r: _entity(r, "a_line").update(child=False),
}


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(base())
    with kernel.unit_of_work() as ctx:
        for n in range(3):
            records.create(ctx, "a", {"title": f"T{n}", "code": "same", "qty": n, "lines": [{"note": "x"}]})
    return kernel


def outcome(action: Callable[[], Any]) -> tuple[str, str]:
    try:
        action()
    except JimuError as refused:
        return "refused", refused.code
    return "applied", ""


def schema_of(kernel: Kernel) -> tuple[Any, ...]:
    inspector = sa.inspect(kernel.engine)
    tables = sorted(inspector.get_table_names())
    return tuple((t, tuple(c["name"] for c in inspector.get_columns(t)),
                  tuple(sorted(str(i["name"]) for i in inspector.get_indexes(t)))) for t in tables)


@pytest.mark.parametrize("case", list(CORPUS))
def test_the_dry_run_refuses_exactly_what_the_apply_refuses(kernel: Kernel, case: str) -> None:
    raw = variant(CORPUS[case])
    before = schema_of(kernel)
    dry = outcome(lambda: kernel.apply_app(copy.deepcopy(raw), dry_run=True))
    assert schema_of(kernel) == before  # a dry run leaves no trace
    applied = outcome(lambda: kernel.apply_app(copy.deepcopy(raw)))
    assert dry == applied, case
    if applied[0] == "applied":  # every entity can then be reached and written
        with kernel.unit_of_work() as ctx:
            for entity in ctx.catalog.entities.values():
                if not entity.is_child:
                    assert records.create(ctx, entity.key, {})["id"]
    else:
        assert schema_of(kernel) == before


@pytest.mark.parametrize("name", ["evil\n", "evil\r\n", "evil\n\n", " evil", "évil", "Evil", "e" * 49])
def test_identifiers_must_match_as_a_whole(name: str) -> None:
    for raw in ({"key": name, "entities": []},
                {"key": "ok", "entities": [{"key": name, "fields": [{"name": "x", "type": "text"}]}]},
                {"key": "ok", "entities": [{"key": "e", "fields": [{"name": name, "type": "text"}]}]}):
        with pytest.raises(DefinitionError) as refused:
            validate_app(raw)
        assert [d.code for d in refused.value.details] == ["definition.invalid_identifier"]


@pytest.mark.parametrize("column", [c for c in SYSTEM_COLUMNS if not c.startswith("_")])
def test_field_keys_may_not_take_a_system_column(column: str) -> None:
    raw = {"key": "ok", "entities": [{"key": "e", "fields": [{"name": "x", "key": column, "type": "text"}]}]}
    with pytest.raises(DefinitionError) as refused:
        validate_app(raw)
    assert [(d.path, d.code) for d in refused.value.details] == [("/entities/0/fields/0/key", "definition.reserved_key")]


def test_generated_names_are_distinct_and_fit_postgresql() -> None:
    raw = variant(lambda r: [CORPUS[c](r) for c in ("crossing names a_b.c and a.b_c",
                                                    "entity index named like an indexed field",
                                                    "line index named parent", "longest keys everywhere")])
    _, catalog = validate_app(raw)
    tables = build_tables(catalog)
    names = [str(i.name) for t in tables.tables.values() for i in t.indexes]
    names += [str(fk.name) for t in tables.tables.values() for fk in t.foreign_keys if fk.name]
    assert len(names) == len(set(names)) > 10
    assert max(len(n) for n in names) <= MAX_IDENTIFIER
    assert index_name("ix", "t_a_b", "c", "field") != index_name("ix", "t_a", "b_c", "field")
    assert index_name("ix", "t_a", "x", "field") != index_name("ix", "t_a", "x", "index")


def test_an_index_made_under_its_old_name_is_still_dropped(kernel: Kernel) -> None:
    """An installation from before injective names: its index is found by the old name when it must go."""
    legacy, current = legacy_index_name("ux", "t_a", "code"), index_name("ux", "t_a", "code", "field")
    with kernel.engine.begin() as conn:
        table = kernel.definitions(conn).tables["a"]
        conn.execute(sa.update(table).values(code=table.c.title))
    kernel.apply_app(variant(lambda r: _fields(r, "a")[1].update(unique=True)))
    with kernel.engine.begin() as conn:  # as an older version would have named it
        conn.execute(sa.text(f"DROP INDEX {current}"))
        conn.execute(sa.text(f"CREATE UNIQUE INDEX {legacy} ON t_a (code) WHERE _deleted_at IS NULL"))
    kernel.apply_app(base())  # unique removed again
    assert not {legacy, current} & {str(i["name"]) for i in sa.inspect(kernel.engine).get_indexes("t_a")}
    with kernel.unit_of_work() as ctx:
        records.create(ctx, "a", {"code": "T1"})  # the old unique index really is gone
