"""Running a report for the caller: check their access, resolve parameters, run the ONE statement under the
row cap and the statement limit, shape the rows and give each its drill-down."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jimu.engines.forms.reading import eval_env
from jimu.platform.context import Context
from jimu.platform.errors import JimuError
from jimu.platform.statements import StatementTimeoutError

from . import shaping
from .access import require_readable
from .columns import columns
from .compiler import compile_report
from .definitions import report_plan
from .drill import drill
from .errors import ReportTimeoutError, ReportTooLargeError, error
from .params import resolve_params
from .plan import ReportPlan
from .sqlite_functions import register

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
               options: RunOptions = RunOptions()) -> dict[str, Any]:
    """The report's rows, column metadata, totals and each row's drill-down, over the rows the caller may read."""
    plan = report_plan(ctx, app, key)
    zone = _zone(options.timezone)
    ctx.access.require(plan.entity.key, "read")
    values = resolve_params(ctx, plan, params or {}, zone)
    _require_fields(ctx, plan, values.conditions)
    register(ctx.conn)
    compiled = compile_report(ctx, plan, values.conditions, zone, options.row_cap)
    try:
        result = ctx.conn.execute(compiled.statement).all()
    except StatementTimeoutError:
        raise error(ReportTimeoutError, "reports.timeout", ctx.locale, report=key) from None
    env = eval_env(ctx)
    rows, total, others = shaping.read_rows(compiled, result)
    if not plan.dims:  # one row: the totals (a KPI)
        rows, others = [dict(total)], [False]
    if len(rows) > options.row_cap:
        raise error(ReportTooLargeError, "reports.too_many_rows", ctx.locale, report=key, cap=options.row_cap)
    for row in [*rows, total]:
        shaping.apply_formulas(plan, row, env)
    top = plan.report.top
    shown_top = [] if top is None else list(dict.fromkeys(r[top.dimension] for r, o in zip(rows, others) if not o))
    rows, others = shaping.order_rows(plan, rows, others)
    shaping.apply_shares(plan, rows, total)
    if not plan.dims:
        total = dict(rows[0])
    return {
        "report": key, "app": app, "entity": plan.entity.key, "params": values.values,
        "columns": columns(ctx.catalog, plan),
        "rows": rows,
        "others": others,
        "totals": total,
        "drill": [drill(plan, values.conditions, row, is_others, shown_top, zone)
                  for row, is_others in zip(rows, others)],
    }


def _require_fields(ctx: Context, plan: ReportPlan, conditions: list[str]) -> None:
    checked = [d.term.checked for d in plan.dims]
    checked += [a.term.checked for a in plan.aggs if a.term is not None]
    checked += [a.condition for a in plan.aggs if a.condition is not None]
    checked += [ctx.catalog.compile(plan.entity.key, c) for c in conditions]
    if plan.where is not None:
        checked.append(plan.where)
    require_readable(ctx, plan.entity, checked)
