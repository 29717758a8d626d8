"""The audit trail: who changed which record, when, and how (field old → new, in JSON form)."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from jimu.platform.meta import audit_log
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.sqltypes import UTCDateTime
from jimu.platform.transactions import RESULT_UNUSED

if TYPE_CHECKING:
    from jimu.platform.context import Context

Change = dict[str, Any]
AUDIT_BUFFER = "audit.buffer"  # ctx.extras: the AuditBuffer a chain of writes holds its audit rows in


@dataclass(frozen=True)
class AuditEntry:
    """One audited action on one record."""

    entity: str
    record_id: int
    action: str  # create, update, delete, restore, import
    version: int | None
    changes: list[Change]


def audited_fields(catalog: Catalog, entity: EntityDef) -> list[FieldDef]:
    """Fields whose values the trail records: every stored field (user-written and stored computed)."""
    return catalog.stored_fields(entity)


def json_value(catalog: Catalog, field: FieldDef, value: Any) -> Any:
    """The JSON form of a value; computed fields (whose type is their result's) by the value's own type."""
    if value is None:
        return None
    value = catalog.field_type(field).to_json(field, value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def field_changes(catalog: Catalog, entity: EntityDef, before: Mapping[str, Any] | None,
                  after: Mapping[str, Any] | None) -> list[Change]:
    """{field, old, new} for every audited field whose JSON form differs."""
    changes: list[Change] = []
    for field in audited_fields(catalog, entity):
        old = json_value(catalog, field, before.get(field.name)) if before else None
        new = json_value(catalog, field, after.get(field.name)) if after else None
        if old != new:
            changes.append({"field": field.name, "old": old, "new": new})
    return changes


def line_changes(catalog: Catalog, child: EntityDef, name: str, before: Sequence[Mapping[str, Any]],
                 after: Sequence[Mapping[str, Any]]) -> list[Change]:
    """Per line of a child table: added / changed / removed, each with its field changes."""
    old_by_id = {line["id"]: line for line in before}
    new_ids = {line["id"] for line in after}
    changes: list[Change] = []
    for line in after:
        old = old_by_id.get(line["id"])
        diff = field_changes(catalog, child, old, line)
        if old is None:
            changes.append({"field": name, "row": line["id"], "action": "added", "changes": diff})
        elif diff or old.get("_position") != line.get("_position"):
            changes.append({"field": name, "row": line["id"], "action": "changed", "changes": diff})
    for line in before:
        if line["id"] not in new_ids:
            changes.append({"field": name, "row": line["id"], "action": "removed",
                            "changes": field_changes(catalog, child, line, None)})
    return changes


def entry_rows(entries: Iterable[AuditEntry], *, user_id: int | None, at: datetime,
               request_id: str | None) -> list[dict[str, Any]]:
    """The jimu_audit rows of entries, by column."""
    return [{"entity": e.entity, "record_id": e.record_id, "action": e.action, "user_id": user_id, "at": at,
             "version": e.version, "changes": e.changes, "request_id": request_id} for e in entries]


def write_entries(conn: sa.Connection, entries: Iterable[AuditEntry], *, user_id: int | None, at: datetime,
                  request_id: str | None) -> None:
    """Append audit rows (one executemany)."""
    _insert_rows(conn, entry_rows(entries, user_id=user_id, at=at, request_id=request_id))


def _insert_rows(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if rows:  # nobody reads the result (inline: no RETURNING): in a PostgreSQL pipeline it is not awaited
        conn.execute(sa.insert(audit_log).inline().execution_options(**{RESULT_UNUSED: True}), rows)


def audit_entries(ctx: Context, entries: Iterable[AuditEntry], *, at: datetime | None = None) -> None:
    """Audit entries of writes made through `ctx`, by its user, `at` (default now): held in the context's
    AuditBuffer when it has one (a chain of writes), else inserted at once."""
    buffer = ctx.extras.get(AUDIT_BUFFER)
    moment = ctx.now() if at is None else at
    if isinstance(buffer, AuditBuffer):
        buffer.add(entries, user_id=ctx.user_id, at=moment, request_id=ctx.request_id)
    else:
        write_entries(ctx.conn, entries, user_id=ctx.user_id, at=moment, request_id=ctx.request_id)


def flush_audit(ctx: Context) -> None:
    """Insert the audit rows held for `ctx` (before the trail is read, or written around the buffer)."""
    buffer = ctx.extras.get(AUDIT_BUFFER)
    if isinstance(buffer, AuditBuffer):
        buffer.flush(ctx.conn)


class AuditBuffer:
    """Audit rows of a unit of work's chain of writes, held and inserted together (one executemany).

    Each row is built when its write happens (its author, moment and request then), so a row inserted
    later is the row it would have been; the rows keep their order. The owner flushes the buffer in the
    same transaction before the work ends (and before anything reads the trail): a chain that fails
    rolls back whole, and its rows, never inserted, go with it.
    """

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, entries: Iterable[AuditEntry], *, user_id: int | None, at: datetime, request_id: str | None) -> None:
        self.rows += entry_rows(entries, user_id=user_id, at=at, request_id=request_id)

    def flush(self, conn: sa.Connection) -> None:
        rows, self.rows = self.rows, []
        _insert_rows(conn, rows)


def read_history(conn: sa.Connection, entity_key: str, record_id: int) -> list[dict[str, Any]]:
    """Audit rows of a record, newest first."""
    statement = (
        sa.select(audit_log.c.id, audit_log.c.action, audit_log.c.user_id, audit_log.c.at, audit_log.c.version,
                  audit_log.c.changes, audit_log.c.request_id)
        .where(audit_log.c.entity == entity_key, audit_log.c.record_id == record_id)
        .order_by(audit_log.c.id.desc())
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def filter_changes(changes: Iterable[Change], readable: frozenset[str] | None,
                   readable_lines: Mapping[str, frozenset[str] | None] | None = None) -> list[Change]:
    """Changes limited to the fields a user may read (line changes filtered by the child's fields)."""
    if readable is None and not readable_lines:
        return list(changes)
    kept: list[Change] = []
    for change in changes:
        if readable is not None and change["field"] not in readable and not change["field"].startswith("_"):
            continue  # system columns (`_deleted_at`) are readable wherever the record is
        if "row" in change:
            inner = (readable_lines or {}).get(change["field"])
            if inner is not None:
                change = {**change, "changes": [c for c in change["changes"] if c["field"] in inner]}
        kept.append(change)
    return kept


def audit_created(conn: sa.Connection, catalog: Catalog, entity: EntityDef, table: sa.Table, ids: Sequence[int], *,
                  action: str, user_id: int | None, at: datetime, request_id: str | None) -> None:
    """Audit rows of newly created records in one INSERT ... SELECT: their non-empty stored values, in JSON."""
    CreationAudit(catalog, entity, table, conn.dialect.name, action).write(conn, ids, user_id=user_id, at=at,
                                                                            request_id=request_id)


class CreationAudit:
    """The audit rows of records created in bulk, one INSERT ... SELECT per batch, the JSON built in SQL.

    The statements are built once and reused for every batch of an import; consecutive ids (the usual
    case: ids drawn together) are selected as a range instead of a list of a thousand parameters.
    """

    COLUMNS = ("entity", "record_id", "action", "user_id", "at", "version", "changes", "request_id")

    def __init__(self, catalog: Catalog, entity: EntityDef, table: sa.Table, dialect: str,
                 action: str = "create") -> None:
        self.dialect = dialect
        self.table = table
        items = [(field.name, _json_sql(table.c[field.column], dialect)) for field in audited_fields(catalog, entity)]
        self.select = sa.select(
            sa.literal(entity.key), table.c.id, sa.literal(action), sa.bindparam("user_id", type_=sa.BigInteger()),
            sa.bindparam("at", type_=audit_log.c.at.type), sa.literal(1), _changes_sql(items, dialect),
            sa.bindparam("request_id", type_=sa.String(64)),
        ).order_by(table.c.id)
        self.statements: dict[bool, sa.Insert] = {}

    def write(self, conn: sa.Connection, ids: Sequence[int], *, user_id: int | None, at: datetime,
              request_id: str | None) -> None:
        if not ids:
            return
        ordered = sorted(set(ids))
        first, last = ordered[0], ordered[-1]
        span = last - first + 1 == len(ordered)  # every id from first to last: a range selects exactly them
        statement = self.statements.get(span)
        if statement is None:
            column = self.table.c.id
            low, high = sa.bindparam("first", type_=sa.BigInteger()), sa.bindparam("last", type_=sa.BigInteger())
            where = column.between(low, high) if span else _among(column, self.dialect)
            statement = sa.insert(audit_log).from_select(list(self.COLUMNS), self.select.where(where))
            self.statements[span] = statement
        params: dict[str, Any] = {"user_id": user_id, "at": at, "request_id": request_id}
        params.update({"first": first, "last": last} if span else {"ids": ordered})
        conn.execute(statement, params)


def _among(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[bool]:
    """`column IN :ids`; one array parameter on PostgreSQL (a thousand parameters compile slowly)."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam("ids", type_=postgresql.ARRAY(sa.BigInteger())))
    return column.in_(sa.bindparam("ids", expanding=True))


def _json_sql(column: sa.ColumnElement[Any], dialect: str) -> sa.ColumnElement[Any]:
    """A column's value in the JSON form `json_value` gives (datetimes to the second), NULL for no value:
    JSON text on PostgreSQL, a value for json_quote on SQLite."""
    if dialect == "postgresql":
        return _json_text_postgresql(column)
    kind = column.type
    if isinstance(kind, sa.JSON):  # a JSON null is no value, as for json_value
        return sa.func.json(sa.func.nullif(column, "null"))
    if isinstance(kind, sa.Boolean):
        return sa.case((column.is_(None), sa.null()), (column == sa.true(), sa.func.json("true")),
                       else_=sa.func.json("false"))
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float) and kind.scale is not None:
        return sa.case((column.is_(None), sa.null()), else_=sa.func.printf(f"%.{kind.scale}f", column))
    if isinstance(kind, UTCDateTime):
        return sa.func.strftime("%Y-%m-%dT%H:%M:%S", column) + "+00:00"
    return column


def _json_text_postgresql(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The JSON text of a column's value: only free text goes through to_jsonb (escaping costs)."""
    kind = column.type
    text = sa.cast(column, sa.Text())
    if isinstance(kind, sa.JSON):  # a JSON null is no value, as for json_value
        return sa.cast(sa.func.nullif(column, sa.cast(sa.literal("null"), postgresql.JSONB())), sa.Text())
    if isinstance(kind, sa.Boolean):
        return sa.case((column.is_(True), "true"), (column.is_(False), "false"))
    if isinstance(kind, sa.Integer):
        return text
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float) and kind.scale is not None:
        return '"' + text + '"'
    if isinstance(kind, UTCDateTime):
        moment = sa.func.to_char(sa.func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS', type_=sa.Text())
        return '"' + moment + '+00:00"'
    if isinstance(kind, sa.Date):
        return '"' + text + '"'
    return sa.cast(sa.func.to_jsonb(column), sa.Text())


def _changes_sql(items: list[tuple[str, sa.ColumnElement[Any]]], dialect: str) -> sa.ColumnElement[Any]:
    """[{field, old: null, new}] of the items whose value is not null, built in SQL.

    Written as JSON text, `'{"field":"name","old":null,"new":' || <value as JSON> || '}'` per item:
    much less work per row than building JSON objects and filtering them.
    """
    heads = [sa.literal(f'{{"field":{json.dumps(name)},"old":null,"new":') for name, _ in items]
    if dialect == "postgresql":  # NULL || text is NULL, and concat_ws skips NULLs
        pieces = [head + value + "}" for head, (_, value) in zip(heads, items)]
        return sa.cast("[" + sa.func.concat_ws(",", *pieces) + "]", postgresql.JSONB())
    pieces = [sa.case((value.is_(None), ""), else_=head + sa.func.json_quote(value) + "},")
              for head, (_, value) in zip(heads, items)]
    joined: sa.ColumnElement[Any] = sa.literal("")
    for piece in pieces:
        joined = joined + piece
    return "[" + sa.func.rtrim(joined, ",") + "]"
