"""Dashboards: grids of widgets, each a report (one statement) with a chart, run together with the dashboard's
shared filters: a filter value goes to every widget whose report has a parameter of that key."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.context import Context

from .charts import ChartSpec, chart_option
from .definitions import report_defs
from .errors import ReportNotFoundError, error
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
    for widget in dashboard["widgets"]:
        report = defs.get(app, widget["report"])
        assert report is not None  # checked when the app was applied
        own = {p.key for p in report.params}
        result = run_report(ctx, app, report.key, {k: v for k, v in filters.items() if k in own}, options)
        spec = ChartSpec.build(widget.get("chart"))
        widgets.append({"key": widget["key"], "report": report.key, "label": widget.get("label") or report.label,
                        "chart": spec.type, "position": {p: widget[p] for p in POSITION if p in widget},
                        "result": result, "option": chart_option(spec, result, ctx.locale)})
    return {"dashboard": key, "app": app, "label": dashboard.get("label") or {}, "filters": sorted(shared),
            "widgets": widgets}
