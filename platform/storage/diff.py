"""The schema diff between the installed catalog and a new one, for the entities of one app.

Fields are matched by their stable `key` (the column name), never by their `name`: a new name
with the same key is a rename (metadata only), a new key is a new column.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import SchemaChangeError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import translate
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.keyed_diff import section_changes
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.registry.sections import ENGINE_SECTIONS
from jimu.platform.storage.archive import ArchivedColumn
from jimu.platform.storage.tables import build_table


class ChangeKind(StrEnum):
    CREATE_ENTITY = "create_entity"
    ARCHIVE_ENTITY = "archive_entity"
    ADD_FIELD = "add_field"
    RESTORE_FIELD = "restore_field"
    RENAME_FIELD = "rename_field"
    CHANGE_TYPE = "change_type"
    CHANGE_OPTIONS = "change_options"
    ARCHIVE_FIELD = "archive_field"
    ADD_INDEX = "add_index"
    DROP_INDEX = "drop_index"
    ADD_UNIQUE = "add_unique"
    DROP_UNIQUE = "drop_unique"
    CHANGE_LINK_TARGET = "change_link_target"
    CHANGE_ON_DELETE = "change_on_delete"
    COMPUTED_CHANGED = "computed_changed"
    FILL_DEFAULT = "fill_default"  # existing rows get a new field's default (platform/storage/default_fill.py)
    METADATA = "metadata"
    APP_METADATA = "app_metadata"
    DEFINITION = "definition"  # a part of an engine section (a process, an automation...) added, changed, removed


_DESCRIPTIONS: dict[ChangeKind, str] = {
    ChangeKind.CREATE_ENTITY: "create table {table} for entity {entity}",
    ChangeKind.ARCHIVE_ENTITY: "archive entity {entity} (table {table} is kept)",
    ChangeKind.ADD_FIELD: "add field {entity}.{name} (column {key}, {type})",
    ChangeKind.RESTORE_FIELD: "restore archived column {entity}.{key} as field {name} ({type})",
    ChangeKind.RENAME_FIELD: "rename field {entity}.{old_name} to {name} (column {key} unchanged)",
    ChangeKind.CHANGE_TYPE: "change {entity}.{name} from {old_type} to {type}",
    ChangeKind.CHANGE_OPTIONS: "remove options {removed} of {entity}.{name}",
    ChangeKind.ARCHIVE_FIELD: "archive field {entity}.{name} (column {key} is kept)",
    ChangeKind.ADD_INDEX: "add index {index} on {entity} ({columns})",
    ChangeKind.DROP_INDEX: "drop index {index} on {entity}",
    ChangeKind.ADD_UNIQUE: "add unique index {index} on {entity} ({columns})",
    ChangeKind.DROP_UNIQUE: "drop unique index {index} on {entity}",
    ChangeKind.CHANGE_LINK_TARGET: "point link {entity}.{name} at {target} instead of {old_target}",
    ChangeKind.CHANGE_ON_DELETE: "change on_delete of {entity}.{name} from {old_on_delete} to {on_delete}",
    ChangeKind.COMPUTED_CHANGED: "recompute stored {type} {entity}.{name}",
    ChangeKind.FILL_DEFAULT: "set default {value} on {rows:,} existing rows of {table}",
    ChangeKind.METADATA: "metadata of {entity}{where}: {changed}",
    ChangeKind.APP_METADATA: "metadata of app {app}: {changed}",
    ChangeKind.DEFINITION: "{change} {section} {key}{what}",
}
# A change of column within one field type (e.g. a decimal's precision) is told by what changed.
_SAME_TYPE_DESCRIPTION = "change the column of {entity}.{name} ({type}): {column_changed}"
_COLUMN_ATTRIBUTES = ("length", "precision", "scale")
_NO_DDL = (ChangeKind.RENAME_FIELD, ChangeKind.METADATA, ChangeKind.APP_METADATA, ChangeKind.FILL_DEFAULT,
           ChangeKind.DEFINITION)
# Field properties that change how a stored computed value is derived.
_COMPUTED_PROPS = ("expression", "result_type", "scale", "stored", "relation", "function", "field", "condition", "link")
_LINK_PROPS = ("entity", "on_delete")


@dataclass(frozen=True)
class Change:
    """One schema change; `details` is JSON-ready."""

    kind: ChangeKind
    entity: str
    field_key: str | None = None
    field_name: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "entity": self.entity}
        if self.field_key is not None:
            out["field_key"] = self.field_key
            out["field_name"] = self.field_name
        if self.details:
            out["details"] = self.details
        return out

    def describe(self) -> str:
        """One line for people (CLI output, the designer's preview)."""
        params = {"entity": self.entity, "key": self.field_key, "name": self.field_name, "where": "", **self.details}
        if self.kind == ChangeKind.METADATA and self.field_name:
            params["where"] = f".{self.field_name}"
        if self.kind == ChangeKind.DEFINITION:
            params["what"] = f": {', '.join(self.details['changed'])}" if self.details.get("changed") else ""
        values = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in params.items()}
        template = _DESCRIPTIONS[self.kind]
        if self.kind == ChangeKind.CHANGE_TYPE and params.get("old_type") == params.get("type") \
                and params.get("column_changed"):
            template = _SAME_TYPE_DESCRIPTION
        try:
            return template.format(**values)
        except KeyError:
            return f"{self.kind.value} {self.entity}"


