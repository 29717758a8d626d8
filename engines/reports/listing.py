"""What a caller may open of an app's reports and dashboards (for its navigation), and the shared filters of a
dashboard described for a client (type, label, choices), so a UI can offer them without reading definitions."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.context import Context
from jimu.platform.errors import JimuError

from .definitions import report_defs
from .errors import ReportNotFoundError, error
from .model import ParamDef, ReportDef
from .presets import PRESETS


def _readable(ctx: Context, report: ReportDef) -> bool:
    try:
        ctx.access.require(report.source, "read")
    except JimuError:
        return False
    return True


def app_reports(ctx: Context, app: str) -> dict[str, list[dict[str, Any]]]:
    """The app's reports whose source the caller may read, and its dashboards all of whose widgets they may."""
    definition = ctx.catalog.apps.get(app)
    if definition is None:
        return {"reports": [], "dashboards": []}
    defs = report_defs(ctx.catalog)
    reports = [defs.get(app, raw["key"]) for raw in definition.raw.get("reports", ())]
    shown = [r for r in reports if r is not None and _readable(ctx, r)]
    dashboards = []
    for raw in definition.raw.get("dashboards", ()):
        widgets = [defs.get(app, w["report"]) for w in raw.get("widgets", ())]
        if all(w is not None and _readable(ctx, w) for w in widgets):
            dashboards.append({"key": raw["key"], "label": raw.get("label") or {}})
    return {"reports": [{"key": r.key, "label": r.label, "source": r.source} for r in shown],
            "dashboards": dashboards}


def describe_param(ctx: Context, report: ReportDef, param: ParamDef) -> dict[str, Any]:
    """A parameter as a client offers it: its type, label (else its field's), default and choices: the date
    presets of a date range, the options of a select on a choice field of the source."""
    out: dict[str, Any] = {"key": param.key, "type": param.type, "multiple": param.multiple,
                           "required": param.required, "default": param.default, "label": param.label}
    entity = ctx.catalog.entity(report.source)
    field = entity.field(param.field) if entity is not None and param.field and "." not in param.field else None
    if field is not None and not param.label:
        out["label"] = field.get("label") or {}
    if param.type == "date_range":
        out["presets"] = list(PRESETS)
    elif param.type == "select" and field is not None:
        out["options"] = [{"value": o["value"], "label": o.get("label") or {}} if isinstance(o, Mapping)
                          else {"value": o, "label": {}} for o in field.get("options") or ()]
    return out


def dashboard_filters(ctx: Context, app: str, dashboard: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each shared filter of a dashboard, described by the first widget's report that takes it."""
    defs = report_defs(ctx.catalog)
    out = []
    for key in dashboard.get("filters", ()):
        for widget in dashboard.get("widgets", ()):
            report = defs.get(app, widget["report"])
            param = report.param(key) if report is not None else None
            if report is not None and param is not None:
                out.append(describe_param(ctx, report, param))
                break
    return out


def describe_report(ctx: Context, app: str, key: str) -> dict[str, Any]:
    """A report as a client offers it: its label, source and parameters (ReportNotFoundError if unknown,
    403 without read permission on its source)."""
    report = report_defs(ctx.catalog).get(app, key)
    if report is None:
        raise error(ReportNotFoundError, "reports.not_found", ctx.locale, app=app, report=key)
    ctx.access.require(report.source, "read")
    return {"app": app, "key": report.key, "label": report.label, "source": report.source,
            "params": [describe_param(ctx, report, p) for p in report.params]}
