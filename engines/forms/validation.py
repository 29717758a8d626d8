"""Server-side checks of written values: known, writable fields; conversion; value constraints; required."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from jimu.platform.context import Context
from jimu.platform.fields.base import ValueConversionError
from jimu.platform.fields.relation import coerce_id
from jimu.platform.registry.model import CHILD_COLUMNS, SYSTEM_COLUMNS, EntityDef, FieldDef

from .plan import EntityPlan, entity_plan
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
                   plan: EntityPlan | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Converted values of plain fields and the raw rows of child tables; problems collected."""
    plan = plan or entity_plan(ctx, entity)
    slots, plain = plan.slots, plan.plain
    values: dict[str, Any] = {}
    children: dict[str, Any] = {}
    for name, sent in data.items():
        converters = plain.get(name)
        if converters is not None:
            convert, check = converters
            try:
                value = convert(sent)
            except ValueConversionError as error:
                problems.add(join_path(prefix, name), error.code, **error.params)
                continue
            if value is not None and check is not None:
                found = check(value)
                if found:
                    problems.extend(join_path(prefix, name), found)
                    continue
            values[name] = value
            continue
        slot = slots.get(name)  # not a plain value: unknown, system, blocked or a child table
        if slot is None:
            if name not in SYSTEM_KEYS:
                problems.add(join_path(prefix, name), "records.unknown_field", field=name)
            elif sent is not None and not (current is not None and same_value(ctx, None, sent, current.get(name))):
                problems.add(join_path(prefix, name), "records.read_only")
            continue
        if slot.blocked is not None:
            if current is None or not same_value(ctx, slot.field, sent, current.get(name)):
                problems.add(join_path(prefix, name), slot.blocked)
            continue
        if lines_allowed:  # a child table
            children[name] = sent
        else:
            problems.add(join_path(prefix, name), "records.unknown_field", field=name)
    return values, children


def check_required(ctx: Context, entity: EntityDef, values: Mapping[str, Any], problems: Problems, *,
                   prefix: str = "", only: Sequence[str] | None = None, plan: EntityPlan | None = None) -> None:
    """`required` fields that are blank (all of them, or only those in `only`)."""
    for slot in (plan or entity_plan(ctx, entity)).required:
        name = slot.field.name
        if only is not None and name not in only:
            continue
        if slot.type.is_blank(values.get(name)):
            path = join_path(prefix, name)
            if not problems.has(path):
                problems.add(path, "value.required")


def convert_lines(ctx: Context, entity: EntityDef, field: FieldDef, rows: Any, problems: Problems,
                  current_lines: Sequence[Record], prefix: str = "", plan: EntityPlan | None = None) -> list[LineInput]:
    """Lines of a child table as sent (the full list): existing ones by id, new ones without."""
    path = join_path(prefix, field.name)
    try:
        rows = ctx.catalog.field_type(field).coerce(field, rows)
    except ValueConversionError as error:
        problems.add(path, error.code, **error.params)
        return []
    child = ctx.catalog.require_related(field)
    plan = plan or entity_plan(ctx, child)
    by_id = {line["id"]: line for line in current_lines}
    lines: list[LineInput] = []
    for index, row in enumerate(rows):
        line_prefix = f"{path}/{index}/"
        try:
            line_id = coerce_id(row.get("id"))
        except ValueConversionError as error:
            problems.add(f"{line_prefix}id", error.code, **error.params)
            continue
        current = by_id.get(line_id) if line_id is not None else None
        if line_id is not None and current is None:
            problems.add(f"{path}/{index}", "records.unknown_line", row=line_id)
            continue
        data = {k: v for k, v in row.items() if k not in SYSTEM_KEYS}
        values, _ = convert_values(ctx, child, data, problems, current=current, prefix=line_prefix,
                                   lines_allowed=False, plan=plan)
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
