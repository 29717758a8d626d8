"""Checking the reports and dashboards of an app definition: JSON Schema, then every report against the
entities (unknown field, a sum of text, a grain on a non-date...), each problem at its JSON path."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef
from jimu.platform.registry.sections import schema_checked_part

from .charts import ChartSpec, check_chart
from .model import ReportDef
from .plan import plan_report

_SCHEMA_PATH = Path(__file__).with_name("reports.schema.json")
SECTION_KEYS = ("reports", "dashboards")


@cache
def reports_schema() -> dict[str, Any]:
    with open(_SCHEMA_PATH, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


class ReportsSection:
    """The report engine's definition section (a `DefinitionSection`)."""

    keys = SECTION_KEYS

    def check(self, app: AppDef, catalog: Catalog, problems: Problems[DefinitionError]) -> None:
        part = schema_checked_part(app, SECTION_KEYS, reports_schema(), problems)
        if part is None:
            return
        keys: dict[str, ReportDef] = {}
        for n, raw in enumerate(part.get("reports", [])):
            path = f"/reports/{n}"
            if raw["key"] in keys:
                problems.add(f"{path}/key", "reports.duplicate_key", key=raw["key"])
            report = keys[raw["key"]] = ReportDef.build(app.key, raw)
            plan = plan_report(catalog, report)
            if plan is None:
                problems.add(f"{path}/source", "reports.unknown_entity", entity=raw["source"])
                continue
            for at, code, params in plan.problems:
                problems.add(f"{path}/{at}", code, **params)
        _check_dashboards(part.get("dashboards", []), keys, problems)


def _check_dashboards(dashboards: list[dict[str, Any]], reports: dict[str, ReportDef],
                      problems: Problems[DefinitionError]) -> None:
    keys: set[str] = set()
    for n, dashboard in enumerate(dashboards):
        if dashboard["key"] in keys:
            problems.add(f"/dashboards/{n}/key", "reports.duplicate_key", key=dashboard["key"])
        keys.add(dashboard["key"])
        widget_keys: set[str] = set()
        for w, widget in enumerate(dashboard["widgets"]):
            if widget["key"] in widget_keys:
                problems.add(f"/dashboards/{n}/widgets/{w}/key", "reports.duplicate_key", key=widget["key"])
            widget_keys.add(widget["key"])
            report = reports.get(widget["report"])
            if report is None:
                problems.add(f"/dashboards/{n}/widgets/{w}/report", "reports.unknown_report", report=widget["report"])
                continue
            for at, code, params in check_chart(ChartSpec.build(widget.get("chart")), report):
                problems.add(f"/dashboards/{n}/widgets/{w}/chart/{at}", code, **params)
        _check_filters(dashboard, reports, f"/dashboards/{n}", problems)


def _check_filters(dashboard: dict[str, Any], reports: dict[str, ReportDef], path: str,
                   problems: Problems[DefinitionError]) -> None:
    """A shared filter is a parameter of at least one widget's report."""
    taken = {p.key for w in dashboard["widgets"] if (r := reports.get(w["report"])) is not None for p in r.params}
    for n, key in enumerate(dashboard.get("filters", ())):
        if key not in taken:
            problems.add(f"{path}/filters/{n}", "reports.unknown_filter", filter=key)
