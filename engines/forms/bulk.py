"""Bulk create for imports: checked per row in Python, written per batch with set-based SQL.

Each batch is one savepoint: numbers reserved together, one executemany per table, one recompute
per entity, one audit executemany. Rows whose unique values are taken (by a live row or an earlier
row) are refused before the insert, with one query per unique field set and batch, so a file of
duplicates costs about what a clean one does. A batch that still hits a unique index (a child line's,
a concurrent writer's) is retried row by row (a savepoint each) to find the offending rows; rows
failing a rule are dropped and the batch retried.
"""
from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

import sqlalchemy as sa

from jimu.platform.audit import CreationAudit, flush_audit
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.registry.model import EntityDef, FieldDef

from .bulk_insert import TableInserter
from .checks import check_record
from .common import assign_numbers, header_entity, run_hook
from .computing import Recomputation
from .creating import NewRecord, Preparer
from .integrity import LinkValue, check_links, unique_groups
from .problems import Problems
from .reading import child_fields, fetch_records
from .rows import LinkCache
from .writing import stamp

MAX_REPORTED = 1000
TAKEN_CHUNK = 500  # values per `IN (...)` of the taken-values query (within SQLite's parameter limit)


@dataclass(frozen=True)
class RowError:
    """A problem of one input row (numbered from 0) at a field (None: the row as a whole)."""

    row: int
    field: str | None
    code: str
    message: str
    params: dict[str, Any] = dc_field(default_factory=dict)  # the message's parameters, to render it again


@dataclass
class BulkResult:
    created: int = 0
    ids: list[int] = dc_field(default_factory=list)
    errors: list[RowError] = dc_field(default_factory=list)


Item = tuple[int, NewRecord]


def create_many(ctx: Context, entity_key: str, rows: Iterable[Mapping[str, Any]], *, all_or_nothing: bool = True,
                batch_size: int = 1000, creator: BulkCreator | None = None) -> BulkResult:
    """Create many records; with all_or_nothing any row error writes nothing and raises ValidationError.

    `creator`: the BulkCreator of this context and entity to reuse (an import passes the same one for each batch).
    """
    if creator is None:
        creator = BulkCreator(ctx, entity_key)
    elif creator.ctx is not ctx or creator.writer.entity.key != entity_key:
        raise ValueError("a BulkCreator serves the context and entity it was made for")
    return creator.create_many(rows, all_or_nothing=all_or_nothing, batch_size=batch_size)


class BulkCreator:
    """`create_many` for one entity in one unit of work, its field plans and statements made once for
    every call (an import calls it once per batch of the file)."""

    def __init__(self, ctx: Context, entity_key: str) -> None:
        entity = header_entity(ctx, entity_key)
        ctx.access.require(entity_key, "create")
        self.ctx = ctx
        self.writer = _BatchWriter(ctx, entity)

    def create_many(self, rows: Iterable[Mapping[str, Any]], *, all_or_nothing: bool = True,
                    batch_size: int = 1000) -> BulkResult:
        """Create many records; with all_or_nothing any row error writes nothing and raises ValidationError."""
        ctx, writer = self.ctx, self.writer
        result = BulkResult()
        with _older_objects_frozen(), ctx.conn.begin_nested() as everything:
            batch: list[tuple[int, Any]] = []
            for index, row in enumerate(rows):
                batch.append((index, row))
                if len(batch) >= batch_size:
                    writer.write(batch, result)
                    batch = []
            if batch:
                writer.write(batch, result)
            result.errors.sort(key=lambda e: e.row)
            if all_or_nothing and result.errors:
                everything.rollback()
        if all_or_nothing and result.errors:
            bad = len({e.row for e in result.errors})
            details = [ErrorDetail(path=f"{e.row}/{e.field}" if e.field else str(e.row), code=e.code, params=e.params,
                                   message=e.message) for e in result.errors[:MAX_REPORTED]]
            raise ValidationError(translate("records.bulk_invalid", ctx.locale, count=bad), details=details,
                                  code="records.bulk_invalid", count=bad)
        return result


