"""Queued delivery: what the workflow's `notify` and `webhook` actions call, and the job handlers that send.

    job_id = queue_notification(ctx.conn, channel="sales_robot", message=message, now=ctx.now(),
                                idempotency_key=f"wf:{instance}:{step}:notify")

`queue_notification` runs in the caller's transaction: the channel must exist and accept the message
(ChannelNotFound, MessageInvalid otherwise), e-mail recipients given as users get their addresses, and
a delivery job is enqueued — sent only if that transaction commits, by a worker, after it. In-app
messages are not queued: their inbox rows are written in the caller's transaction.

The job (`notify.deliver`, or `webhook.deliver` for webhooks) carries the rendered message and a
delivery id (the idempotency key, else a generated one) that every attempt sends (`X-Jimu-Delivery`,
the e-mail's Message-ID), so a receiver deduplicates. A retryable failure fails the attempt (the queue
retries with backoff, up to `max_attempts`); one that cannot succeed by retrying (a refused destination,
a wrong robot secret, a channel removed or disabled since) ends the job at once, its result saying why.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.jobs import GiveUp, JobHandlers, JobRun, enqueue
from jimu.platform.notifications.channel_store import load_channel
from jimu.platform.notifications.delivery import check_message, deliver, with_user_addresses
from jimu.platform.notifications.errors import ChannelNotFound, DeliveryError, MessageInvalid
from jimu.platform.notifications.inbox import deliver as deliver_to_inbox
from jimu.platform.notifications.message import Message
from jimu.platform.notifications.network import NetworkPolicy

NOTIFY_KIND = "notify.deliver"
WEBHOOK_KIND = "webhook.deliver"
MAX_ATTEMPTS = 8
log = logging.getLogger("jimu.notifications")


def queue_notification(conn: sa.Connection, *, channel: str, message: Message, now: datetime,
                       idempotency_key: str | None = None, max_attempts: int = MAX_ATTEMPTS) -> int:
    """Enqueue the delivery in the caller's transaction; the job's id (in-app: the first inbox row's id)."""
    found = load_channel(conn, channel)
    if found.kind.name == "email":
        message = with_user_addresses(conn, message)
    check_message(found, message)
    if found.kind.in_transaction:
        return deliver_to_inbox(conn, message, now=now)[0]
    kind = WEBHOOK_KIND if found.kind.name == "webhook" else NOTIFY_KIND
    payload = {"channel": channel, "delivery": idempotency_key or f"jimu-{uuid.uuid4().hex}",
               "message": message.as_payload()}
    return enqueue(conn, kind, payload, now=now, idempotency_key=idempotency_key, max_attempts=max_attempts)


def deliver_job(run: JobRun) -> dict[str, Any]:
    """Send one queued message, outside any transaction (the channel is read in a short one first)."""
    payload = run.job.payload
    try:
        with run.kernel.engine.connect() as conn:
            channel = load_channel(conn, str(payload["channel"]))
        result = deliver(channel, Message.from_payload(payload["message"]), delivery_id=str(payload["delivery"]),
                         now=run.now(), network=NetworkPolicy.from_settings(run.kernel.settings))
    except DeliveryError as error:
        if error.retryable:
            raise
        raise _given_up(run, error) from None
    except (ChannelNotFound, MessageInvalid) as error:
        raise _given_up(run, error) from None
    return {"delivered": True, **result}


def _given_up(run: JobRun, error: Exception) -> GiveUp:
    """The job ends dead at once (sending again cannot help), its result saying why."""
    code = getattr(error, "code", type(error).__name__)
    log.warning("notification job %s not delivered (%s): %s", run.job.id, code, error)
    return GiveUp(f"{code}: {error}", result={"delivered": False, "code": code, "error": str(error)})


def register_delivery_handlers(handlers: JobHandlers) -> JobHandlers:
    """Add the delivery job kinds to a worker's handlers."""
    handlers.register(NOTIFY_KIND, deliver_job)
    handlers.register(WEBHOOK_KIND, deliver_job)
    return handlers
