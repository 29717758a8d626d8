"""The schema diff: fields matched by key, every change with a JSON form and one human line."""
from __future__ import annotations

from typing import Any

from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.validation import validate_app
from jimu.platform.storage.archive import ArchivedColumn
from jimu.platform.storage.diff import ChangeKind, SchemaDiff, compute_diff
from jimu.platform.storage.tables import index_name


def app(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"key": "a", "version": "1.0.0", "entities": [{"key": "item", "fields": list(fields)}]}


def diff(old: dict[str, Any], new: dict[str, Any],
         archived: dict[tuple[str, str], ArchivedColumn] | None = None) -> SchemaDiff:
    installed, _ = validate_app(old)
    _, catalog = validate_app(new, [installed])
    return compute_diff(Catalog([installed]), catalog, "a", archived or {})


def test_fields_match_by_key_not_by_name() -> None:
    result = diff(app({"name": "title", "type": "text"}), app({"name": "heading", "key": "title", "type": "text"}))
    [change] = result.changes
    assert change.as_dict() == {"kind": "rename_field", "entity": "item", "field_key": "title", "field_name": "heading",
                                "details": {"old_name": "title"}}
    assert change.describe() == "rename field item.title to heading (column title unchanged)"


def test_same_name_new_key_is_archive_plus_add() -> None:
    result = diff(app({"name": "title", "type": "text"}), app({"name": "title", "key": "title2", "type": "text"}))
    assert [c.kind for c in result.changes] == [ChangeKind.ADD_FIELD, ChangeKind.ARCHIVE_FIELD]


def test_precision_change_is_a_type_change_and_index_changes_are_listed() -> None:
    result = diff(app({"name": "qty", "type": "decimal", "precision": 10, "scale": 2}),
                  app({"name": "qty", "type": "decimal", "precision": 12, "scale": 2, "indexed": True}))
    assert [c.kind for c in result.changes] == [ChangeKind.CHANGE_TYPE, ChangeKind.ADD_INDEX]
    assert result.changes[1].details["index"] == index_name("ix", "t_item", "qty", "field")
    assert result.changes[0].details["column_changed"] == ["precision 10 to 12"]
    assert result.describe() == [
        "change the column of item.qty (decimal): precision 10 to 12",
        f"add index {index_name('ix', 't_item', 'qty', 'field')} on item (qty)",
    ]


def test_a_change_of_type_names_both_types_and_of_scale_what_changed() -> None:
    retyped = diff(app({"name": "qty", "type": "integer"}), app({"name": "qty", "type": "decimal", "scale": 2}))
    assert retyped.describe() == ["change item.qty from integer to decimal"]
    rescaled = diff(app({"name": "qty", "type": "money"}), app({"name": "qty", "type": "money", "scale": 4}))
    assert rescaled.describe() == ["change the column of item.qty (money): scale 2 to 4"]


def test_re_added_archived_key_is_a_restore() -> None:
    archived = {("item", "note"): ArchivedColumn("item", "note", "note", {"type": "text", "column_type": "Text()"}, 2)}
    result = diff(app({"name": "title", "type": "text"}),
                  app({"name": "title", "type": "text"}, {"name": "note", "type": "text"}), archived)
    [change] = result.changes
    assert (change.kind, change.details["convert"]) == (ChangeKind.RESTORE_FIELD, False)
