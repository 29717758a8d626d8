"""The SQL writes of the records service: headers (with the version guard) and their lines."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.errors import ConflictError, ErrorDetail, NotFoundError, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.registry.model import EntityDef

from .reading import Record, read_plan
from .validation import LineInput


def columns_of(ctx: Context, entity: EntityDef, values: Mapping[str, Any]) -> dict[str, Any]:
    """Field values by column (stored fields only)."""
    columns: dict[str, Any] = {}
    for name, value in values.items():
        field = entity.field(name)
        if field is not None and ctx.catalog.field_type(field).stored(field):
            columns[field.column] = value
    return columns


def new_row_columns(ctx: Context, entity: EntityDef, values: Mapping[str, Any]) -> dict[str, Any]:
    """Every written column of a new row (None where no value), so many rows share one executemany shape."""
    columns = {f.column: None for f in ctx.catalog.stored_fields(entity)
               if not ctx.catalog.field_type(f).derived}
    columns.update(columns_of(ctx, entity, values))
    return columns


def stamp(ctx: Context, *, creating: bool) -> dict[str, Any]:
    """System columns set by a write."""
    now = ctx.now()
    values: dict[str, Any] = {"_updated_at": now, "_updated_by": ctx.user_id}
    if creating:
        values.update({"_created_at": now, "_created_by": ctx.user_id, "_version": 1})
    return values


def insert_header(ctx: Context, entity: EntityDef, values: Mapping[str, Any]) -> int:
    table = ctx.tables[entity.key]
    statement = sa.insert(table).values({**columns_of(ctx, entity, values), **stamp(ctx, creating=True)})
    return int(ctx.conn.execute(statement.returning(table.c.id)).scalar_one())


def insert_lines(ctx: Context, child: EntityDef, parent_id: int,
                 lines: Sequence[tuple[int, Mapping[str, Any]]]) -> list[int]:
    """Insert lines (position, values) of one parent; their ids in order."""
    if not lines:
        return []
    table = ctx.tables[child.key]
    base = stamp(ctx, creating=True)
    rows = [{**new_row_columns(ctx, child, values), **base, "_parent_id": parent_id, "_position": position}
            for position, values in lines]
    if ctx.dialect == "sqlite":
        # One INSERT ... VALUES (...), (...) RETURNING id: SQLite gives each row max(id) + 1 in turn (its write
        # transaction holds the database), so the ids in ascending order are the rows' (RETURNING's own order
        # is not promised, and asking SQLAlchemy to sort by parameter order sends one INSERT per row).
        ids = sorted(int(i) for i in ctx.conn.execute(sa.insert(table).returning(table.c.id), rows).scalars())
        assert len(ids) == len(rows)
        return ids
    statement = sa.insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(i) for i in ctx.conn.execute(statement, rows).scalars()]


def conflict(ctx: Context, entity: EntityDef, record_id: int, current_version: int | None) -> ConflictError:
    code = "records.version_conflict"
    message = translate(code, ctx.locale, current_version=current_version)
    detail = ErrorDetail(path="_version", code=code, params={"current_version": current_version}, message=message)
    return ConflictError(message, details=[detail], code=code, current_version=current_version,
                         entity=entity.key, id=record_id)


def not_found(ctx: Context, entity: EntityDef, record_id: int, code: str = "records.not_found") -> NotFoundError:
    return NotFoundError(translate(code, ctx.locale, entity=entity.key, id=record_id), code=code,
                         entity=entity.key, id=record_id)


def guarded_update(ctx: Context, entity: EntityDef, record_id: int, version: int, values: Mapping[str, Any]) -> int:
    """UPDATE the header WHERE _version = version (bumping it); the new version, or ConflictError."""
    return guarded_write(ctx, entity, record_id, version, values, returning=False)[0]


def guarded_write(ctx: Context, entity: EntityDef, record_id: int, version: int, values: Mapping[str, Any], *,
                  returning: bool = True) -> tuple[int, Record | None]:
    """UPDATE the header WHERE _version = version (bumping it): the new version and, with `returning` when
    the entity's record is columns only (no virtual field), the header as written (UPDATE ... RETURNING,
    SQLite >= 3.35 and PostgreSQL; lines not included). ConflictError when the version moved."""
    table = ctx.tables[entity.key]
    plan = read_plan(ctx, entity)  # ready statements: the SET clause follows the parameters' keys
    params = {**values, **stamp(ctx, creating=False), "_version": version + 1, "jimu_id": record_id,
              "jimu_version": version}
    if returning and plan.guarded_returning is not None:
        row = ctx.conn.execute(plan.guarded_returning, params).first()
        if row is not None:
            return version + 1, dict(zip(plan.names, row))
    elif ctx.conn.execute(plan.guarded, params).rowcount == 1:
        return version + 1, None
    current = ctx.conn.execute(sa.select(table.c._version).where(table.c.id == record_id)).scalar_one_or_none()
    raise conflict(ctx, entity, record_id, current)


def write_lines(ctx: Context, child: EntityDef, parent_id: int, lines: Sequence[LineInput],
                current: Sequence[Record]) -> tuple[list[int], list[int], list[int]]:
    """Replace a parent's lines by the list sent: (added ids, changed ids, removed ids)."""
    table = ctx.tables[child.key]
    kept = {line.id for line in lines if line.id is not None}
    removed = [line["id"] for line in current if line["id"] not in kept]
    if removed:
        refuse_referenced_lines(ctx, child, removed)
        ctx.conn.execute(sa.delete(table).where(table.c.id.in_(removed)))
    changed: list[int] = []
    new: list[tuple[int, Mapping[str, Any]]] = []
    by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = {}  # changed lines by the columns they set
    stamped = stamp(ctx, creating=False)
    for position, line in enumerate(lines):
        if line.id is None:
            new.append((position, line.values))
            continue
        assert line.current is not None
        differs = {name for name, v in line.values.items() if line.current.get(name) != v}
        if differs or line.current.get("_position") != position:
            row = {**columns_of(ctx, child, line.values), **stamped, "_position": position}
            by_shape.setdefault(tuple(row), []).append({**row, _LINE_ID: line.id})
            changed.append(line.id)
    for rows in by_shape.values():  # one executemany per shape
        statement = sa.update(table).where(table.c.id == sa.bindparam(_LINE_ID)).values(_version=table.c._version + 1)
        ctx.conn.execute(statement, rows)
    added = insert_lines(ctx, child, parent_id, new)
    return added, changed, removed


_LINE_ID = "jimu_line_id"  # the bound id of each line an executemany UPDATE changes


def refuse_referenced_lines(ctx: Context, child: EntityDef, removed: Sequence[int]) -> None:
    """Lines another record links to (a delivery line to its order line) stay: removing one is refused,
    naming the line and the record pointing at it (deleted records count: their link is kept too)."""
    for back in ctx.catalog.back_links(child.key):
        table = ctx.tables[back.entity.key]
        column = table.c[back.field.column]
        found = ctx.conn.execute(sa.select(table.c.id, column).where(column.in_(removed)).limit(1)).first()
        if found is not None:
            code = "records.line_referenced"
            params = {"line": found[1], "entity": back.entity.key, "id": found[0]}
            message = translate(code, ctx.locale, **params)
            raise ValidationError(message, code=code, details=[ErrorDetail("", code, params, message)], **params)
