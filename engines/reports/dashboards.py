"""Dashboards: grids of widgets, each a report (one statement) with a chart, run together with the dashboard's
shared filters: a filter value goes to every widget whose report has a parameter of that key. The widgets run
one after the other on the unit of work's connection, in one snapshot (`one_snapshot`: on PostgreSQL
read-only work a REPEATABLE READ READ ONLY transaction), so their totals agree with each other even while
records change; each report's plan is built once per catalog (definitions.report_plan)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.context import Context
from jimu.platform.transactions import one_snapshot

from .charts import ChartSpec, chart_option
from .definitions import report_defs
from .errors import ReportNotFoundError, error
from .listing import dashboard_filters
from .model import ReportDefs
from .params import invalid_param
from .runner import RunOptions, run_report

POSITION = ("x", "y", "w", "h")


def _dashboard(ctx: Context, app: str, key: str) -> Mapping[str, Any]:
    definition = ctx.catalog.apps.get(app)
    found: Mapping[str, Any] | None = next(
        (d for d in (definition.raw.get("dashboards", ()) if definition else ()) if d["key"] == key), None)
    if found is None:
        raise error(ReportNotFoundError, "reports.dashboard_not_found", ctx.locale, app=app, dashboard=key)
    return found


def run_dashboard(ctx: Context, app: str, key: str, filters: Mapping[str, Any] | None = None,
                  options: RunOptions | None = None) -> dict[str, Any]:
    """Every widget's result and chart option (labels in the caller's language)."""
    dashboard = _dashboard(ctx, app, key)
    options = options or RunOptions()
    filters = dict(filters or {})
    defs = report_defs(ctx.catalog)
    shared = set(dashboard.get("filters", ()))
    for name in sorted(set(filters) - shared):
        raise invalid_param(name, "reports.unknown_param", ctx.locale, params=", ".join(sorted(shared)) or "-")
    widgets = []
    with one_snapshot(ctx.conn):
        for widget in dashboard["widgets"]:
            widgets.append(_widget(ctx, app, widget, defs, filters, options))
    return {"dashboard": key, "app": app, "label": dashboard.get("label") or {}, "filters": sorted(shared),
            "filter_params": dashboard_filters(ctx, app, dashboard), "widgets": widgets}


def _widget(ctx: Context, app: str, widget: Mapping[str, Any], defs: ReportDefs, filters: Mapping[str, Any],
            options: RunOptions) -> dict[str, Any]:
    report = defs.get(app, widget["report"])
    assert report is not None  # checked when the app was applied
    own = {p.key for p in report.params}
    result = run_report(ctx, app, report.key, {k: v for k, v in filters.items() if k in own}, options)
    spec = ChartSpec.build(widget.get("chart"))
    return {"key": widget["key"], "report": report.key, "label": widget.get("label") or report.label,
            "chart": spec.type, "axes": {"x": spec.x, "y": list(spec.y), "series": spec.series},
            "position": {p: widget[p] for p in POSITION if p in widget},
            "result": result, "option": chart_option(spec, result, ctx.locale)}
