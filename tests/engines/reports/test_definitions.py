"""Report definitions are refused at apply, each problem at its JSON path: unknown fields, a sum of text, a grain
on a non-date, unknown measures and keys; a valid one is kept with the app."""
from __future__ import annotations

from typing import Any

import pytest

from jimu.platform.errors import DefinitionError
from jimu.platform.kernel import Kernel

from .conftest import shop_app


def _refused(kernel: Kernel, report: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(shop_app(reports=[report]))
    return [(d.path, d.code) for d in refused.value.details]


def _report(**parts: Any) -> dict[str, Any]:
    return {"key": "r", "source": "order", "measures": [{"key": "n", "aggregate": "count"}], **parts}


def test_the_shop_reports_are_accepted(shop: Kernel) -> None:
    with shop.unit_of_work() as ctx:
        assert [r["key"] for r in ctx.catalog.apps["shop"].raw["reports"]][:2] == ["by_region", "by_month"]


@pytest.mark.parametrize(("report", "expected"), [
    (_report(source="nothing"), ("/reports/0/source", "reports.unknown_entity")),
    (_report(dimensions=[{"key": "x", "field": "colour"}]), ("/reports/0/dimensions/0/field", "definition.unknown_field")),
    (_report(dimensions=[{"key": "x", "field": "customer.planet"}]),
     ("/reports/0/dimensions/0/field", "definition.unknown_field")),
    (_report(measures=[{"key": "s", "aggregate": "sum", "field": "note"}]),
     ("/reports/0/measures/0/aggregate", "reports.aggregate_type")),
    (_report(dimensions=[{"key": "m", "field": "status", "grain": "month"}]),
     ("/reports/0/dimensions/0/grain", "reports.grain_not_date")),
    (_report(dimensions=[{"key": "h", "field": "order_date", "grain": "hour"}]),
     ("/reports/0/dimensions/0/grain", "reports.grain_needs_datetime")),
    (_report(measures=[{"key": "s", "aggregate": "sum"}]), ("/reports/0/measures/0", "reports.measure_value")),
    (_report(measures=[{"key": "n", "aggregate": "count"}, {"key": "p", "percent_of_total": "nope"}]),
     ("/reports/0/measures/1/percent_of_total", "reports.unknown_measure")),
    (_report(measures=[{"key": "n", "aggregate": "count"}, {"key": "f", "formula": "n & 'x'"}]),
     ("/reports/0/measures/1/formula", "reports.formula_type")),
    (_report(measures=[{"key": "n", "aggregate": "count", "where": "amount +"}]),
     ("/reports/0/measures/0/where", "definition.expression_invalid")),
    (_report(where="amount"), ("/reports/0/where", "definition.expression_invalid")),
    (_report(sort=[{"by": "ghost"}]), ("/reports/0/sort/0/by", "reports.unknown_key")),
    (_report(params=[{"key": "p", "type": "date_range", "field": "status"}]),
     ("/reports/0/params/0/field", "reports.param_field_type")),
    (_report(params=[{"key": "p", "type": "date_range", "field": "ordered_at", "default": "someday"}]),
     ("/reports/0/params/0/default", "reports.unknown_preset")),
    (_report(params=[{"key": "me", "type": "current_user", "field": "status"}]),
     ("/reports/0/params/0/field", "reports.param_field_type")),
    (_report(dimensions=[{"key": "n", "field": "status"}]), ("/reports/0/measures/0/key", "reports.duplicate_key")),
    (_report(top={"dimension": "x", "by": "n", "n": 3}), ("/reports/0/top/dimension", "reports.unknown_key")),
    (_report(measures=[{"key": "d", "aggregate": "avg", "duration": {"from": "order_date", "to": "closed_at",
                                                                     "unit": "hours"}}]),
     ("/reports/0/measures/0/duration", "reports.duration_not_datetime")),
    (_report(filter={"field": "colour", "op": "eq", "value": 1}), ("/reports/0/filter", "definition.unknown_field")),
    (_report(measures=[]), ("/reports/0/measures", "definition.schema")),
    (_report(dimensions=[{"key": "a", "field": "status"}, {"key": "b", "field": "note"}],
             pivot={"rows": ["a"], "columns": ["c"]}), ("/reports/0/pivot/columns/0", "reports.unknown_key")),
    (_report(dimensions=[{"key": "a", "field": "status"}, {"key": "b", "field": "note"}],
             pivot={"rows": ["a"], "columns": []}), ("/reports/0/pivot", "reports.pivot_unplaced")),
    (_report(params=[{"key": "s", "type": "select", "field": "status"}], compare={"param": "s", "with": "previous_period"}),
     ("/reports/0/compare/param", "reports.compare_needs_range")),
    (_report(dimensions=[{"key": "m", "field": "ordered_at", "grain": "month"}],
             params=[{"key": "p", "type": "date_range", "field": "ordered_at"}],
             compare={"param": "p", "with": "same_period_last_year"}),
     ("/reports/0/dimensions/0", "reports.compare_time_dimension")),
])
def test_a_report_that_does_not_check_is_refused_at_its_path(kernel: Kernel, report: dict[str, Any],
                                                            expected: tuple[str, str]) -> None:
    assert expected in _refused(kernel, report)


def test_a_dashboard_names_reports_of_its_app_and_charts_their_keys(kernel: Kernel) -> None:
    widgets = [
        {"key": "a", "report": "by_region", "chart": {"type": "bar", "x": "region", "y": ["revenue"]}},
        {"key": "b", "report": "ghost"},
        {"key": "c", "report": "by_region", "chart": {"type": "pie", "y": ["revenue", "orders"]}},
        {"key": "d", "report": "by_region", "chart": {"type": "line", "x": "month", "y": ["profit"]}},
        {"key": "e", "report": "summary", "chart": {"type": "kpi", "y": ["revenue"]}},
    ]
    app = shop_app(dashboards=[{"key": "home", "filters": ["period", "colour"], "widgets": widgets}])
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(app)
    assert [(d.path, d.code) for d in refused.value.details] == [
        ("/dashboards/0/widgets/1/report", "reports.unknown_report"),
        ("/dashboards/0/widgets/2/chart/x", "reports.chart_needs_x"),
        ("/dashboards/0/widgets/2/chart/y", "reports.chart_measures"),
        ("/dashboards/0/widgets/3/chart/x", "reports.unknown_key"),
        ("/dashboards/0/widgets/3/chart/y/0", "reports.unknown_key"),
        ("/dashboards/0/filters/0", "reports.unknown_filter"),
        ("/dashboards/0/filters/1", "reports.unknown_filter"),
    ]


def test_without_the_engine_a_reports_section_is_refused(engine: Any) -> None:
    from jimu.platform.bootstrap import init_database

    init_database(engine)
    with pytest.raises(DefinitionError) as refused:
        Kernel(engine).apply_app(shop_app())
    assert ("/reports", "definition.section_unsupported") in [(d.path, d.code) for d in refused.value.details]
