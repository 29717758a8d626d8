"""From the statement's rows to the report's rows, in Python and exact (Decimal): each value read as its type,
formulas over the measures (the expression interpreter), sort, limit, percent of total and running totals.

Order: aggregates → formulas → sort (None last; an "others" row last) → limit → percent of total and running
totals (over the rows in their shown order). The same code runs whatever the database, so both agree.
"""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from jimu.engines.expressions import DictRow, evaluate
from jimu.engines.expressions.env import EvalEnv
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.engines.expressions.values import parse_date, parse_datetime

from .aggregates import quantize, to_decimal
from .compiler import OTHERS, TOTAL, Compiled
from .plan import DimPlan, ReportPlan
from .terms import EXPRESSION_SCALE

PERCENT_SCALE = 2
Row = dict[str, Any]


def dimension_value(dim: DimPlan, value: Any) -> Any:
    if value is None:
        return None
    if dim.grain is not None:
        return value if dim.grain.name == "hour" else parse_date(value)
    kind = dim.term.type
    if kind is ExprType.DECIMAL:
        return quantize(to_decimal(value), dim.term.spec.scale)
    if kind is ExprType.BOOLEAN:
        return bool(value)
    if kind is ExprType.DATE:
        return parse_date(value)
    if kind is ExprType.DATETIME:
        return parse_datetime(value)
    return value


def read_rows(compiled: Compiled, result: Sequence[Any]) -> tuple[list[Row], Row, list[bool]]:
    """Group rows, the total row, and for each group row whether it is the "others" row."""
    rows: list[Row] = []
    others: list[bool] = []
    total: Row = {}
    for raw in result:
        mapping = raw._mapping
        row: Row = {d.dim.key: dimension_value(d, mapping[d.label]) for d in compiled.dims}
        for agg in compiled.aggs:
            row[agg.measure.key] = agg.aggregate.finish([mapping[label] for label in agg.labels], agg.spec)
        if mapping[TOTAL]:
            total = {agg.measure.key: row[agg.measure.key] for agg in compiled.aggs}
        else:
            rows.append(row)
            others.append(bool(mapping[OTHERS]))
    return rows, total, others


def apply_formulas(plan: ReportPlan, row: Row, env: EvalEnv) -> None:
    for key, checked in plan.formulas.items():
        measure = plan.report.measure(key)
        assert measure is not None
        try:
            value = evaluate(checked, DictRow(row), env)
        except ExpressionError:
            value = None
        if isinstance(value, (Decimal, float)):
            value = quantize(to_decimal(value), EXPRESSION_SCALE if measure.scale is None else measure.scale)
        row[key] = value


def _sort_key(plan: ReportPlan) -> Any:
    report = plan.report
    keys = [(s.by, s.descending) for s in report.sort] or [(d.key, False) for d in report.dimensions]
    resolved = []
    for key, descending in keys:
        measure = report.measure(key)
        resolved.append(((measure.percent_of_total if measure and measure.percent_of_total else key), descending))

    def sort_key(item: tuple[Row, bool]) -> Any:
        row, is_others = item
        parts: list[Any] = [is_others]
        for key, descending in resolved:
            value = row.get(key)
            parts.append(_Ordered(value, descending))
        return parts

    return sort_key


class _Ordered:
    """A value ordered ascending or descending, None always last."""

    __slots__ = ("value", "descending")

    def __init__(self, value: Any, descending: bool) -> None:
        self.value, self.descending = value, descending

    def __lt__(self, other: _Ordered) -> bool:
        if self.value is None or other.value is None:
            return self.value is not None and other.value is None
        if self.value == other.value:
            return False
        return bool(self.value > other.value) if self.descending else bool(self.value < other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Ordered) and self.value == other.value


def order_rows(plan: ReportPlan, rows: list[Row], others: list[bool]) -> tuple[list[Row], list[bool]]:
    paired = sorted(zip(rows, others), key=_sort_key(plan))
    if plan.report.limit is not None:
        paired = paired[:plan.report.limit]
    return [r for r, _ in paired], [o for _, o in paired]


def apply_shares(plan: ReportPlan, rows: list[Row], total: Row) -> None:
    """Percent of total (of the grand total) and running totals (in the rows' order) of their base measures."""
    for measure in plan.report.measures:
        if measure.percent_of_total is not None:
            whole = total.get(measure.percent_of_total)
            for row in [*rows, total]:
                row[measure.key] = _percent(row.get(measure.percent_of_total), whole)
        elif measure.running_total is not None:
            running: Any = 0
            for row in rows:
                running = running + (row.get(measure.running_total) or 0)
                row[measure.key] = running
            total[measure.key] = total.get(measure.running_total)


def _percent(part: Any, whole: Any) -> Decimal | None:
    if part is None or not whole:
        return None
    return quantize(to_decimal(part) * 100 / to_decimal(whole), PERCENT_SCALE)


def shape(plan: ReportPlan, compiled: Compiled, result: Sequence[Any],
          env: EvalEnv) -> tuple[list[Row], Row, list[bool]]:
    rows, total, others = read_rows(compiled, result)
    for row in [*rows, total]:
        apply_formulas(plan, row, env)
    rows, others = order_rows(plan, rows, others)
    apply_shares(plan, rows, total)
    return rows, total, others

