"""A report definition checked against the entities: every dimension, measure, parameter and sort resolved
and type-checked. Built by validation at apply (each problem at its JSON path) and at run time (once per
catalog); a plan is independent of the caller and of parameter values."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.engines.expressions import CheckedExpression, DictScope, compile_expression
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.engines.forms.query import parse_filter
from jimu.platform.errors import JimuError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n.expressions import expression_problem_params
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef

from .aggregates import AGGREGATES, NUMBERS, Aggregate, ValueSpec
from .grains import GRAINS, TimeGrain
from .model import DimensionDef, MeasureDef, ParamDef, ReportDef
from .presets import PRESETS
from .terms import Term, TermError, expression_term, field_at, path_term, value_term

Problem = tuple[str, str, dict[str, Any]]  # (JSON path inside the report, code, params)
RANGE_TYPES = frozenset({ExprType.DATE, ExprType.DATETIME})


@dataclass(frozen=True)
class DimPlan:
    dim: DimensionDef
    term: Term
    grain: TimeGrain | None
    label: str  # its column in the statement

    @property
    def is_datetime(self) -> bool:
        return self.term.type is ExprType.DATETIME


@dataclass(frozen=True)
class AggPlan:
    measure: MeasureDef
    aggregate: Aggregate
    term: Term | None  # None: count of rows
    condition: CheckedExpression | None  # the measure's `where`
    labels: tuple[str, ...]  # its columns in the statement

    @property
    def spec(self) -> ValueSpec:
        return self.term.spec if self.term is not None else ValueSpec(ExprType.INTEGER)

    @property
    def type(self) -> ExprType:
        return self.aggregate.result(self.spec)


@dataclass(frozen=True)
class ParamPlan:
    param: ParamDef
    term: Term | None  # the field it limits


@dataclass
class ReportPlan:
    report: ReportDef
    entity: EntityDef
    dims: list[DimPlan] = field(default_factory=list)
    aggs: list[AggPlan] = field(default_factory=list)
    formulas: dict[str, CheckedExpression] = field(default_factory=dict)
    types: dict[str, ExprType] = field(default_factory=dict)  # every measure's result type
    params: list[ParamPlan] = field(default_factory=list)
    where: CheckedExpression | None = None
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, code: str, **params: Any) -> None:
        self.problems.append((path, code, params))

    def agg(self, key: str) -> AggPlan | None:
        return next((a for a in self.aggs if a.measure.key == key), None)


def plan_report(catalog: Catalog, report: ReportDef) -> ReportPlan | None:
    """The plan of a report, its problems noted on it; None when its source entity is unknown."""
    entity = catalog.entity(report.source)
    if entity is None:
        return None
    plan = ReportPlan(report, entity)
    _plan_dimensions(catalog, plan)
    _plan_measures(catalog, plan)
    _plan_params(catalog, plan)
    _plan_filters(catalog, plan)
    _check_order(plan)
    return plan


def _term(plan: ReportPlan, path: str, build: Any) -> Term | None:
    try:
        term: Term | None = build()
    except TermError as error:
        plan.add(path, error.code, **error.params)
        return None
    return term


def _plan_dimensions(catalog: Catalog, plan: ReportPlan) -> None:
    seen: set[str] = set()
    for n, dim in enumerate(plan.report.dimensions):
        path = f"dimensions/{n}"
        if dim.key in seen:
            plan.add(f"{path}/key", "reports.duplicate_key", key=dim.key)
        seen.add(dim.key)
        term = _dimension_term(catalog, plan, dim, path)
        if term is None:
            continue
        grain = _grain(plan, dim, term, path)
        if term.type in (ExprType.COLLECTION, ExprType.LIST):
            plan.add(path, "reports.dimension_type", dimension=dim.key, type=term.type.value)
        plan.dims.append(DimPlan(dim, term, grain, f"d{len(plan.dims)}"))


def _dimension_term(catalog: Catalog, plan: ReportPlan, dim: DimensionDef, path: str) -> Term | None:
    if dim.duration is None:
        return _term(plan, f"{path}/{'field' if dim.field else 'expression'}", lambda: value_term(
            catalog, plan.entity, field=dim.field, expression=dim.expression, duration=None))
    duration = dim.duration  # whole hours or days, truncated toward zero
    for bound in (duration.start, duration.end):
        checked = _term(plan, f"{path}/duration", lambda: path_term(catalog, plan.entity, bound))  # noqa: B023
        if checked is not None and checked.type is not ExprType.DATETIME:
            plan.add(f"{path}/duration", "reports.duration_not_datetime", field=bound)
            return None
    source = f"DATEDIFF({duration.start}, {duration.end}, '{duration.unit[:-1]}')"
    return _term(plan, f"{path}/duration", lambda: expression_term(catalog, plan.entity, source))


def _grain(plan: ReportPlan, dim: DimensionDef, term: Term, path: str) -> TimeGrain | None:
    if dim.grain is None:
        return None
    grain = GRAINS[dim.grain]
    if dim.field is None:
        plan.add(f"{path}/grain", "reports.grain_needs_field", dimension=dim.key)
    elif term.type not in RANGE_TYPES:
        plan.add(f"{path}/grain", "reports.grain_not_date", field=dim.field, grain=dim.grain)
    elif term.type is ExprType.DATE and not grain.dates:
        plan.add(f"{path}/grain", "reports.grain_needs_datetime", field=dim.field, grain=dim.grain)
    return grain


def _plan_measures(catalog: Catalog, plan: ReportPlan) -> None:
    keys = {d.key for d in plan.report.dimensions}
    for n, measure in enumerate(plan.report.measures):
        path = f"measures/{n}"
        if measure.key in keys:
            plan.add(f"{path}/key", "reports.duplicate_key", key=measure.key)
        keys.add(measure.key)
        if measure.aggregate is not None:
            _plan_aggregate(catalog, plan, measure, path)
        elif measure.formula is not None:
            _plan_formula(plan, measure, path)
        else:
            base = measure.base
            if plan.types.get(base or "") not in NUMBERS:
                prop = "percent_of_total" if measure.percent_of_total else "running_total"
                plan.add(f"{path}/{prop}", "reports.unknown_measure", measure=str(base))
                continue
            plan.types[measure.key] = ExprType.DECIMAL if measure.percent_of_total else plan.types[base or ""]


def _plan_aggregate(catalog: Catalog, plan: ReportPlan, measure: MeasureDef, path: str) -> None:
    aggregate = AGGREGATES[measure.aggregate or ""]
    given = [p for p in ("field", "expression", "duration") if getattr(measure, p) is not None]
    if len(given) > 1 or (not given and not aggregate.value_optional):
        plan.add(path, "reports.measure_value", measure=measure.key, aggregate=aggregate.name)
        return
    term = _term(plan, f"{path}/{given[0] if given else 'aggregate'}", lambda: value_term(
        catalog, plan.entity, field=measure.field, expression=measure.expression, duration=measure.duration,
        scale=measure.scale))
    if given and term is None:
        return
    if term is not None and term.type not in aggregate.takes:
        plan.add(f"{path}/aggregate", "reports.aggregate_type", aggregate=aggregate.name, type=term.type.value,
                 measure=measure.key)
        return
    condition = None
    if measure.where is not None:
        condition = _boolean(catalog, plan, measure.where, f"{path}/where")
        if condition is None:
            return
    n = len(plan.aggs)
    labels = tuple(f"m{n}_{i}" for i in range(2 if aggregate.name == "avg" else 1))
    agg = AggPlan(measure, aggregate, term, condition, labels)
    plan.aggs.append(agg)
    plan.types[measure.key] = agg.type


def _boolean(catalog: Catalog, plan: ReportPlan, source: str, path: str) -> CheckedExpression | None:
    try:
        return catalog.compile(plan.entity.key, source, ExprType.BOOLEAN)
    except ExpressionError as error:
        plan.add(path, "definition.expression_invalid", **expression_problem_params(error))
        return None


def formula_scope(types: Mapping[str, ExprType]) -> DictScope:
    return DictScope({key: t for key, t in types.items() if t in NUMBERS})


def _plan_formula(plan: ReportPlan, measure: MeasureDef, path: str) -> None:
    try:
        operands = {key: plan.types[key] for key in [*(a.measure.key for a in plan.aggs), *plan.formulas]}
        checked = compile_expression(measure.formula or "", formula_scope(operands))
    except ExpressionError as error:
        plan.add(f"{path}/formula", "definition.expression_invalid", **expression_problem_params(error))
        return
    if checked.type not in NUMBERS:
        plan.add(f"{path}/formula", "reports.formula_type", measure=measure.key, type=checked.type.value)
        return
    plan.formulas[measure.key] = checked
    plan.types[measure.key] = checked.type


def _plan_params(catalog: Catalog, plan: ReportPlan) -> None:
    seen: set[str] = set()
    for n, param in enumerate(plan.report.params):
        path = f"params/{n}"
        if param.key in seen:
            plan.add(f"{path}/key", "reports.duplicate_key", key=param.key)
        seen.add(param.key)
        if param.field is None:
            plan.add(path, "reports.param_needs_field", param=param.key)
            continue
        term = _term(plan, f"{path}/field", lambda p=param: path_term(catalog, plan.entity, p.field or ""))
        if term is None:
            continue
        _check_param_type(catalog, plan, param, term, path)
        plan.params.append(ParamPlan(param, term))


def _check_param_type(catalog: Catalog, plan: ReportPlan, param: ParamDef, term: Term, path: str) -> None:
    if param.type == "date_range":
        if term.type not in RANGE_TYPES:
            plan.add(f"{path}/field", "reports.param_field_type", param=param.key, field=param.field or "")
        if param.default is not None and not (isinstance(param.default, str) and param.default in PRESETS):
            if not isinstance(param.default, dict):
                plan.add(f"{path}/default", "reports.unknown_preset", preset=str(param.default),
                         presets=", ".join(PRESETS))
    elif param.type in ("current_user", "my_department"):
        field_type = FIELD_TYPES.get(term.field.type) if term.field is not None else None
        if field_type is None or not field_type.names_user:
            plan.add(f"{path}/field", "reports.param_field_type", param=param.key, field=param.field or "")
    elif term.type not in (ExprType.TEXT, ExprType.INTEGER, ExprType.BOOLEAN):
        plan.add(f"{path}/field", "reports.param_field_type", param=param.key, field=param.field or "")


def _plan_filters(catalog: Catalog, plan: ReportPlan) -> None:
    report = plan.report
    if report.where is not None:
        plan.where = _boolean(catalog, plan, report.where, "where")
    if report.filter is not None:
        try:
            parse_filter(report.filter)
        except JimuError as error:
            plan.add("filter", "reports.invalid_filter", reason=error.message)
            return
        for name in _filter_fields(report.filter):
            if field_at(catalog, plan.entity, name) is None and not name.startswith("_") and name != "id":
                plan.add("filter", "definition.unknown_field", field=name, entity=plan.entity.key)


def _filter_fields(raw: Any) -> list[str]:
    if isinstance(raw, list):
        return [name for item in raw for name in _filter_fields(item)]
    if isinstance(raw, dict):
        if "field" in raw:
            return [str(raw["field"])]
        return [name for key in ("and", "or") for name in _filter_fields(raw.get(key, []))]
    return []


def _check_order(plan: ReportPlan) -> None:
    report = plan.report
    keys = {d.key for d in report.dimensions} | set(plan.types)
    for n, sort in enumerate(report.sort):
        measure = report.measure(sort.by)
        if sort.by not in keys:
            plan.add(f"sort/{n}/by", "reports.unknown_key", key=sort.by)
        elif measure is not None and measure.running_total is not None:
            plan.add(f"sort/{n}/by", "reports.sort_running_total", key=sort.by)
    if report.top is not None:
        if report.dimension(report.top.dimension) is None:
            plan.add("top/dimension", "reports.unknown_key", key=report.top.dimension)
        if plan.agg(report.top.by) is None:
            plan.add("top/by", "reports.top_needs_aggregate", key=report.top.by)
    _check_pivot(plan)
    _check_compare(plan)


def _check_pivot(plan: ReportPlan) -> None:
    pivot = plan.report.pivot
    if pivot is None:
        return
    placed: list[str] = []
    for side in ("rows", "columns"):
        for n, key in enumerate(getattr(pivot, side)):
            if plan.report.dimension(key) is None:
                plan.add(f"pivot/{side}/{n}", "reports.unknown_key", key=key)
            elif key in placed:
                plan.add(f"pivot/{side}/{n}", "reports.duplicate_key", key=key)
            placed.append(key)
    for dim in plan.report.dimensions:
        if dim.key not in placed:
            plan.add("pivot", "reports.pivot_unplaced", dimension=dim.key)


def _check_compare(plan: ReportPlan) -> None:
    compare = plan.report.compare
    if compare is None:
        return
    param = plan.report.param(compare.param)
    if param is None or param.type != "date_range":
        plan.add("compare/param", "reports.compare_needs_range", param=compare.param)
        return
    for n, dim in enumerate(plan.report.dimensions):
        if dim.field is not None and dim.field == param.field:
            plan.add(f"dimensions/{n}", "reports.compare_time_dimension", dimension=dim.key, field=dim.field)
