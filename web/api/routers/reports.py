"""Reports: run one with parameters (rows, column metadata, totals and each row's drill-down)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.engines.reports import RunOptions, run_report
from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/reports", tags=["reports"])
Key = Annotated[str, PathParam(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]


@router.post("/{app}/{report}/run")
@in_unit_of_work
def run(ctx: Context, api: Services, app: Key, report: Key,
        body: Annotated[dict[str, Any] | None, Body()] = None) -> Response:
    """Run a report: body `{"params": {...}}`; rows, columns, totals and drill-downs out."""
    params = (body or {}).get("params", {})
    if not isinstance(params, dict):
        message = translate("reports.params_not_object", ctx.locale)
        raise ValidationError(message, code="reports.params_not_object",
                              details=[ErrorDetail("params", "reports.params_not_object", {}, message)])
    options = RunOptions(timezone=api.kernel.settings.timezone)
    return json_response(run_report(ctx, app, report, params, options))
