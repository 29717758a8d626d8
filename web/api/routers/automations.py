"""Automation rule runs: their history (each step, the error) and retrying a failed one.

Administrators and designers of the rule's app only: a run shows the record's values in its steps."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.engines.workflow import automation
from jimu.engines.workflow.automation.errors import RuleRunNotFoundError
from jimu.engines.workflow.errors import error
from jimu.platform.context import Context
from jimu.web.api.definitions import require_design
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/automations", tags=["workflow"])
RunId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]


def _designable(ctx: Context) -> list[str]:
    """The apps whose rules the caller may see (PermissionDeniedError when none)."""
    apps = []
    for key in sorted(ctx.catalog.apps):
        try:
            require_design(ctx, key)
        except Exception:  # noqa: BLE001 (PermissionDeniedError: not this app)
            continue
        apps.append(key)
    if not apps:
        require_design(ctx, "*")
    return apps


@router.get("/runs")
@in_unit_of_work
def list_runs(ctx: Context, rule: Annotated[str | None, Query(max_length=48)] = None,
              status: Annotated[str | None, Query(max_length=16)] = None,
              record: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
              before: Annotated[int | None, Query(ge=1, le=2**63 - 1, description="id of the last run seen")] = None,
              limit: Annotated[int, Query(ge=1, le=automation.history.MAX_LIST)] = 50) -> Response:
    """Runs of the rules of the apps the caller designs, newest first (`?rule=&status=&record=&before=`)."""
    apps = _designable(ctx)
    runs = automation.list_runs(ctx, rule=rule, status=status, record_id=record, before=before, limit=limit,
                                apps=apps)
    return json_response({"runs": runs, "next_before": runs[-1]["id"] if len(runs) == limit else None})


@router.get("/runs/{run_id}")
@in_unit_of_work
def get_run(ctx: Context, run_id: RunId) -> Response:
    return json_response(_run(ctx, run_id))


@router.post("/runs/{run_id}/retry")
@in_unit_of_work
def retry_run(ctx: Context, run_id: RunId) -> Response:
    """Queue a failed run again (409 when it did not fail); it runs from the job queue."""
    _run(ctx, run_id)
    return json_response(automation.retry_run(ctx, run_id), status_code=202)


def _run(ctx: Context, run_id: int) -> dict[str, object]:
    found = automation.get_run(ctx, run_id)
    if found is None:
        raise error(RuleRunNotFoundError, "automation.run_not_found", ctx.locale, id=run_id)
    require_design(ctx, str(found["app"]))
    return found
