"""Runtime parameters: the caller's values checked against the report's parameters and turned into conditions
(expression texts) on the source rows. A bad value is a 422 naming the parameter (`params.<key>`)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.security.tables import user_departments

from . import literals
from .plan import ParamPlan, ReportPlan
from .presets import PRESETS, DayRange


@dataclass
class ParamValues:
    """The conditions the parameters add, and the values they took (echoed in the result)."""

    conditions: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    ranges: dict[str, DayRange] = field(default_factory=dict)
    by_param: dict[str, str] = field(default_factory=dict)  # each parameter's condition


def invalid_param(key: str, code: str, locale: str, **params: Any) -> ValidationError:
    message = translate(code, locale, param=key, **params)
    detail = ErrorDetail(f"params.{key}", code, {"param": key, **params}, message)
    return ValidationError(message, code=code, details=[detail], param=key, **params)


def resolve_params(ctx: Context, plan: ReportPlan, raw: Mapping[str, Any], zone: str) -> ParamValues:
    known = {p.param.key for p in plan.params}
    for key in sorted(set(raw) - known):
        raise invalid_param(key, "reports.unknown_param", ctx.locale, params=", ".join(sorted(known)) or "-")
    out = ParamValues()
    for param_plan in plan.params:
        param = param_plan.param
        value = raw.get(param.key, param.default)
        if value is None or value == [] or value == "":
            if param.required:
                raise invalid_param(param.key, "reports.param_required", ctx.locale)
            continue
        condition = _condition(ctx, param_plan, value, zone, out)
        if condition is not None:
            out.conditions.append(condition)
            out.by_param[param.key] = condition
    return out


def _condition(ctx: Context, param_plan: ParamPlan, value: Any, zone: str, out: ParamValues) -> str | None:
    param, term = param_plan.param, param_plan.term
    assert term is not None and param.field is not None
    if param.type == "date_range":
        start, end = _day_range(ctx, param.key, value, zone)
        out.values[param.key] = {"from": start.isoformat(), "to": (end - timedelta(days=1)).isoformat()}
        out.ranges[param.key] = (start, end)
        return range_condition(param_plan, (start, end), zone)
    if param.type in ("current_user", "my_department"):
        if not isinstance(value, bool):
            raise invalid_param(param.key, "reports.param_not_boolean", ctx.locale)
        out.values[param.key] = value
        if not value:
            return None
        return literals.one_of(param.field, _users(ctx, param.type))
    return _select(ctx, param_plan, value, out)


def range_condition(param_plan: ParamPlan, span: DayRange, zone: str) -> str:
    """The param's field within [start, end) days of the company's zone (a date-time: from local midnight)."""
    term, source = param_plan.term, param_plan.param.field
    assert term is not None and source is not None
    if term.type is ExprType.DATETIME:
        tz = ZoneInfo(zone)
        return literals.in_range(source, *(datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(UTC) for d in span))
    return literals.in_range(source, *span)


def _users(ctx: Context, kind: str) -> list[int]:
    if ctx.user_id is None:
        return []
    if kind == "current_user":
        return [ctx.user_id]
    mine = sa.select(user_departments.c.department_id).where(user_departments.c.user_id == ctx.user_id)
    members = sa.select(user_departments.c.user_id).where(user_departments.c.department_id.in_(mine)).distinct()
    return sorted({int(u) for u in ctx.conn.execute(members).scalars()} | {ctx.user_id})


def _select(ctx: Context, param_plan: ParamPlan, value: Any, out: ParamValues) -> str:
    param, term = param_plan.param, param_plan.term
    assert term is not None and param.field is not None
    values = list(value) if isinstance(value, list) else [value]
    if len(values) > 1 and not param.multiple:
        raise invalid_param(param.key, "reports.param_one_value", ctx.locale)
    choices = ctx.catalog.field_type(term.field).choices(term.field) if term.field is not None else None
    for item in values:
        wrong_type = {ExprType.TEXT: not isinstance(item, str), ExprType.BOOLEAN: not isinstance(item, bool),
                      ExprType.INTEGER: isinstance(item, bool) or not isinstance(item, int)}.get(term.type, False)
        if wrong_type or (choices is not None and item not in choices):
            raise invalid_param(param.key, "reports.param_value", ctx.locale, value=str(item))
    out.values[param.key] = values if param.multiple else values[0]
    return literals.one_of(param.field, values)


def _day_range(ctx: Context, key: str, value: Any, zone: str) -> DayRange:
    today = ctx.now().astimezone(ZoneInfo(zone)).date()
    if isinstance(value, str):
        preset = PRESETS.get(value)
        if preset is None:
            raise invalid_param(key, "reports.unknown_preset", ctx.locale, preset=value, presets=", ".join(PRESETS))
        return preset.span(today)
    if isinstance(value, Mapping) and set(value) == {"from", "to"}:
        try:
            start, last = date.fromisoformat(str(value["from"])), date.fromisoformat(str(value["to"]))
        except ValueError:
            raise invalid_param(key, "reports.param_date_range", ctx.locale) from None
        if last < start:
            raise invalid_param(key, "reports.param_date_range", ctx.locale)
        return start, last + timedelta(days=1)
    raise invalid_param(key, "reports.param_date_range", ctx.locale)
