"""Server-side checks of written values: known, writable fields; conversion; value constraints; required."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field as dc_field
from typing import Any

from jimu.platform.context import Context
from jimu.platform.fields.base import ValueConversionError
from jimu.platform.registry.model import CHILD_COLUMNS, SYSTEM_COLUMNS, EntityDef, FieldDef

from .problems import Problems, join_path
from .reading import Record

SYSTEM_KEYS = frozenset(SYSTEM_COLUMNS) | frozenset(CHILD_COLUMNS)


@dataclass
class LineInput:
    """One line as sent: its id when it already exists, and its converted values."""

    id: int | None
    values: dict[str, Any]
    current: Record | None = None


@dataclass
class Prepared:
    """Converted, checked values of a write: header fields and, per child table given, its lines."""

    values: dict[str, Any]
    lines: dict[str, list[LineInput]] = dc_field(default_factory=dict)


def same_value(ctx: Context, field: FieldDef | None, sent: Any, current: Any) -> bool:
    """Whether a sent value is the current one (so a record read can be sent back unchanged)."""
    if sent == current:
        return True
    if field is None or current is None:
        return False
    field_type = ctx.catalog.field_type(field)
    return bool(field_type.to_json(field, current) == sent)


def convert_values(ctx: Context, entity: EntityDef, data: Mapping[str, Any], problems: Problems, *,
                   current: Record | None = None, prefix: str = "", lines_allowed: bool = True,
                   system_strict: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """Converted values of plain fields and the raw rows of child tables; problems collected."""
    writable = ctx.access.writable_fields(entity.key)
    values: dict[str, Any] = {}
    children: dict[str, Any] = {}
    for name, sent in data.items():
        path = join_path(prefix, name)
        field = entity.field(name)
        if field is None:
            if name in SYSTEM_KEYS:
                if system_strict and sent is not None and not (current is not None and same_value(ctx, None, sent, current.get(name))):
                    problems.add(path, "records.read_only")
            else:
                problems.add(path, "records.unknown_field", field=name)
            continue
        unchanged = current is not None and same_value(ctx, field, sent, current.get(name))
        field_type = ctx.catalog.field_type(field)
        if field_type.computed or field.read_only or (writable is not None and name not in writable):
            if not unchanged:
                code = "records.computed" if field_type.computed else (
                    "records.read_only" if field.read_only else "records.not_writable")
                problems.add(path, code)
            continue
        if field.type == "child_table":
            if lines_allowed:
                children[name] = sent
            else:
                problems.add(path, "records.unknown_field", field=name)
            continue
        try:
            value = field_type.coerce(field, sent)
        except ValueConversionError as error:
            problems.add(path, error.code, **error.params)
            continue
        if value is not None:
            found = field_type.check_value(field, value)
            if found:
                problems.extend(path, found)
                continue
        values[name] = value
    return values, children


def check_required(ctx: Context, entity: EntityDef, values: Mapping[str, Any], problems: Problems, *,
                   prefix: str = "", only: Sequence[str] | None = None) -> None:
    """`required` fields that are blank (all of them, or only those in `only`)."""
    for field in entity.fields:
        if not field.required or (only is not None and field.name not in only):
            continue
        field_type = ctx.catalog.field_type(field)
        if field_type.computed or field.type == "child_table":
            continue
        path = join_path(prefix, field.name)
        if field_type.is_blank(values.get(field.name)) and not problems.has(path):
            problems.add(path, "value.required")


def convert_lines(ctx: Context, entity: EntityDef, field: FieldDef, rows: Any, problems: Problems,
                  current_lines: Sequence[Record], prefix: str = "") -> list[LineInput]:
    """Lines of a child table as sent (the full list): existing ones by id, new ones without."""
    path = join_path(prefix, field.name)
    try:
        rows = ctx.catalog.field_type(field).coerce(field, rows)
    except ValueConversionError as error:
        problems.add(path, error.code, **error.params)
        return []
    child = ctx.catalog.require_entity(field.get("entity"))
    by_id = {line["id"]: line for line in current_lines}
    lines: list[LineInput] = []
    for index, row in enumerate(rows):
        line_prefix = f"{path}/{index}/"
        line_id = row.get("id")
        current = by_id.get(line_id) if line_id is not None else None
        if line_id is not None and current is None:
            problems.add(f"{path}/{index}", "records.unknown_line", row=line_id)
            continue
        data = {k: v for k, v in row.items() if k not in SYSTEM_KEYS}
        values, _ = convert_values(ctx, child, data, problems, current=current, prefix=line_prefix, lines_allowed=False)
        lines.append(LineInput(id=line_id, values=values, current=current))
    low, high = field.get("min_rows"), field.get("max_rows")
    if low is not None and len(rows) < low:
        problems.add(path, "records.too_few_rows", min_rows=low)
    if high is not None and len(rows) > high:
        problems.add(path, "records.too_many_rows", max_rows=high)
    return lines


def line_values(line: LineInput) -> dict[str, Any]:
    """A line's values after the write: current values overlaid with those sent."""
    merged = dict(line.current or {})
    merged.update(line.values)
    return merged
