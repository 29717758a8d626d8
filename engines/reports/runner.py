"""Running a report for the caller: check their access, resolve parameters, run the ONE statement under the
row cap and the statement limit, shape the rows and give each its drill-down."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from jimu.engines.forms.reading import eval_env
from jimu.platform.context import Context
from jimu.platform.errors import JimuError, ValidationError
from jimu.platform.statements import StatementTimeoutError

from . import shaping
from .access import require_readable
from .columns import columns
from .compiler import Periods, compile_report
from .definitions import report_plan
from .drill import drill
from .errors import ReportTimeoutError, ReportTooLargeError, error
from .params import ParamValues, range_condition, resolve_params
from .plan import ReportPlan
from .presets import compared_range
from .sqlite_functions import register
from .sqlite_sums import overflowed

DEFAULT_ROW_CAP = 10_000


@dataclass(frozen=True)
class RunOptions:
    """The company's time zone (settings.timezone) and the most groups a report may return."""

    timezone: str = "UTC"
    row_cap: int = DEFAULT_ROW_CAP


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise error(JimuError, "reports.bad_timezone", "en", zone=name) from None
    return name


def run_report(ctx: Context, app: str, key: str, params: Mapping[str, Any] | None = None,
               options: RunOptions | None = None) -> dict[str, Any]:
    """The report's rows, column metadata, totals and each row's drill-down, over the rows the caller may read."""
    plan = report_plan(ctx, app, key)
    options = options or RunOptions()
    zone = _zone(options.timezone)
    ctx.access.require(plan.entity.key, "read")
    values = resolve_params(ctx, plan, params or {}, zone)
    _require_fields(ctx, plan, values.conditions)
    register(ctx.conn)
    conditions, periods = _periods(ctx, plan, values, zone)
    compiled = compile_report(ctx, plan, conditions, zone, options.row_cap, periods)
    try:
        try:
            result = ctx.conn.execute(compiled.statement).all()
        except sa.exc.OperationalError as failed:
            if ctx.dialect != "sqlite" or not overflowed(failed):
                raise
            compiled = compile_report(ctx, plan, conditions, zone, options.row_cap, periods, split_sums=True)
            result = ctx.conn.execute(compiled.statement).all()
    except StatementTimeoutError:
        raise error(ReportTimeoutError, "reports.timeout", ctx.locale, report=key) from None
    groups = shaping.read_rows(compiled, result, plan.report.top.dimension if plan.report.top else None)
    if len(groups.rows) > options.row_cap:  # a subtotal level has no more groups than the groups
        raise error(ReportTooLargeError, "reports.too_many_rows", ctx.locale, report=key, cap=options.row_cap)
    body = _shape(ctx, plan, groups, values.conditions, zone, periods is not None)
    return {"report": key, "app": app, "entity": plan.entity.key, "params": values.values,
            "columns": columns(ctx.catalog, plan), **body}


def _periods(ctx: Context, plan: ReportPlan, values: ParamValues, zone: str) -> tuple[list[str], Periods | None]:
    """The conditions of the statement and, when the report compares periods, the two periods (the compared
    parameter's condition becomes `current or previous`)."""
    compare = plan.report.compare
    if compare is None:
        return values.conditions, None
    span = values.ranges.get(compare.param)
    param_plan = next(p for p in plan.params if p.param.key == compare.param)
    if span is None:
        raise error(ValidationError, "reports.compare_needs_value", ctx.locale, path=f"params.{compare.param}",
                    param=compare.param)
    current = values.by_param[compare.param]
    before = compared_range(span, compare.with_)
    previous = range_condition(param_plan, before, zone)
    values.values["compared_with"] = {"from": before[0].isoformat(),
                                      "to": (before[1] - timedelta(days=1)).isoformat()}
    conditions = [c for c in values.conditions if c != current] + [f"({current}) or ({previous})"]
    return conditions, Periods(current, previous)


def _shape(ctx: Context, plan: ReportPlan, groups: shaping.Groups, conditions: list[str], zone: str,
           compared: bool) -> dict[str, Any]:
    env = eval_env(ctx)
    rows, others, total = groups.rows, groups.others, groups.total
    subtotals = [row for _, row, _ in groups.subtotals]
    if not plan.dims:  # one row: the totals (a KPI)
        rows, others = [total], [False]
    for row in [*rows, *subtotals, *([] if not plan.dims else [total])]:
        shaping.apply_formulas(plan, row, env, compared)
        if compared:
            shaping.apply_changes(plan, row)
    top = plan.report.top
    shown = [] if top is None else list(dict.fromkeys(r[top.dimension] for r, o in zip(rows, others) if not o))
    rows, others = shaping.order_rows(plan, rows, others)
    shaping.apply_shares(plan, rows, total, subtotals)
    body: dict[str, Any] = {
        "top": None if top is None else top.dimension,
        "rows": rows, "others": others, "totals": dict(rows[0]) if not plan.dims else total,
        "drill": [drill(plan, conditions, row, is_others, shown, zone) for row, is_others in zip(rows, others)],
    }
    if plan.report.pivot is not None:
        pivot = plan.report.pivot
        body["pivot"] = {"rows": list(pivot.rows), "columns": list(pivot.columns), "subtotals": [
            {"dimensions": list(keys), "others": is_others, "values": row,
             "drill": drill(plan, conditions, row, is_others, shown, zone)}
            for keys, row, is_others in groups.subtotals]}
    return body


def _require_fields(ctx: Context, plan: ReportPlan, conditions: list[str]) -> None:
    checked = [d.term.checked for d in plan.dims]
    checked += [a.term.checked for a in plan.aggs if a.term is not None]
    checked += [a.condition for a in plan.aggs if a.condition is not None]
    checked += [ctx.catalog.compile(plan.entity.key, c) for c in conditions]
    if plan.where is not None:
        checked.append(plan.where)
    require_readable(ctx, plan.entity, checked)
