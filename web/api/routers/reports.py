"""Reports: run one with parameters (rows, column metadata, totals and each row's drill-down), export one as
CSV or XLSX; dashboards: every widget run together with shared filters."""
from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Request
from fastapi import Path as PathParam
from starlette.responses import Response, StreamingResponse

from jimu.engines.reports import RunOptions, run_report
from jimu.engines.reports.dashboards import run_dashboard
from jimu.engines.reports.export import export_report
from jimu.engines.reports.listing import describe_report
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/reports", tags=["reports"])
Key = Annotated[str, PathParam(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]


Body_ = Annotated[dict[str, Any] | None, Body()]
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _params(ctx: Context, body: dict[str, Any] | None) -> dict[str, Any]:
    params = (body or {}).get("params", {})
    if not isinstance(params, dict):
        message = translate("reports.params_not_object", ctx.locale)
        raise ValidationError(message, code="reports.params_not_object",
                              details=[ErrorDetail("params", "reports.params_not_object", {}, message)])
    return params


@router.get("/{app}/{report}")
@in_unit_of_work
def describe(ctx: Context, app: Key, report: Key) -> Response:
    """A report's label, source entity and parameters (type, label, default, choices) for a client to offer."""
    return json_response(describe_report(ctx, app, report))


@router.post("/{app}/{report}/run")
@in_unit_of_work
def run(ctx: Context, api: Services, app: Key, report: Key, body: Body_ = None) -> Response:
    """Run a report: body `{"params": {...}}`; rows, columns, totals and drill-downs out."""
    options = RunOptions(timezone=api.kernel.settings.timezone)
    return json_response(run_report(ctx, app, report, _params(ctx, body), options))


@router.post("/{app}/{report}/export")
@in_unit_of_work
def export(ctx: Context, api: Services, app: Key, report: Key, body: Body_ = None,
           format: Literal["csv", "xlsx"] = "csv") -> Response:
    """The report as CSV or XLSX with a totals row (permission `export` on its source entity)."""
    options = RunOptions(timezone=api.kernel.settings.timezone)
    chunks = export_report(ctx, app, report, _params(ctx, body), format, options)
    return StreamingResponse(chunks, media_type=MEDIA_TYPES[format],
                             headers={"Content-Disposition": f'attachment; filename="{report}.{format}"'})


dashboards = APIRouter(prefix="/dashboards", tags=["reports"])


@dashboards.get("/{app}/{dashboard}")
@in_unit_of_work
def dashboard(ctx: Context, api: Services, request: Request, app: Key, dashboard: Key) -> Response:
    """A dashboard's widgets run together; query parameters are its shared filters (a JSON value, else text)."""
    filters = {name: _query_value(value) for name, value in request.query_params.items()}
    options = RunOptions(timezone=api.kernel.settings.timezone)
    return json_response(run_dashboard(ctx, app, dashboard, filters, options))


def _query_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw
