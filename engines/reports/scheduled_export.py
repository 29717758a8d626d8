"""The job of a scheduled export (`reports.scheduled_export`): the report exported as its schedule's owner,
then e-mailed with the file attached, outside any transaction.

The report is run with the owner's permissions at the occurrence's time, so a report the owner may no
longer export is not sent. The e-mail's Message-ID comes from the job's idempotency key (the schedule and
its occurrence), so a retried attempt carries the same one. A retryable failure (the SMTP server away, a
report timing out) fails the attempt and the queue retries it; one that retrying cannot mend (the report,
the channel or the owner gone, permission lost) ends the job as done with `{"delivered": false, ...}`.
"""
from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from jimu.platform.context import Context
from jimu.platform.errors import JimuError
from jimu.platform.i18n import translate
from jimu.platform.jobs import GiveUp, JobHandlers, JobRun
from jimu.platform.notifications import (
    Attachment,
    Channel,
    DeliveryError,
    Message,
    NetworkPolicy,
    check_message,
    deliver,
    load_channel,
    with_user_addresses,
)
from jimu.platform.security import bind_policy, load_principal

from .definitions import report_defs
from .errors import ReportTimeoutError
from .export import Format, export_report
from .runner import RunOptions
from .schedules import KIND

MEDIA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
log = logging.getLogger("jimu.reports")


def run_scheduled_export(run: JobRun) -> dict[str, Any]:
    """Export the report and send it; the job's result says what was sent (or why nothing was)."""
    try:
        channel, message = _prepare(run)
        result = deliver(channel, message, delivery_id=run.job.idempotency_key or f"report-export-{run.job.id}",
                         now=run.now(), network=NetworkPolicy.from_settings(run.kernel.settings))
    except DeliveryError as failure:
        if failure.retryable:
            raise
        raise _given_up(run, failure) from None
    except ReportTimeoutError:
        raise
    except JimuError as failure:
        raise _given_up(run, failure) from None
    return {"delivered": True, "file": message.attachments[0].name,
            "bytes": len(message.attachments[0].content), **result}


def _prepare(run: JobRun) -> tuple[Channel, Message]:
    """In one short unit of work, as the owner: the export's bytes and the message carrying them."""
    spec = run.job.payload
    fmt: Format = "csv" if spec.get("format") == "csv" else "xlsx"
    timezone = str(run.kernel.settings.timezone)
    with run.kernel.unit_of_work(locale=str(spec.get("locale") or "en"), read_mostly=True) as ctx:
        bind_policy(ctx, load_principal(ctx.conn, int(spec["owner"])))
        content = b"".join(export_report(ctx, str(spec["app"]), str(spec["report"]), spec.get("params") or {},
                                         fmt, RunOptions(timezone=timezone)))
        day = (run.job.run_at or run.now()).astimezone(ZoneInfo(timezone)).date().isoformat()
        name = f"{spec['report']}-{day}.{fmt}"
        title = _title(ctx, str(spec["app"]), str(spec["report"]))
        message = Message(translate("reports.schedule_subject", ctx.locale, title=title, date=day),
                          translate("reports.schedule_body", ctx.locale, title=title, file=name),
                          to=tuple(spec.get("to") or ()), users=tuple(int(u) for u in spec.get("users") or ()),
                          event="report.scheduled_export",
                          attachments=(Attachment(name, MEDIA_TYPES[fmt], content),))
        channel = load_channel(ctx.conn, str(spec["channel"]))
        message = with_user_addresses(ctx.conn, message)
        check_message(channel, message)
    return channel, message


def _title(ctx: Context, app: str, key: str) -> str:
    """The report's label in the message's language (else English, else its key)."""
    report = report_defs(ctx.catalog).get(app, key)
    label = report.label if report is not None else {}
    return label.get(ctx.locale) or label.get("en") or key


def _given_up(run: JobRun, failure: Exception) -> GiveUp:
    """The job ends dead at once (sending again cannot help), its result saying why."""
    code = getattr(failure, "code", type(failure).__name__)
    log.warning("scheduled export job %s not sent (%s): %s", run.job.id, code, failure)
    return GiveUp(f"{code}: {failure}", result={"delivered": False, "code": code, "error": str(failure)})


def register_report_jobs(handlers: JobHandlers) -> JobHandlers:
    """Add the scheduled export's job kind to a worker's handlers."""
    handlers.register(KIND, run_scheduled_export)
    return handlers
