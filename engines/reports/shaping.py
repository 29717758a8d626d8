"""From the statement's rows to the report's rows, in Python and exact (Decimal): each value read as its type,
formulas over the measures (the expression interpreter), sort, limit, percent of total and running totals.

Order: aggregates → formulas → sort (None last; an "others" row last) → limit → percent of total and running
totals (over the rows in their shown order). The same code runs whatever the database, so both agree.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jimu.engines.expressions import DictRow, evaluate
from jimu.engines.expressions.env import EvalEnv
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.engines.expressions.values import parse_date, parse_datetime

from .aggregates import merge_values, quantize, to_decimal
from .compiler import OTHERS, PREVIOUS, SET, Compiled
from .plan import DimPlan, ReportPlan
from .terms import EXPRESSION_SCALE

PERCENT_SCALE = 2
PREVIOUS_SUFFIX = "_previous"  # a measure over the compared period; then `_change` and `_change_pct`
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


@dataclass
class Groups:
    """The statement's rows by grouping set: the groups (and which is the "others" row), the pivot subtotals
    (each with the dimension keys it groups by), the grand total."""

    rows: list[Row] = field(default_factory=list)
    others: list[bool] = field(default_factory=list)
    subtotals: list[tuple[tuple[str, ...], Row, bool]] = field(default_factory=list)
    total: Row = field(default_factory=dict)


RawGroup = tuple[int, Row, bool, dict[str, Any]]  # (set number, dimension values, others, raw SQL columns)


def _raw_groups(compiled: Compiled, result: Sequence[Any]) -> list[RawGroup]:
    labels = [label + suffix for agg in compiled.aggs for label in agg.labels
              for suffix in ("", PREVIOUS)[:2 if compiled.compared else 1]]
    found: list[RawGroup] = []
    for raw in result:
        mapping = raw._mapping
        number = int(mapping[SET])
        keys = {compiled.dims[n].dim.key for n in compiled.sets[number]}
        dims = {d.dim.key: dimension_value(d, mapping[d.label]) for d in compiled.dims if d.dim.key in keys}
        found.append((number, dims, bool(mapping[OTHERS]), {label: mapping[label] for label in labels}))
    return found


def _merged(compiled: Compiled, groups: list[RawGroup], top: str | None) -> list[RawGroup]:
    """Every coarser grouping set merged from the groups (set 0), exactly: sums added, extremes compared."""
    out: list[RawGroup] = []
    for number in range(1, len(compiled.sets)):
        keys = [compiled.dims[n].dim.key for n in compiled.sets[number]]
        buckets: dict[tuple[Any, ...], list[RawGroup]] = {}
        for group in groups:
            flag = group[2] if top in keys else False
            buckets.setdefault((*(group[1][k] for k in keys), flag), []).append(group)
        if not keys and not buckets:  # no groups at all: the grand total still counts zero rows
            buckets[(False,)] = []
        for bucket_key, members in buckets.items():
            columns: dict[str, Any] = {}
            for agg in compiled.aggs:
                assert agg.aggregate.merge is not None
                for label, op in zip(agg.labels, agg.aggregate.merge):
                    for suffix in ("", PREVIOUS)[:2 if compiled.compared else 1]:
                        columns[label + suffix] = merge_values(op, [m[3][label + suffix] for m in members])
            out.append((number, dict(zip(keys, bucket_key)), bool(bucket_key[-1]), columns))
    return out


def _measures(compiled: Compiled, columns: Mapping[str, Any], suffix: str) -> Row:
    return {agg.measure.key: agg.aggregate.finish([columns[label + suffix] for label in agg.labels], agg.spec)
            for agg in compiled.aggs}


def read_rows(compiled: Compiled, result: Sequence[Any], top: str | None = None) -> Groups:
    groups = Groups()
    last = len(compiled.sets) - 1
    raw = _raw_groups(compiled, result)
    if compiled.derived:
        raw += _merged(compiled, raw, top)
    for number, dims, is_others, columns in raw:
        row: Row = {**dims, **_measures(compiled, columns, "")}
        if compiled.compared:
            previous = _measures(compiled, columns, PREVIOUS)
            row.update({key + PREVIOUS_SUFFIX: value for key, value in previous.items()})
        if number == last:
            groups.total = row
        elif number == 0:
            groups.rows.append(row)
            groups.others.append(is_others)
        else:
            groups.subtotals.append((tuple(dims), row, is_others))
    return groups


def apply_formulas(plan: ReportPlan, row: Row, env: EvalEnv, compared: bool = False) -> None:
    """Formula measures from the row's measures (and, compared, from its previous-period measures)."""
    for key, checked in plan.formulas.items():
        measure = plan.report.measure(key)
        assert measure is not None
        scale = EXPRESSION_SCALE if measure.scale is None else measure.scale
        row[key] = _formula(checked, row, env, scale)
        if compared:
            previous = {k[:-len(PREVIOUS_SUFFIX)]: v for k, v in row.items() if k.endswith(PREVIOUS_SUFFIX)}
            row[key + PREVIOUS_SUFFIX] = _formula(checked, previous, env, scale)


def _formula(checked: Any, values: Row, env: EvalEnv, scale: int) -> Any:
    try:
        value = evaluate(checked, DictRow(values), env)
    except ExpressionError:
        return None
    if isinstance(value, (Decimal, float)):
        value = quantize(to_decimal(value), scale)
    return value


def apply_changes(plan: ReportPlan, row: Row) -> None:
    """Against the compared period: each aggregate and formula measure's change, as a value and a percent."""
    for measure in plan.report.measures:
        if measure.base is not None:
            continue
        now, before = row.get(measure.key), row.get(measure.key + PREVIOUS_SUFFIX)
        change = None if now is None or before is None else now - before
        row[measure.key + "_change"] = change
        row[measure.key + "_change_pct"] = None if change is None or not before else _percent(change, abs(before))


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


def apply_shares(plan: ReportPlan, rows: list[Row], total: Row, subtotals: Sequence[Row] = ()) -> None:
    """Percent of total (of the grand total) and running totals (in the rows' order) of their base measures."""
    for measure in plan.report.measures:
        if measure.percent_of_total is not None:
            whole = total.get(measure.percent_of_total)
            for row in [*rows, *subtotals, total]:
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
