"""The report definitions of the installed apps and their plans, built once per catalog."""
from __future__ import annotations

from jimu.platform.context import Context
from jimu.platform.registry.catalog import Catalog

from .errors import ReportNotFoundError, error
from .model import ReportDefs
from .plan import ReportPlan, plan_report


def report_defs(catalog: Catalog) -> ReportDefs:
    defs: ReportDefs = catalog.caches["engines"].get_or_build("reports", lambda: ReportDefs.build(catalog.apps))
    return defs


def report_plan(ctx: Context, app: str, key: str) -> ReportPlan:
    """The checked plan of a report (applied definitions were refused unless it had no problems)."""
    report = report_defs(ctx.catalog).get(app, key)
    if report is None:
        raise error(ReportNotFoundError, "reports.not_found", ctx.locale, app=app, report=key)
    cache = ctx.catalog.caches["engines"]
    plan: ReportPlan | None = cache.get(("reports.plan", app, key))
    if plan is None:
        plan = plan_report(ctx.catalog, report)
        if plan is None or plan.problems:
            raise error(ReportNotFoundError, "reports.not_found", ctx.locale, app=app, report=key)
        plan = cache.put(("reports.plan", app, key), plan)
    return plan