@dataclass
class SchemaDiff:
    """Changes applying an app's new definition; `old`/`new` are the catalogs before and after."""

    app: str
    old: Catalog
    new: Catalog
    changes: list[Change]

    def of_kind(self, *kinds: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def for_entity(self, entity: str, *kinds: ChangeKind) -> list[Change]:
        return [c for c in self.changes if c.entity == entity and (not kinds or c.kind in kinds)]

    @property
    def needs_ddl(self) -> bool:
        return any(c.kind not in _NO_DDL for c in self.changes)

    def as_dict(self) -> list[dict[str, Any]]:
        return [c.as_dict() for c in self.changes]

    def describe(self) -> list[str]:
        return [c.describe() for c in self.changes]


def column_changes(before: sa.types.TypeEngine[Any], after: sa.types.TypeEngine[Any]) -> list[str]:
    """What differs between two column types in their length, precision or scale ("precision 18 to 20")."""
    out = []
    for name in _COLUMN_ATTRIBUTES:
        old_value, new_value = getattr(before, name, None), getattr(after, name, None)
        if old_value != new_value:
            out.append(f"{name} {old_value} to {new_value}")
    return out


def column_signature(field: FieldDef, catalog: Catalog) -> str:
    """A comparable rendering of a stored field's column type (type, precision, scale, length)."""
    return repr(catalog.field_type(field).sa_type(field, catalog))


def compute_diff(old: Catalog, new: Catalog, app_key: str, archived: Mapping[tuple[str, str], ArchivedColumn],
                 *, locale: str = "en") -> SchemaDiff:
    """The changes from `old` to `new` for the entities of `app_key` (as installed and as defined now)."""
    old_app, new_app = old.apps.get(app_key), new.apps[app_key]
    changes: list[Change] = []
    if old_app is not None:
        changed = _changed_keys(old_app.raw, new_app.raw, ignore=("entities", *ENGINE_SECTIONS))
        if changed:
            changes.append(Change(ChangeKind.APP_METADATA, "", details={"app": app_key, "changed": changed}))
    for section in ENGINE_SECTIONS:
        old_part = old_app.raw.get(section) if old_app is not None else None
        changes += [Change(ChangeKind.DEFINITION, "", details=found)
                    for found in section_changes(section, old_part, new_app.raw.get(section))]
    old_keys = {e.key for e in old_app.entities} if old_app else set()
    for entity in new_app.entities:
        before = old.entity(entity.key) if entity.key in old_keys else None
        if before is None:
            changes.append(Change(ChangeKind.CREATE_ENTITY, entity.key, details={"table": entity.table_name}))
            continue
        if before.is_child != entity.is_child:
            raise SchemaChangeError(translate("schema.child_flag_changed", locale, entity=entity.key),
                                    code="schema.child_flag_changed", entity=entity.key)
        changes += _entity_changes(before, entity, old, new, archived)
    for gone in sorted(old_keys - {e.key for e in new_app.entities}):
        changes.append(Change(ChangeKind.ARCHIVE_ENTITY, gone, details={"table": old.entities[gone].table_name}))
    return SchemaDiff(app=app_key, old=old, new=new, changes=changes)


def _changed_keys(a: Mapping[str, Any], b: Mapping[str, Any], ignore: tuple[str, ...] = ()) -> list[str]:
    return sorted(k for k in set(a) | set(b) if k not in ignore and a.get(k) != b.get(k))


def _entity_changes(before: EntityDef, after: EntityDef, old: Catalog, new: Catalog,
                    archived: Mapping[tuple[str, str], ArchivedColumn]) -> list[Change]:
    changes: list[Change] = []
    entity = after.key
    old_stored = {f.key for f in old.stored_fields(before)}
    new_stored = {f.key for f in new.stored_fields(after)}
    for f in after.fields:
        o = before.field_by_key(f.key)
        field_changes = _field_changes(entity, o, f, old, new, o is not None and o.key in old_stored,
                                       f.key in new_stored, archived)
        changes += field_changes
        if o is not None and o.raw != f.raw and all(c.kind == ChangeKind.RENAME_FIELD for c in field_changes):
            changed = _changed_keys(o.raw, f.raw, ignore=("name", "key", "indexed", "unique"))  # indexes: own changes
            if changed:
                changes.append(Change(ChangeKind.METADATA, entity, f.key, f.name, {"changed": changed}))
    for o in before.fields:
        if after.field_by_key(o.key) is None:
            if o.key in old_stored:
                changes.append(Change(ChangeKind.ARCHIVE_FIELD, entity, o.key, o.name, {"type": o.type}))
            else:
                changes.append(Change(ChangeKind.METADATA, entity, o.key, o.name, {"changed": ["removed"]}))
    changes += _index_changes(before, after, old, new)
    changed = _changed_keys(before.raw, after.raw, ignore=("fields", "indexes"))
    if changed:
        changes.append(Change(ChangeKind.METADATA, entity, details={"changed": changed}))
    return changes


def _field_changes(entity: str, o: FieldDef | None, f: FieldDef, old: Catalog, new: Catalog, was_stored: bool,
                   is_stored: bool, archived: Mapping[tuple[str, str], ArchivedColumn]) -> list[Change]:
    """Changes of one field present in the new definition (`o`: the installed field with its key)."""
    out: list[Change] = []
    computed = FIELD_TYPES[f.type].derived

    def change(kind: ChangeKind, **details: Any) -> None:
        out.append(Change(kind, entity, f.key, f.name, details))

    if o is not None and o.name != f.name:
        change(ChangeKind.RENAME_FIELD, old_name=o.name)
    if is_stored and not was_stored:
        column = archived.get((entity, f.key))
        if column is not None:
            change(ChangeKind.RESTORE_FIELD, type=f.type, old_type=column.field_type, revision=column.revision,
                   convert=column.column_type != column_signature(f, new) or column.field_type != f.type)
        else:
            change(ChangeKind.ADD_FIELD, type=f.type)
        if computed:
            change(ChangeKind.COMPUTED_CHANGED, type=f.type)
        return out
    if was_stored and not is_stored:
        assert o is not None
        change(ChangeKind.ARCHIVE_FIELD, type=o.type, reason="not_stored")
        return out
    if not (was_stored and is_stored):
        if o is None:
            change(ChangeKind.METADATA, changed=["added"])
        return out
    assert o is not None
    if o.type != f.type or column_signature(o, old) != column_signature(f, new):
        change(ChangeKind.CHANGE_TYPE, old_type=o.type, type=f.type,
               old_column=column_signature(o, old), column=column_signature(f, new),
               column_changed=column_changes(old.field_type(o).sa_type(o, old), new.field_type(f).sa_type(f, new)))
    elif FIELD_TYPES[f.type].has_options:
        removed = sorted({p["value"] for p in o.get("options", [])} - {p["value"] for p in f.get("options", [])})
        if removed:
            change(ChangeKind.CHANGE_OPTIONS, removed=removed)
    if o.type == f.type and FIELD_TYPES[f.type].follows_link:
        if o.target != f.target:
            change(ChangeKind.CHANGE_LINK_TARGET, old_target=o.target, target=f.target)
        elif o.get("on_delete", "restrict") != f.get("on_delete", "restrict"):
            change(ChangeKind.CHANGE_ON_DELETE, old_on_delete=o.get("on_delete", "restrict"),
                   on_delete=f.get("on_delete", "restrict"))
    if computed and (o.type != f.type or any(o.get(p) != f.get(p) for p in _COMPUTED_PROPS)):
        change(ChangeKind.COMPUTED_CHANGED, type=f.type)
    return out


def index_specs(entity: EntityDef, catalog: Catalog) -> dict[str, tuple[tuple[str, ...], bool, bool]]:
    """The indexes an entity's table should have: name → (columns, unique, live rows only)."""
    table = build_table(entity, catalog, sa.MetaData())
    return {
        str(index.name): (tuple(c.name for c in index.columns), bool(index.unique),
                          index.dialect_kwargs.get("postgresql_where") is not None)
        for index in table.indexes
    }


def _index_changes(before: EntityDef, after: EntityDef, old: Catalog, new: Catalog) -> list[Change]:
    was, now = index_specs(before, old), index_specs(after, new)
    changes: list[Change] = []
    for name in sorted(was):
        if was[name] != now.get(name):
            columns, unique, live = was[name]
            kind = ChangeKind.DROP_UNIQUE if unique else ChangeKind.DROP_INDEX
            details = {"index": name, "columns": list(columns), "live_only": live}
            changes.append(Change(kind, after.key, details=details))
    for name in sorted(now):
        if now[name] != was.get(name):
            columns, unique, live = now[name]
            kind = ChangeKind.ADD_UNIQUE if unique else ChangeKind.ADD_INDEX
            details = {"index": name, "columns": list(columns), "live_only": live}
            changes.append(Change(kind, after.key, details=details))
    return changes
