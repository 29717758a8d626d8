"""Administration of scheduled report exports (superusers only): a cron, a timezone, a format, the report's
params and the e-mail channel and recipients; the export runs with the permissions of whoever saved it."""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.engines.reports import RunOptions
from jimu.engines.reports.schedules import (
    get_report_schedule,
    list_report_schedules,
    remove_report_schedule,
    set_report_schedule,
)
from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.web.api.admin_scope import ADMIN_PREFIX, admin_scope
from jimu.web.api.deps import Services, in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX, tags=["admin: report schedules"])
ScheduleKey = Annotated[str, PathParam(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]
Name = Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[a-z][a-z0-9_]*$")]


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    app: Name
    report: Name
    cron: str = Field(min_length=1, max_length=100, description="five cron fields, or @daily, @weekly...")
    timezone: str | None = Field(default=None, max_length=64, description="default: JIMU_TIMEZONE")
    format: Literal["csv", "xlsx"] = "xlsx"
    params: dict[str, Any] = Field(default_factory=dict)
    channel: str = Field(min_length=1, max_length=48, description="an e-mail channel's key")
    to: list[Annotated[str, Field(max_length=320)]] = Field(default_factory=list, max_length=100)
    users: list[int] = Field(default_factory=list, max_length=100, description="user ids (their addresses)")
    locale: Literal["zh-CN", "en"] | None = Field(default=None, description="default: the saver's")


@router.get("/report-schedules")
@in_unit_of_work
def list_all(ctx: Context, principal: Principal) -> Response:
    """Every scheduled export by key, with its next and last occurrence (UTC)."""
    admin_scope(ctx, principal)
    return json_response({"data": list_report_schedules(ctx)})


@router.get("/report-schedules/{key}")
@in_unit_of_work
def read_schedule(ctx: Context, principal: Principal, key: ScheduleKey) -> Response:
    admin_scope(ctx, principal)
    return json_response(get_report_schedule(ctx, key))


@router.put("/report-schedules/{key}")
@in_unit_of_work
def put_schedule(ctx: Context, principal: Principal, api: Services, key: ScheduleKey,
                 body: Annotated[ScheduleBody, Body()]) -> Response:
    """Create or replace a scheduled export; 422 for a bad cron, timezone, params, channel or recipient."""
    admin_scope(ctx, principal)
    options = RunOptions(timezone=api.kernel.settings.timezone)
    return json_response(set_report_schedule(ctx, key, body.model_dump(), owner=principal.user_id, options=options))


@router.delete("/report-schedules/{key}", status_code=204)
@in_unit_of_work
def delete_schedule(ctx: Context, principal: Principal, key: ScheduleKey) -> Response:
    admin_scope(ctx, principal)
    remove_report_schedule(ctx, key)
    return Response(status_code=204)
