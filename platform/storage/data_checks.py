"""Checks of live data before a schema change: lossless type conversions, duplicates, dangling links,
and the existing rows that a new field's default will fill.

Nothing is changed here. The checks either raise `SchemaChangeError` listing offending records
(up to `MAX_OFFENDERS` per check) or return the converted values the migration will write.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, SchemaChangeError
from jimu.platform.fields.base import ValueConversionError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import translate
from jimu.platform.registry.model import FieldDef, table_name_for
from jimu.platform.storage.archive import ArchivedColumn
from jimu.platform.storage.default_fill import plan_default_fills
from jimu.platform.storage.diff import Change, ChangeKind, SchemaDiff, column_signature

MAX_OFFENDERS = 20


@dataclass
class ColumnRewrite:
    """New values of one column: `retype` when its SQL type changes (then every value is rewritten)."""

    entity: str
    column: str
    definition: FieldDef
    retype: bool
    values: list[tuple[int, Any]] = field(default_factory=list)


@dataclass
class CheckPlan:
    """What the checks found: the column rewrites and default fills the migration performs."""

    rewrites: dict[tuple[str, str], ColumnRewrite] = field(default_factory=dict)
    fills: list[Change] = field(default_factory=list)  # FILL_DEFAULT changes, for the diff


def jsonable(value: Any) -> Any:
    """A database value shown in an error (JSON-ready)."""
    if isinstance(value, (Decimal, date, datetime)):
        return str(value) if isinstance(value, Decimal) else value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value


def check_changes(conn: sa.Connection, diff: SchemaDiff, archived: Mapping[tuple[str, str], ArchivedColumn],
                  *, locale: str = "en") -> CheckPlan:
    """Run every data check of a diff; raise one SchemaChangeError listing all refusals."""
    plan = CheckPlan()
    problems: list[ErrorDetail] = []
    refused_rows: dict[str, int] = {}  # per converted field: how many rows refuse (the details name at most 20)
    created = {c.entity for c in diff.of_kind(ChangeKind.CREATE_ENTITY)}
    inspector = sa.inspect(conn)
    for key in sorted(created):
        if inspector.has_table(table_name_for(key)):
            problems.append(_detail(locale, key, "schema.table_exists", table=table_name_for(key)))
    for change in diff.of_kind(ChangeKind.CHANGE_TYPE, ChangeKind.CHANGE_OPTIONS, ChangeKind.RESTORE_FIELD):
        assert change.field_key is not None
        new_field = diff.new.entities[change.entity].field_by_key(change.field_key)
        assert new_field is not None
        if change.kind == ChangeKind.RESTORE_FIELD:
            if not change.details.get("convert"):
                continue
            old_field = archived[(change.entity, change.field_key)].field_def()
            old_signature = archived[(change.entity, change.field_key)].column_type
        else:
            old_field = diff.old.entities[change.entity].field_by_key(change.field_key)  # type: ignore[assignment]
            old_signature = column_signature(old_field, diff.old)
        rewrite = ColumnRewrite(change.entity, new_field.column, new_field,
                                retype=old_signature != column_signature(new_field, diff.new))
        problems += _convert(conn, diff, old_field, new_field, rewrite, locale, refused_rows,
                             from_archive=change.kind == ChangeKind.RESTORE_FIELD)
        plan.rewrites[(change.entity, new_field.column)] = rewrite
    problems += _check_duplicates(conn, diff, created, locale)
    problems += _check_links(conn, diff, created, locale)
    plan.fills, refused = plan_default_fills(conn, diff, locale)
    problems += refused
    if problems:
        raise SchemaChangeError(translate("schema.change_refused", locale, count=len(problems)),
                                details=problems, code="schema.change_refused", count=len(problems),
                                refused_rows=refused_rows)
    return plan


def _detail(locale: str, path: str, code: str, **params: Any) -> ErrorDetail:
    return ErrorDetail(path=path, code=code, params=params, message=translate(code, locale, **params))


def _convert(conn: sa.Connection, diff: SchemaDiff, old: FieldDef, new: FieldDef, rewrite: ColumnRewrite,
             locale: str, refused_rows: dict[str, int], *, from_archive: bool) -> list[ErrorDetail]:
    """Convert every row's value (live and deleted) with the new type's coerce; list the failures (the first
    MAX_OFFENDERS; `refused_rows` counts them all by field path)."""
    new_type = FIELD_TYPES[new.type]
    if new_type.derived:
        return []  # recomputed after the change
    old_type = FIELD_TYPES.get(old.type)
    if old_type is None or (old_type.derived and from_archive):
        return []  # an archived computed column: its values are not kept
    read_type = old_type.sa_type(old, diff.old)
    textual = isinstance(new_type.sa_type(new, diff.new), sa.String)
    source = sa.table(table_name_for(rewrite.entity), sa.column("id"), sa.column(old.column, read_type))
    rows = conn.execute(sa.select(source.c.id, source.c[old.column]).where(source.c[old.column].is_not(None))
                        .order_by(source.c.id))
    problems: list[ErrorDetail] = []
    for record_id, value in rows:
        shown = old_type.to_text(old, value) if textual else old_type.to_json(old, value)
        try:
            converted = new_type.coerce(new, shown)
        except ValueConversionError as error:
            path = f"{rewrite.entity}.{new.name}"
            refused_rows[path] = refused_rows.get(path, 0) + 1
            if len(problems) < MAX_OFFENDERS:
                reason = translate(error.code, locale, **error.params)
                problems.append(_detail(locale, path, "schema.value_not_convertible",
                                        id=record_id, value=jsonable(old_type.to_json(old, value)), reason=reason))
            continue
        if converted is not None and (rewrite.retype or converted != value):
            rewrite.values.append((record_id, converted))
    return problems


def _check_duplicates(conn: sa.Connection, diff: SchemaDiff, created: set[str], locale: str) -> list[ErrorDetail]:
    """Before a unique index: the groups of live rows sharing its values."""
    problems: list[ErrorDetail] = []
    for change in diff.of_kind(ChangeKind.ADD_UNIQUE):
        new_columns = {c.field_key for c in diff.for_entity(change.entity, ChangeKind.ADD_FIELD)}
        columns: list[str] = change.details["columns"]
        if change.entity in created or new_columns & set(columns):
            continue  # a new table or column holds no values yet
        table = sa.table(table_name_for(change.entity), sa.column("id"), sa.column("_deleted_at"),
                         *[sa.column(c) for c in columns])
        cols = [table.c[c] for c in columns]
        where = [c.is_not(None) for c in cols]
        if change.details.get("live_only"):
            where.append(table.c._deleted_at.is_(None))
        groups = conn.execute(sa.select(*cols, sa.func.count()).where(*where).group_by(*cols)
                              .having(sa.func.count() > 1).order_by(*cols).limit(MAX_OFFENDERS)).all()
        entity = diff.new.entities[change.entity]
        names = [f.name for c in columns if (f := entity.field_by_key(c)) is not None]
        for group in groups:
            values = list(group[:-1])
            ids = conn.execute(sa.select(table.c.id).where(*where, *[c == v for c, v in zip(cols, values)])
                               .order_by(table.c.id).limit(MAX_OFFENDERS)).scalars().all()
            problems.append(_detail(locale, change.entity, "schema.duplicate_value", fields=", ".join(names),
                                    values=[jsonable(v) for v in values], ids=list(ids), count=group[-1]))
    return problems


def _check_links(conn: sa.Connection, diff: SchemaDiff, created: set[str], locale: str) -> list[ErrorDetail]:
    """Before a foreign key to a new target: values pointing at records the target does not have."""
    problems: list[ErrorDetail] = []
    for change in diff.of_kind(ChangeKind.CHANGE_LINK_TARGET, ChangeKind.RESTORE_FIELD):
        new_field = diff.new.entities[change.entity].field_by_key(change.field_key or "")
        if new_field is None or not FIELD_TYPES[new_field.type].follows_link or change.entity in created:
            continue
        target_key = new_field.target
        table = sa.table(table_name_for(change.entity), sa.column("id"), sa.column(new_field.column))
        column = table.c[new_field.column]
        query = sa.select(table.c.id, column).where(column.is_not(None))
        if target_key not in created:
            target = sa.table(table_name_for(target_key), sa.column("id"))
            query = query.where(~sa.exists().where(target.c.id == column))
        for record_id, value in conn.execute(query.order_by(table.c.id).limit(MAX_OFFENDERS)):
            problems.append(_detail(locale, f"{change.entity}.{new_field.name}", "schema.dangling_link",
                                    id=record_id, value=value, target=target_key))
    return problems

