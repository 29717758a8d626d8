"""Bulk import of CSV / XLSX files into an entity: streamed, batched, with row-numbered errors.

Columns are matched to fields by the mapping, else by field name, then label (en, zh-CN), then a
renamed field's key, case-insensitively. Link cells take the target's id or its title (resolved in
bulk per batch). A blank cell of a field with a default (constant or expression) gets the default.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import field as dc_field
from datetime import date, datetime
from typing import Any

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.forms.bulk import BulkCreator
from jimu.engines.forms.import_links import LinkResolver, link_key
from jimu.engines.forms.readers import SheetRow, Source, open_table
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ImportFileError
from jimu.platform.fields.base import ValueConversionError
from jimu.platform.i18n import SUPPORTED_LOCALES, translate
from jimu.platform.registry.model import EntityDef, FieldDef

MAX_REPORTED_ERRORS = 1000


@dataclass(frozen=True)
class ImportRowError:
    """A bad row: its 1-based line (CSV) or row number (XLSX), the column and field, and why."""

    row: int
    column: str | None
    field: str | None
    code: str
    message: str
    params: dict[str, Any] = dc_field(default_factory=dict)  # the message's parameters, to render it again

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "code": self.code, "message": self.message}

    def detail(self) -> ErrorDetail:
        """The error as a field-level detail at `rows/<row>/<field or column>`."""
        path = f"rows/{self.row}/{self.field or self.column or ''}".rstrip("/")
        return ErrorDetail(path, self.code, dict(self.params), self.message)


@dataclass
class ImportReport:
    """What an import did. With all_or_nothing and any error, `created` is 0 and nothing was written."""

    created: int = 0
    ids: list[int] = field(default_factory=list)
    errors: list[ImportRowError] = field(default_factory=list)
    error_count: int = 0  # every problem found, even those beyond the reported list
    bad_rows: set[int] = field(default_factory=set)  # line/row numbers with at least one problem
    skipped: int = 0  # blank rows
    rows: int = 0  # data rows read (blank ones included)
    ignored_columns: list[str] = field(default_factory=list)  # computed fields (e.g. from an export)
    rolled_back: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "rows": self.rows, "skipped": self.skipped, "error_count": self.error_count,
                "bad_row_count": self.bad_row_count,
                "ignored_columns": self.ignored_columns,
                "errors_truncated": self.error_count > len(self.errors), "rolled_back": self.rolled_back,
                "errors": [e.as_dict() for e in self.errors]}

    @property
    def bad_row_count(self) -> int:
        return len(self.bad_rows)

    def add_error(self, error: ImportRowError, limit: int) -> None:
        self.error_count += 1
        self.bad_rows.add(error.row)
        if len(self.errors) < limit:
            self.errors.append(error)


@dataclass(frozen=True)
class Column:
    """A file column feeding a field."""

    index: int
    header: str
    field: FieldDef


def import_records(ctx: Context, entity_key: str, source: Source, *, fmt: str | None = None,
                   mapping: Mapping[str, str] | None = None, all_or_nothing: bool = True, batch_size: int = 1000,
                   max_errors: int = MAX_REPORTED_ERRORS) -> ImportReport:
    """Import every row of a CSV / XLSX file into an entity, in batches of `batch_size`.

    all_or_nothing: any bad row and nothing is written (the report lists every bad row);
    otherwise good rows are written and bad ones reported. Raises ImportFileError when the file
    itself is unusable (unreadable, unknown or missing required columns).
    """
    entity = ctx.catalog.require_entity(entity_key)
    ctx.access.require(entity_key, "import")
    report = ImportReport()
    with open_table(source, fmt) as table:
        columns = resolve_columns(ctx, entity, table.header, mapping, ignored=report.ignored_columns)
        importer = _BatchImporter(ctx, entity, columns, report, all_or_nothing, max_errors, len(table.header))
        savepoint = ctx.conn.begin_nested() if all_or_nothing else None
        try:
            for batch in _batches(table.rows, batch_size):
                importer.run(batch)
        except BaseException:
            if savepoint is not None and savepoint.is_active:
                savepoint.rollback()
            raise
        if savepoint is not None:
            if report.error_count:
                savepoint.rollback()
                report.created, report.ids, report.rolled_back = 0, [], True
            else:
                savepoint.commit()
    return report


def _batches(rows: Iterator[SheetRow], size: int) -> Iterator[list[SheetRow]]:
    """Lists of at most `size` rows, pulled lazily from the reader."""
    while True:
        batch = list(itertools.islice(rows, size))
        if not batch:
            return
        yield batch


# ---- columns -----------------------------------------------------------------------
def importable_fields(ctx: Context, entity: EntityDef) -> list[FieldDef]:
    """Stored, user-written fields (not computed, not child tables)."""
    return [f for f in ctx.catalog.stored_fields(entity) if not ctx.catalog.field_type(f).computed]


def resolve_columns(ctx: Context, entity: EntityDef, header: list[str], mapping: Mapping[str, str] | None = None,
                    *, ignored: list[str] | None = None) -> list[Column]:
    """Match each header to a field; raise ImportFileError for unknown, duplicate or missing columns.

    Headers of computed fields (an exported file has them) are skipped and listed in `ignored`.
    """
    fields = importable_fields(ctx, entity)
    by_name = {f.name: f for f in fields}
    lookup = _header_lookup(fields)
    computed = _header_lookup([f for f in entity.fields if f.name not in by_name])
    mapping = dict(mapping or {})
    problems: list[ErrorDetail] = []
    columns: list[Column] = []
    unknown: list[str] = []
    for index, title in enumerate(header):
        if not title and title not in mapping:
            continue
        if title in mapping:
            wanted = mapping.pop(title)
            target = by_name.get(wanted)
            if target is None:
                problems.append(_detail(ctx, title, "import.mapped_field_unknown", column=title, field=wanted))
                continue
        else:
            target = lookup.get(title.casefold())
            if target is None:
                if title.casefold() in computed and ignored is not None:
                    ignored.append(title)
                else:
                    unknown.append(title)
                continue
        columns.append(Column(index, title, target))
    for column_name in mapping:  # mapped columns that the file does not have
        problems.append(_detail(ctx, column_name, "import.mapped_column_missing", column=column_name))
    if unknown:
        problems.insert(0, _detail(ctx, ", ".join(unknown), "import.unknown_columns", columns=", ".join(unknown)))
    seen: dict[str, str] = {}
    for column in columns:
        if column.field.name in seen:
            problems.append(_detail(ctx, column.header, "import.duplicate_column", field=column.field.name,
                                    first=seen[column.field.name], column=column.header))
        seen.setdefault(column.field.name, column.header)
    missing = [f.name for f in fields if f.required and f.name not in seen and not _has_default(f)]
    if missing:
        problems.append(_detail(ctx, ", ".join(missing), "import.missing_columns", fields=", ".join(missing)))
    if problems:
        raise ImportFileError(problems[0].message, details=problems, code=problems[0].code)
    return columns


def _header_lookup(fields: Iterable[FieldDef]) -> dict[str, FieldDef]:
    """Casefolded header → field: current names first, then labels in every locale, then keys (a
    renamed field's first name) only where nothing current matches: after a rename that gave a new
    field the old name, a header with that name feeds the new field."""
    fields = list(fields)
    lookup: dict[str, FieldDef] = {}
    for f in fields:
        lookup.setdefault(f.name.casefold(), f)
    for f in fields:
        for locale in SUPPORTED_LOCALES:
            text = f.label.get(locale)
            if text:
                lookup.setdefault(text.strip().casefold(), f)
    for f in fields:
        lookup.setdefault(f.key.casefold(), f)
    return lookup


def _detail(ctx: Context, path: str, code: str, **params: Any) -> ErrorDetail:
    return ErrorDetail(path=path, code=code, params=params, message=translate(code, ctx.locale, **params))


# ---- rows --------------------------------------------------------------------------
class _BatchImporter:
    """Turns batches of file rows into field dicts and writes them through records.create_many."""

    def __init__(self, ctx: Context, entity: EntityDef, columns: list[Column], report: ImportReport,
                 all_or_nothing: bool, max_errors: int, header_len: int) -> None:
        self.ctx, self.entity, self.columns, self.report = ctx, entity, columns, report
        self.all_or_nothing, self.max_errors = all_or_nothing, max_errors
        self.header_len = header_len
        self.text_fields = {c.field.name for c in columns if ctx.catalog.field_expr_type(c.field) == ExprType.TEXT}
        self.cells = [(c.index, c.field.name, c.field) for c in columns]
        # blank cells of these fields are left out of the row, so the record gets the field's default
        self.defaulted = {c.field.name for c in columns if _has_default(c.field)}
        self.links = [c for c in columns if ctx.catalog.field_type(c.field).follows_link]
        self.column_of = {c.field.name: c.header for c in columns}
        self.resolver = LinkResolver(ctx)
        self.creator: BulkCreator | None = None  # made on the first write (a file of blank rows creates nothing)

    def run(self, batch: list[SheetRow]) -> None:
        self.report.rows += len(batch)
        numbers: list[int] = []
        data: list[dict[str, Any]] = []
        bad: dict[int, list[ImportRowError]] = {}
        for row in batch:
            values = self._values(row)
            if values is None:
                self.report.skipped += 1
                continue
            if len(row.values) > self.header_len and any(not _blank(v) for v in row.values[self.header_len:]):
                code = "import.extra_cells"
                bad.setdefault(row.number, []).append(
                    ImportRowError(row.number, None, None, code, translate(code, self.ctx.locale)))
            numbers.append(row.number)
            data.append(values)
        for column in self.links:
            self._resolve_links(column, numbers, data, bad)
        good = [(n, d) for n, d in zip(numbers, data) if n not in bad]
        for errors in bad.values():
            for error in errors:
                self.report.add_error(error, self.max_errors)
        if good:
            self._write([n for n, _ in good], [d for _, d in good])

    def _values(self, row: SheetRow) -> dict[str, Any] | None:
        """The row's field values (None for a blank row); empty cells are null, or left out (so the
        default applies) for a field with a default."""
        cells = row.values
        size = len(cells)
        defaulted = self.defaulted
        values: dict[str, Any] = {}
        try:  # a row of text cells (every CSV row): blank cells are blank strings, kept as they are
            if not "".join(cells).strip():
                return None
        except TypeError:  # spreadsheet cells: numbers, dates, None
            if all(_blank(v) for v in cells):
                return None
            for index, name, f in self.cells:
                value = self._cell(f, cells[index] if index < size else None)
                if value is not None or name not in defaulted:
                    values[name] = value
            return values
        for index, name, _ in self.cells:
            text = cells[index] if index < size else None
            if not text or text.isspace():
                if name not in defaulted:
                    values[name] = None
            else:
                values[name] = text
        return values

    def _cell(self, f: FieldDef, raw: Any) -> Any:
        if _blank(raw):
            return None
        if isinstance(raw, str):
            return raw
        if f.name in self.text_fields:
            return _as_text(raw)
        field_type = self.ctx.catalog.field_type(f)
        try:  # spreadsheet numbers and dates: exact conversion by the field type (floats via repr)
            return field_type.coerce(f, raw)
        except ValueConversionError:
            return _as_text(raw)

    def _resolve_links(self, column: Column, numbers: list[int], data: list[dict[str, Any]],
                       bad: dict[int, list[ImportRowError]]) -> None:
        name = column.field.name
        target = self.ctx.catalog.require_related(column.field)
        resolved = self.resolver.resolve(target, [d[name] for d in data if d.get(name) is not None])
        for number, values in zip(numbers, data):
            cell = values.get(name)
            if cell is None:
                continue
            outcome = resolved[link_key(cell)]
            if isinstance(outcome, int):
                values[name] = outcome
                continue
            code, params = outcome
            params = {"value": cell, **params}
            bad.setdefault(number, []).append(ImportRowError(
                number, column.header, name, code, translate(code, self.ctx.locale, **params), params))

    def _write(self, numbers: list[int], data: list[dict[str, Any]]) -> None:
        """Write a batch row by row (create_many keeps good rows); all-or-nothing is the caller's savepoint."""
        if self.creator is None:
            self.creator = BulkCreator(self.ctx, self.entity.key)
        result = records.create_many(self.ctx, self.entity.key, data, all_or_nothing=False, batch_size=len(data),
                                     creator=self.creator)
        self._count(result)
        for error in result.errors:
            number = numbers[error.row] if 0 <= error.row < len(numbers) else error.row
            self.report.add_error(ImportRowError(number, self.column_of.get(error.field or ""), error.field,
                                                 error.code, error.message, error.params), self.max_errors)

    def _count(self, result: records.BulkResult) -> None:
        self.report.created += result.created
        self.report.ids.extend(result.ids)


def _has_default(f: FieldDef) -> bool:
    return f.get("default") is not None or bool(f.get("default_expression"))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value: Any) -> str:
    """A spreadsheet cell as text: whole floats without `.0`, other floats by repr, dates in ISO form."""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
