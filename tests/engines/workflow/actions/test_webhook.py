"""`webhook`: a JSON body from expressions, queued as a signed delivery in the chain's transaction; a dry run
shows it and queues nothing; a retry of the same run queues it once."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines import workflow
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.errors import ActionFailedError
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel
from jimu.platform.notifications import WEBHOOK_KIND, set_channel
from jimu.platform.security.admin import Actor, AdminScope

from ..automation.automation_support import service_app

HOOK = {"key": "tell_ops", "type": "webhook", "channel": "ops_hook", "event": "ticket.closed",
        "data": {"title": "title", "priority": "priority", "touches": "touches + 1", "due": "due_date"}}


def _app(action: dict[str, Any]) -> dict[str, Any]:
    app = service_app(automations=[])
    app["processes"][0]["transitions"][0]["actions"] = [action]
    return app


@pytest.fixture
def desk(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = workflow.install(Kernel(engine))
    kernel.apply_app(_app(HOOK))
    with kernel.unit_of_work() as ctx:
        scope = AdminScope(ctx.conn, ctx.catalog, Actor(None, "cli"), ctx.now())
        set_channel(scope, "ops_hook", "webhook", {"url": "https://ops.example.com/hook", "secret": "s3cret-value-1"})
    return kernel


def _deliveries(kernel: Kernel) -> list[dict[str, Any]]:
    with kernel.unit_of_work() as ctx:
        rows = ctx.conn.execute(sa.select(jobs.c.payload).where(jobs.c.kind == WEBHOOK_KIND)).scalars()
        return [dict(row) for row in rows]


def test_closing_a_ticket_queues_its_webhook_with_the_body_from_expressions(desk: Kernel) -> None:
    with desk.unit_of_work() as ctx:
        ticket = records.create(ctx, "ticket", {"title": "Toner", "priority": "high", "due_date": "2026-03-10"})
        dry = transitions.run(ctx, "ticket", ticket["id"], "close", dry_run=True)
    [effect] = [e for e in dry["effects"] if e["kind"] == "webhook.queued"]
    body = {"title": "Toner", "priority": "high", "touches": 1, "due": "2026-03-10"}
    assert (effect["channel"], effect["event"], effect["data"]) == ("ops_hook", "ticket.closed", body)
    assert _deliveries(desk) == []
    with desk.unit_of_work() as ctx:
        transitions.run(ctx, "ticket", ticket["id"], "close", idempotency_key="close-1")
        transitions.run(ctx, "ticket", ticket["id"], "close", idempotency_key="close-1")  # a double click
    [delivery] = _deliveries(desk)
    assert delivery["channel"] == "ops_hook"
    assert (delivery["message"]["event"], delivery["message"]["data"]) == ("ticket.closed", body)


def test_an_unknown_channel_fails_the_action_and_the_transition(desk: Kernel) -> None:
    desk.apply_app(_app({**HOOK, "channel": "nowhere"}))
    with desk.unit_of_work() as ctx:
        ticket = records.create(ctx, "ticket", {"title": "Toner"})
    with desk.unit_of_work() as ctx, pytest.raises(ActionFailedError) as failed:
        transitions.run(ctx, "ticket", ticket["id"], "close")
    assert failed.value.params["action"] == "tell_ops"
    with desk.unit_of_work() as ctx:
        assert records.get(ctx, "ticket", ticket["id"])["state"] == "open"


@pytest.mark.parametrize(("change", "path", "code"), [
    ({"data": {"x": "ghost + 1"}}, "/processes/0/transitions/0/actions/0/data/x", "definition.expression_invalid"),
    ({"event": "no spaces"}, "/processes/0/transitions/0/actions/0/event", "definition.schema"),
])
def test_a_bad_webhook_is_refused_at_apply(desk: Kernel, change: dict[str, Any], path: str, code: str) -> None:
    with pytest.raises(DefinitionError) as refused:
        desk.apply_app(_app({**HOOK, **change}))
    assert (path, code) in [(d.path, d.code) for d in refused.value.details], refused.value
