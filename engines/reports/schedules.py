"""Scheduled exports of a report (admin data, not definitions): a cron schedule on the durable queue whose
job exports the report (CSV or XLSX, totals last) as the schedule's owner and e-mails it as an attachment.

    set_report_schedule(ctx, "weekly_sales", {"app": "sales", "report": "by_month", "cron": "0 8 * * 1",
                        "timezone": "Asia/Shanghai", "format": "xlsx", "channel": "ops_mail",
                        "to": ["boss@example.com"]}, owner=ctx.user_id)

Each schedule is a row of `jimu_job_schedule` (key `reports:<key>`, kind `reports.scheduled_export`): the
recipients belong to the installation, so they are not exported with an app's package. Saving checks the
report (run once with the params, as the saver), the channel (an e-mail one) and the recipients.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.jobs import schedule, unschedule
from jimu.platform.jobs.tables import schedules
from jimu.platform.notifications import Message, check_message, load_channel, with_user_addresses

from .errors import ReportScheduleInvalid, ReportScheduleNotFound, error
from .runner import RunOptions, run_report

KIND = "reports.scheduled_export"
PREFIX = "reports:"
SPEC_KEYS = ("app", "report", "params", "format", "channel", "to", "users", "owner", "locale")


def set_report_schedule(ctx: Context, key: str, spec: Mapping[str, Any], *, owner: int,
                        options: RunOptions) -> dict[str, Any]:
    """Create or change the schedule `key` (in ctx's transaction) after checking it; its view."""
    payload = {"app": spec["app"], "report": spec["report"], "params": dict(spec.get("params") or {}),
               "format": spec.get("format", "xlsx"), "channel": spec["channel"], "to": list(spec.get("to") or ()),
               "users": [int(u) for u in spec.get("users") or ()], "owner": owner,
               "locale": spec.get("locale") or ctx.locale}
    run_report(ctx, payload["app"], payload["report"], payload["params"], options)  # the params and access
    _check_channel(ctx, payload)
    schedule(ctx.conn, PREFIX + key, str(spec["cron"]), KIND, payload, now=ctx.now(),
             timezone=str(spec.get("timezone") or options.timezone))
    return get_report_schedule(ctx, key)


def _check_channel(ctx: Context, payload: Mapping[str, Any]) -> None:
    channel = load_channel(ctx.conn, str(payload["channel"]))
    if channel.kind.name != "email":
        raise error(ReportScheduleInvalid, "reports.schedule_channel_not_email", ctx.locale, path="channel",
                    channel=payload["channel"])
    message = Message("-", "-", to=tuple(payload["to"]), users=tuple(payload["users"]))
    check_message(channel, with_user_addresses(ctx.conn, message))


def _view(row: sa.Row[Any]) -> dict[str, Any]:
    payload = dict(row.payload)
    return {"key": row.key.removeprefix(PREFIX), "cron": row.cron, "timezone": row.timezone,
            **{name: payload.get(name) for name in SPEC_KEYS},
            "next_run_at": row.next_run_at, "last_run_at": row.last_run_at,
            "created_at": row.created_at, "updated_at": row.updated_at}


def list_report_schedules(ctx: Context) -> list[dict[str, Any]]:
    rows = ctx.conn.execute(sa.select(schedules).where(schedules.c.kind == KIND).order_by(schedules.c.key)).all()
    return [_view(row) for row in rows]


def get_report_schedule(ctx: Context, key: str) -> dict[str, Any]:
    row = ctx.conn.execute(sa.select(schedules).where(schedules.c.key == PREFIX + key,
                                                      schedules.c.kind == KIND)).first()
    if row is None:
        raise error(ReportScheduleNotFound, "reports.schedule_not_found", ctx.locale, key=key)
    return _view(row)


def remove_report_schedule(ctx: Context, key: str) -> None:
    get_report_schedule(ctx, key)
    unschedule(ctx.conn, PREFIX + key)
