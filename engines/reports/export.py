"""A report's result as CSV or XLSX: a header of column labels in the caller's language, the rows, then a
totals row; streamed in chunks (a report's groups are capped, so the result itself is bounded)."""
from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from jimu.platform.context import Context
from jimu.platform.i18n import translate

from .definitions import report_plan
from .runner import RunOptions, run_report

Format = Literal["csv", "xlsx"]
CHUNK_SIZE = 64 * 1024


def _header(result: Mapping[str, Any], locale: str) -> list[str]:
    return [c["labels"].get(locale) or c["key"] for c in result["columns"]]


def _lines(result: Mapping[str, Any], locale: str) -> Iterator[list[Any]]:
    keys = [c["key"] for c in result["columns"]]
    top = result.get("top")
    for row, is_others in zip(result["rows"], result["others"]):
        line = [row.get(k) for k in keys]
        if is_others and top in keys:
            line[keys.index(top)] = translate("reports.others", locale)
        yield line
    if any(c["role"] == "dimension" for c in result["columns"]):
        totals = [result["totals"].get(k) for k in keys]
        totals[0] = translate("reports.total", locale)
        yield totals


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_csv(result: Mapping[str, Any], locale: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_header(result, locale))
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    for line in _lines(result, locale):
        writer.writerow([_text(v) for v in line])
        if buffer.tell() >= CHUNK_SIZE:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def _cell(sheet: WriteOnlyWorksheet, value: Any) -> Cell:
    number_format = None
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    elif isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        scale = max(0, -exponent) if isinstance(exponent, int) else 0
        number_format = "0." + "0" * scale if scale else "0"
    elif isinstance(value, datetime):
        value, number_format = value.astimezone(UTC).replace(tzinfo=None), "yyyy-mm-dd hh:mm:ss"
    elif isinstance(value, date):
        number_format = "yyyy-mm-dd"
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, even when the text starts with "="
    if number_format:
        cell.number_format = number_format
    return cell


def export_xlsx(result: Mapping[str, Any], locale: str, title: str) -> Iterator[bytes]:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "Report")
    sheet.append([_cell(sheet, text) for text in _header(result, locale)])
    for line in _lines(result, locale):
        sheet.append([_cell(sheet, value) for value in line])
    with tempfile.TemporaryFile() as spool:
        workbook.save(spool)
        spool.seek(0)
        while chunk := spool.read(CHUNK_SIZE):
            yield chunk


def export(result: Mapping[str, Any], fmt: Format, locale: str) -> Iterator[bytes]:
    return export_csv(result, locale) if fmt == "csv" else export_xlsx(result, locale, str(result["report"]))


def table_lines(result: Mapping[str, Any], locale: str) -> Sequence[str]:
    """The result as an aligned text table (the CLI's `--format table`)."""
    grid = [_header(result, locale), *([_text(v) for v in line] for line in _lines(result, locale))]
    widths = [max(len(row[n]) for row in grid) for n in range(len(grid[0]))] if grid and grid[0] else []
    return ["  ".join(value.ljust(width) for value, width in zip(row, widths)).rstrip() for row in grid]


def export_report(ctx: Context, app: str, key: str, params: Mapping[str, Any], fmt: Format,
                  options: RunOptions) -> Iterator[bytes]:
    """Run a report for a caller who may export its source entity, and give it as `fmt` (totals last)."""
    plan = report_plan(ctx, app, key)
    ctx.access.require(plan.entity.key, "export")
    result = run_report(ctx, app, key, params, options)
    return export(result, fmt, ctx.locale)
