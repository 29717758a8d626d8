"""Administration of durable jobs (superusers only): list and read jobs, retry a failed or dead one."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from starlette.responses import Response

from jimu.platform import jobs
from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.web.api.admin_scope import ADMIN_PREFIX, DEFAULT_PAGE, Cursor, Limit, admin_scope
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX + "/jobs", tags=["admin: jobs"])
JobId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
State = Literal["queued", "running", "done", "failed", "dead"]


@router.get("")
@in_unit_of_work
def list_jobs(ctx: Context, principal: Principal, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
              state: State | None = None, kind: Annotated[str | None, Query(max_length=100)] = None) -> Response:
    """A page of jobs, newest first, with how many are in each state; filter by `state` and `kind`."""
    admin_scope(ctx, principal)
    page = jobs.list_jobs(ctx.conn, state=state, kind=kind, cursor=cursor, limit=limit).as_dict()
    return json_response({**page, "counts": jobs.counts_by_state(ctx.conn)})


@router.get("/{job_id}")
@in_unit_of_work
def read_job(ctx: Context, principal: Principal, job_id: JobId) -> Response:
    """One job with its payload, result, last error and lease."""
    admin_scope(ctx, principal)
    return json_response(jobs.job_view(ctx.conn, job_id))


@router.post("/{job_id}/retry")
@in_unit_of_work
def retry_job(ctx: Context, principal: Principal, job_id: JobId) -> Response:
    """Queue a failed or dead job again now, with a fresh count of attempts (409 for another state)."""
    scope = admin_scope(ctx, principal)
    jobs.retry(ctx.conn, job_id, now=scope.now)
    scope.audit("retry", "job", job_id)
    return json_response(jobs.job_view(ctx.conn, job_id))
