"""Drill-down: a result row → the records behind it, as parameters the records-list API accepts
(`GET /api/v1/records/{entity}?filter=...&where=...`), so the list's count equals the row's count.

The `where` is one expression: the report's own `where`, its parameters' conditions and the row's dimension
values (a time bucket as its [start, end) range in UTC; an "others" row as "none of the shown values").
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jimu.engines.expressions.types import ExprType

from . import literals
from .plan import DimPlan, ReportPlan

Row = dict[str, Any]


def dimension_source(dim: DimPlan) -> str:
    """The expression text whose value the dimension groups (before any time grain)."""
    if dim.dim.field is not None:
        return dim.dim.field
    if dim.dim.duration is not None:
        d = dim.dim.duration
        return f"DATEDIFF({d.start}, {d.end}, '{d.unit[:-1]}')"
    return dim.dim.expression or ""


def _dimension_condition(dim: DimPlan, value: Any, zone: str) -> str:
    source = dimension_source(dim)
    if dim.grain is None or value is None:
        return literals.equals(source, value)
    if dim.term.type is ExprType.DATETIME:
        return literals.in_range(source, *dim.grain.utc_range(value, zone))
    return literals.in_range(source, *dim.grain.date_range(value))


def _others_condition(dim: DimPlan, shown: Sequence[Any], zone: str) -> str:
    """Not one of the values shown on their own rows (a null shown on its own row excluded too)."""
    source = dimension_source(dim)
    present = [v for v in shown if v is not None]
    own = [_dimension_condition(dim, v, zone) for v in present]
    outside = f"not ({' or '.join(own)})" if own else "true"
    if any(v is None for v in shown):
        return f"not ISBLANK({source}) and {outside}"
    return f"ISBLANK({source}) or {outside}"


def drill(plan: ReportPlan, conditions: Sequence[str], row: Row, is_others: bool, shown_top: Sequence[Any],
          zone: str) -> dict[str, Any]:
    parts = [plan.report.where or "", *conditions]
    top = plan.report.top
    for dim in plan.dims:
        if dim.dim.key not in row:  # a subtotal: not grouped by this dimension
            continue
        if is_others and top is not None and dim.dim.key == top.dimension:
            parts.append(_others_condition(dim, shown_top, zone))
        else:
            parts.append(_dimension_condition(dim, row.get(dim.dim.key), zone))
    out: dict[str, Any] = {"entity": plan.entity.key}
    if plan.report.filter:
        out["filter"] = json.dumps(plan.report.filter, separators=(",", ":"))
    where = literals.all_of(parts)
    if where is not None:
        out["where"] = where
    return out
