"""Queued delivery through the durable jobs queue: enqueued in the caller's transaction, sent by a worker
after it, retried with backoff carrying the same delivery id, given up at once when retrying cannot help."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.jobs import JobHandlers, Worker, WorkerOptions
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel
from jimu.platform.notifications import INAPP, ChannelNotFound, Message, MessageInvalid, inbox, set_channel
from jimu.platform.notifications.queueing import (
    NOTIFY_KIND,
    WEBHOOK_KIND,
    queue_notification,
    register_delivery_handlers,
)
from jimu.platform.registry.catalog import Catalog
from jimu.platform.security import create_user
from jimu.platform.security.admin import CLI_ACTOR, AdminScope
from jimu.platform.settings import Settings

from .fakes import DING_SECRET, WEBHOOK_SECRET, FakeReceivers, FakeSmtp


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def kernel(db: Engine, clock: Clock) -> Kernel:
    return Kernel(db, settings=Settings(notify_allow_private_networks=True, notify_timeout=5.0), clock=clock)


def worker(kernel: Kernel, clock: Clock) -> Worker:
    handlers = register_delivery_handlers(JobHandlers())
    return Worker(kernel, handlers, WorkerOptions(builtin_schedules=False), clock=clock)


def configure(kernel: Kernel, clock: Clock, key: str, kind: str, config: dict[str, object]) -> None:
    with kernel.engine.begin() as conn:
        set_channel(AdminScope(conn, Catalog([]), CLI_ACTOR, clock()), key, kind, config)


def test_an_approval_notifies_the_sales_robot_after_commit_and_a_503_is_retried(
        kernel: Kernel, clock: Clock, receivers: FakeReceivers) -> None:
    configure(kernel, clock, "sales_robot", "dingtalk",
              {"url": f"{receivers.url}/dingtalk/robot/send?access_token=t", "secret": DING_SECRET})
    configure(kernel, clock, "erp_hook", "webhook", {"url": f"{receivers.url}/webhook/in", "secret": WEBHOOK_SECRET})
    with kernel.engine.begin() as conn:  # the transaction approving SO-0001
        robot_job = queue_notification(conn, channel="sales_robot", now=clock(), idempotency_key="so-1:approved:robot",
                                       message=Message("SO-0001 approved", "**East Trading** ¥1,200.00",
                                                       format="markdown"))
        hook_job = queue_notification(conn, channel="erp_hook", now=clock(), idempotency_key="so-1:approved:erp",
                                      message=Message("SO-0001 approved", "", event="order.approved",
                                                      data={"number": "SO-0001"}))
        assert receivers.received == []  # nothing leaves before the commit
    with kernel.engine.connect() as conn:
        kinds = dict(conn.execute(sa.select(jobs.c.id, jobs.c.kind)).all())
    assert kinds == {robot_job: NOTIFY_KIND, hook_job: WEBHOOK_KIND}
    receivers.fail_next.append((200, {"errcode": 130101, "errmsg": "send too fast"}))  # the robot's first answer
    first = worker(kernel, clock).run_once()
    assert sorted(a.outcome for a in first) == ["done", "failed"]
    clock.now += timedelta(hours=1)  # past the backoff
    second = worker(kernel, clock).run_once()
    assert [a.outcome for a in second] == ["done"]
    robot = receivers.of("/dingtalk")
    assert [r.verdict for r in robot] == ["ok", "ok"]  # signed correctly both times (the first was rate-limited)
    [hook] = receivers.of("/webhook")
    assert hook.verdict == "ok" and hook.headers["x-jimu-delivery"] == "so-1:approved:erp"
    assert hook.json()["data"] == {"number": "SO-0001"}


def test_the_same_idempotency_key_queues_once_and_a_rollback_queues_nothing(kernel: Kernel, clock: Clock,
                                                                           receivers: FakeReceivers) -> None:
    configure(kernel, clock, "hook", "webhook", {"url": f"{receivers.url}/webhook/in", "secret": WEBHOOK_SECRET})
    message = Message("x", "y")
    with kernel.engine.begin() as conn:
        first = queue_notification(conn, channel="hook", message=message, now=clock(), idempotency_key="k1")
        assert queue_notification(conn, channel="hook", message=message, now=clock(), idempotency_key="k1") == first
    with pytest.raises(RuntimeError), kernel.engine.begin() as conn:
        queue_notification(conn, channel="hook", message=message, now=clock(), idempotency_key="k2")
        raise RuntimeError("the approval failed")
    with kernel.engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(jobs)) == 1
    worker(kernel, clock).run_once()
    assert [r.headers["x-jimu-delivery"] for r in receivers.received] == ["k1"]


def test_what_cannot_succeed_ends_the_job_at_once(kernel: Kernel, clock: Clock, receivers: FakeReceivers) -> None:
    configure(kernel, clock, "robot", "dingtalk", {"url": f"{receivers.url}/dingtalk/send?access_token=t",
                                                   "secret": "wrong secret"})
    with kernel.engine.begin() as conn:
        job = queue_notification(conn, channel="robot", message=Message("x", "y"), now=clock())
    [attempt] = worker(kernel, clock).run_once()
    assert attempt.outcome == "dead"
    with kernel.engine.connect() as conn:
        result = conn.scalar(sa.select(jobs.c.result).where(jobs.c.id == job))
    assert result["delivered"] is False and result["code"] == "notifications.delivery_failed"
    assert len(receivers.received) == 1


def test_queueing_checks_the_channel_and_the_message_in_the_callers_transaction(
        kernel: Kernel, clock: Clock, smtp_server: FakeSmtp) -> None:
    configure(kernel, clock, "mail", "email", {"host": smtp_server.host, "port": smtp_server.port,
                                               "security": "none", "from": "jimu@example.com"})
    with kernel.engine.begin() as conn:
        amy = create_user(conn, "amy", email="amy@example.com", now=clock())
        with pytest.raises(ChannelNotFound):
            queue_notification(conn, channel="nothing", message=Message("x", "y"), now=clock())
        with pytest.raises(MessageInvalid):
            queue_notification(conn, channel="mail", message=Message("x", "y"), now=clock())
        queue_notification(conn, channel="mail", message=Message("订单已审批", "SO-0001", users=(amy,)), now=clock())
        note = queue_notification(conn, channel=INAPP, message=Message("订单已审批", "SO-0001", users=(amy,)),
                                  now=clock())
        assert [n["id"] for n in inbox.list_notifications(conn, user_id=amy).data] == [note]  # written, not queued
    assert [a.outcome for a in worker(kernel, clock).run_once()] == ["done"]
    [(_, recipients, _)] = smtp_server.messages
    assert recipients == ["amy@example.com"]