class _BatchWriter:
    def __init__(self, ctx: Context, entity: EntityDef) -> None:
        self.ctx = ctx
        self.entity = entity
        self.preparer = Preparer(ctx, entity)
        self.children = {f.name: ctx.catalog.require_related(f) for f in child_fields(entity)}
        self.has_checks = any(_has_checks(e) for e in [entity, *self.children.values()])
        self.audit = CreationAudit(ctx.catalog, entity, ctx.tables[entity.key], ctx.dialect)
        self.inserters = {e.key: TableInserter(ctx.tables[e.key]) for e in [entity, *self.children.values()]}
        self.unique = unique_groups(entity)

    def write(self, batch: list[tuple[int, Any]], result: BulkResult) -> None:
        items = self._without_taken(self._prepare(batch, result), result)
        for _ in range(len(items) + 1):
            if not items:
                return
            failed = self._attempt(items, result)
            if not failed:
                return
            items = [item for item in items if item[0] not in failed]

    def _prepare(self, batch: list[tuple[int, Any]], result: BulkResult) -> list[Item]:
        problems: dict[int, Problems] = {}
        items: list[Item] = []
        links: list[LinkValue] = []
        prepare, locale = self.preparer.prepare, self.ctx.locale
        for index, data in batch:
            found = Problems(locale)
            record, row_links = prepare(data, found)
            if found:
                problems[index] = found
                continue
            items.append((index, record))
            if row_links:
                links += [LinkValue(f"{index}/{link.path}", link.field, link.target_id) for link in row_links]
        if not links and not problems:
            return items
        linked = Problems(self.ctx.locale)
        check_links(self.ctx, links, linked)
        for detail in linked.details:
            index_text, path = detail.path.split("/", 1)
            problems.setdefault(int(index_text), Problems(self.ctx.locale)).details.append(
                ErrorDetail(path, detail.code, detail.params, detail.message))
        for index, found in problems.items():
            _report(result, index, found)
        return [item for item in items if item[0] not in problems]

    def _without_taken(self, items: list[Item], result: BulkResult) -> list[Item]:
        """The items whose unique values are free; the others reported as `records.unique`, as the
        row-by-row insert would have: a value taken by a live row, or by an earlier row that is kept."""
        if not self.unique or not items:
            return items
        keys = [[tuple(record.values.get(f.name) for f in group) for _, record in items] for group in self.unique]
        taken = [self._taken(group, {key for key in group_keys if None not in key})
                 for group, group_keys in zip(self.unique, keys)]
        kept: list[Item] = []
        for position, item in enumerate(items):
            found = Problems(self.ctx.locale)
            row_keys = [group_keys[position] for group_keys in keys]
            for group, key, used in zip(self.unique, row_keys, taken):
                if None not in key and key in used and not found.has(group[0].name):
                    found.add(group[0].name, "records.unique", value=", ".join(str(value) for value in key))
            if found:
                _report(result, item[0], found)
                continue
            kept.append(item)
            for key, used in zip(row_keys, taken):
                if None not in key:
                    used.add(key)
        return kept

    def _taken(self, group: tuple[FieldDef, ...], keys: set[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
        """Those of `keys` (values of the group's fields) that a live row already holds."""
        table = self.ctx.tables[self.entity.key]
        columns = [table.c[f.column] for f in group]
        target = columns[0] if len(columns) == 1 else sa.tuple_(*columns)
        wanted = sorted(keys, key=repr)
        found: set[tuple[Any, ...]] = set()
        for start in range(0, len(wanted), TAKEN_CHUNK):
            chunk = wanted[start:start + TAKEN_CHUNK]
            values = [key[0] for key in chunk] if len(columns) == 1 else chunk
            statement = sa.select(*columns).where(table.c._deleted_at.is_(None), target.in_(values))
            found.update(tuple(row) for row in self.ctx.conn.execute(statement))
        return found

    def _attempt(self, items: list[Item], result: BulkResult) -> set[int]:
        """Write a batch in a savepoint; rows failing a rule (then nothing is kept, to retry without them)."""
        savepoint = self.ctx.conn.begin_nested()
        try:
            failed = self._insert(items, result)
        except sa.exc.IntegrityError:
            savepoint.rollback()
            return self._one_by_one(items, result)
        except BaseException:
            savepoint.rollback()
            raise
        if failed:
            savepoint.rollback()
            return failed
        savepoint.commit()
        return set()

    def _one_by_one(self, items: list[Item], result: BulkResult) -> set[int]:
        """Write a batch the database refused row by row, a savepoint each; the rows were all handled."""
        for index, record in items:
            savepoint = self.ctx.conn.begin_nested()
            try:
                failed = self._insert([(index, record)], result)
            except sa.exc.IntegrityError:
                savepoint.rollback()
                found = Problems(self.ctx.locale)
                self.preparer.check_unique(record, found)
                if not found:
                    found.add("", "records.integrity")
                _report(result, index, found)
                continue
            except BaseException:
                savepoint.rollback()
                raise
            if failed:
                savepoint.rollback()
            else:
                savepoint.commit()
        return set()

    def _insert(self, items: list[Item], result: BulkResult) -> set[int]:
        ctx, entity = self.ctx, self.entity
        if ctx.hooks is not None and ctx.hooks.wants("before_create", entity.key):
            for _, record in items:
                run_hook(ctx, "before_create", entity, None, None, {**record.values, **record.lines})
        values = [record.values for _, record in items]
        assign_numbers(ctx, entity, values)
        plan = self.preparer.plans[entity.key]
        base = stamp(ctx, creating=True)
        ids = self.inserters[entity.key].insert(ctx.conn, [plan.row(v) for v in values], base)
        recomputation = Recomputation(ctx)
        recomputation.touch(entity.key, ids)
        for name, child in self.children.items():
            rows = [(record_id, position, line) for record_id, (_, record) in zip(ids, items)
                    for position, line in enumerate(record.lines.get(name) or [])]
            if rows:
                assign_numbers(ctx, child, [line for _, _, line in rows])
                line_ids = self.inserters[child.key].insert(ctx.conn, [
                    {**self.preparer.plans[child.key].row(line), "_parent_id": p, "_position": pos}
                    for p, pos, line in rows], base)
                recomputation.touch(child.key, line_ids)
        recomputation.run()
        if self.has_checks:
            failed = self._check(items, ids, result)
            if failed:
                return failed
        flush_audit(ctx)  # rows a chain holds first: the trail keeps the order of the writes
        self.audit.write(ctx.conn, ids, user_id=ctx.user_id, at=ctx.now(), request_id=ctx.request_id)
        if ctx.hooks is not None and ctx.hooks.wants("after_create", entity.key):
            for record_id, (_, record) in zip(ids, items):
                run_hook(ctx, "after_create", entity, record_id, None,
                         {"id": record_id, **record.values, **record.lines})
        result.ids += ids
        result.created += len(ids)
        return set()

    def _check(self, items: list[Item], ids: list[int], result: BulkResult) -> set[int]:
        records = fetch_records(self.ctx, self.entity, ids)
        cache = LinkCache(self.ctx)
        failed: set[int] = set()
        for record_id, (index, _) in zip(ids, items):
            found = Problems(self.ctx.locale)
            check_record(self.ctx, self.entity, records[record_id], found, cache)
            if found:
                _report(result, index, found)
                failed.add(index)
        return failed


@contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Write with the objects that existed before frozen (`gc.freeze`), so the full collections that a
    batch's thousands of live row objects set off walk those objects, not the whole heap (they took
    about 15 % of an import). Process-wide, yet harmless when concurrent or nested: unfreezing only
    puts the frozen objects back in the oldest generation."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _has_checks(entity: EntityDef) -> bool:
    return bool(entity.rules) or any(f.get("required_if") or (f.required and f.get("visible_if"))
                                     for f in entity.fields)


def _report(result: BulkResult, index: int, problems: Problems) -> None:
    for detail in problems.details:
        result.errors.append(RowError(index, detail.path or None, detail.code, detail.message, detail.params))

