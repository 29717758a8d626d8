"""Exporting a list to CSV or XLSX, streamed page by page along the keyset (never the whole table in memory).

Link columns hold the linked record's title (its entity's `title_field`), which the importer maps
back to an id; columns follow the query's projection or every readable stored and virtual field.
Consume the iterator inside the unit of work that `ctx` belongs to.
"""
from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.env import EvalEnv
from jimu.engines.forms.listing import ListPlan, build_plan, iter_pages
from jimu.engines.forms.listing_fields import ResolvedField
from jimu.engines.forms.query import ListQuery
from jimu.engines.forms.reading import ReaderGuard
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import label, translate
from jimu.platform.registry.model import EntityDef
from jimu.platform.storage.bindings import EntityBinding

EXPORT_PAGE_SIZE = 1000
CHUNK_SIZE = 64 * 1024
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def export_records(ctx: Context, entity_key: str, query: ListQuery, fmt: Literal["csv", "xlsx"], *,
                   headers: Literal["names", "labels"] = "names", page_size: int = EXPORT_PAGE_SIZE) -> Iterator[bytes]:
    """The records matching `query` (cursor ignored) as CSV (UTF-8 with BOM) or XLSX bytes, in chunks."""
    if fmt not in ("csv", "xlsx"):
        raise _invalid("format", "query.invalid_export_format", format=str(fmt))
    if headers not in ("names", "labels"):
        raise _invalid("headers", "query.invalid_headers", headers=str(headers))
    ctx.access.require(entity_key, "export")
    entity = ctx.catalog.require_entity(entity_key)
    names = list(query.fields) if query.fields is not None else [f.name for f in ctx.catalog.value_fields(entity)]
    scoped = replace(query, fields=names, cursor=None, include_lines=False)
    plan = build_plan(ctx, entity_key, scoped, extra=_link_titles(ctx, entity, names))
    header = [ref.name if headers == "names" else label(_label_of(entity, ref), ctx.locale) for ref in plan.output]
    if fmt == "csv":
        return _csv(ctx, plan, header, page_size)
    return _xlsx(ctx, plan, header, page_size, label(entity.label, ctx.locale))


def _invalid(path: str, code: str, **params: Any) -> ValidationError:
    message = translate(code, "en", **params)
    return ValidationError(message, code=code, details=[ErrorDetail(path, code, params, message)], **params)


def _label_of(entity: EntityDef, ref: ResolvedField) -> Any:
    field = entity.field(ref.name)
    return field.label if field is not None else ref.name


def _link_titles(ctx: Context, entity: EntityDef, names: list[str]) -> dict[str, ColumnElement[Any]]:
    """For each exported link field, a subquery reading the linked record's title (when the user may read the
    title field and the record: else the cell holds the link's id)."""
    binding = EntityBinding(ctx.catalog, ctx.tables, entity, EvalEnv(ctx.user_id, ctx.now()), ctx.dialect,
                            guard=ReaderGuard(ctx))
    titles: dict[str, ColumnElement[Any]] = {}
    for name in names:
        field = entity.field(name)
        if field is None or field not in ctx.catalog.link_fields(entity):
            continue
        target = ctx.catalog.require_related(field)
        title = ctx.catalog.title_field(target)
        readable = ctx.access.readable_fields(target.key)
        if title is None or (readable is not None and title not in readable):
            continue
        relation = binding.link(name)
        titles[name] = sa.select(relation.binding.column(title)).where(relation.where).scalar_subquery()
    return titles


def _rows(ctx: Context, plan: ListPlan, page_size: int) -> Iterator[list[tuple[ResolvedField, Any]]]:
    """Each record as (column, value) pairs, link values replaced by the linked record's title."""
    for page, extras in iter_pages(ctx, plan, page_size):
        for row, extra in zip(page.rows, extras):
            values = []
            for ref in plan.output:
                value = row[ref.name]
                if ref.name in extra and value is not None:
                    title = extra[ref.name]
                    value = str(title) if title is not None else value
                values.append((ref, value))
            yield values


# ---- CSV -------------------------------------------------------------------------------------------


def _csv(ctx: Context, plan: ListPlan, header: list[str], page_size: int) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for values in _rows(ctx, plan, page_size):
        writer.writerow([_text(ref, value) for ref, value in values])
        if buffer.tell() >= CHUNK_SIZE:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _text(ref: ResolvedField, value: Any) -> str:
    if isinstance(value, str):
        return value
    return FIELD_TYPES[ref.kind].to_text(ref.value_def, value)


# ---- XLSX ------------------------------------------------------------------------------------------


def _xlsx(ctx: Context, plan: ListPlan, header: list[str], page_size: int, title: str) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_SHEET_UNSAFE.sub(" ", title)[:31] or "Sheet1")
    sheet.append([_cell(sheet, text) for text in header])
    for values in _rows(ctx, plan, page_size):
        sheet.append([_xlsx_cell(sheet, ref, value) for ref, value in values])
    with tempfile.TemporaryFile() as spool:  # openpyxl streams rows to disk; the zip is written there too
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_SIZE):
            yield chunk


def _cell(sheet: WriteOnlyWorksheet, value: Any, number_format: str | None = None) -> Cell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters a worksheet cannot hold
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even when the text starts with "="
    if number_format:
        cell.number_format = number_format
    return cell


def _xlsx_cell(sheet: WriteOnlyWorksheet, ref: ResolvedField, value: Any) -> Cell:
    if value is None:
        return _cell(sheet, None)
    if isinstance(value, str):
        return _cell(sheet, value)
    if isinstance(value, bool):
        return _cell(sheet, value)
    if isinstance(value, Decimal):
        scale = _scale(ref, value)
        return _cell(sheet, value, "0." + "0" * scale if scale else "0")
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None)
        return _cell(sheet, naive, "yyyy-mm-dd hh:mm:ss")
    if isinstance(value, date):
        return _cell(sheet, value, "yyyy-mm-dd")
    if isinstance(value, int):
        return _cell(sheet, value)
    return _cell(sheet, FIELD_TYPES[ref.kind].to_text(ref.value_def, value))


def _scale(ref: ResolvedField, value: Decimal) -> int:
    if ref.kind_type.decimal_valued:
        field_type = FIELD_TYPES[ref.kind]
        scale = getattr(field_type, "precision_scale", None)
        if scale is not None:
            return int(scale(ref.value_def)[1])
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
