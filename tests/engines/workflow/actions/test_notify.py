"""`notify`: recipients by user field, role and expression; templates checked at apply and rendered in the
sandbox; the in-app message written with the chain (a dry run leaves none)."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines import workflow
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel
from jimu.platform.meta import users
from jimu.platform.notifications import NOTIFY_KIND, inbox, set_channel
from jimu.platform.security import create_role, create_user, set_user_roles
from jimu.platform.security.admin import Actor, AdminScope

from ..automation.automation_support import service_app

NOTIFY = {"key": "tell", "type": "notify", "to": {"fields": ["assignee"], "roles": ["lead"]},
          "subject": "{{ record.title }} closed", "body": "Priority {{ record.priority }}"}


def _app(action: dict[str, Any]) -> dict[str, Any]:
    app = service_app(automations=[])
    app["processes"][0]["transitions"][0]["actions"] = [action]
    return app


@pytest.fixture
def desk(engine: Engine) -> tuple[Kernel, dict[str, int]]:
    init_database(engine)
    kernel = workflow.install(Kernel(engine))
    kernel.apply_app(_app(NOTIFY))
    with kernel.unit_of_work() as ctx:
        people = {name: create_user(ctx.conn, name) for name in ("ann", "lee", "max")}
        create_role(ctx.conn, "lead")
        set_user_roles(ctx.conn, people["lee"], ["lead"])
    return kernel, people


def _inbox(kernel: Kernel, user: int) -> list[dict[str, Any]]:
    with kernel.unit_of_work() as ctx:
        return inbox.list_notifications(ctx.conn, user_id=user).data


def test_closing_a_ticket_tells_its_assignee_and_the_leads(desk: tuple[Kernel, dict[str, int]]) -> None:
    kernel, people = desk
    with kernel.unit_of_work() as ctx:
        ticket = records.create(ctx, "ticket", {"title": "Scanner", "priority": "high", "assignee": people["ann"]})
        dry = transitions.run(ctx, "ticket", ticket["id"], "close", dry_run=True)
    effect = next(e for e in dry["effects"] if e["kind"] == "notification.queued")
    assert (effect["users"], effect["subject"]) == ([people["ann"], people["lee"]], "Scanner closed")
    assert _inbox(kernel, people["ann"]) == []  # the dry run left nothing
    with kernel.unit_of_work() as ctx:
        transitions.run(ctx, "ticket", ticket["id"], "close")
    [message] = _inbox(kernel, people["ann"])
    assert (message["title"], message["body"]) == ("Scanner closed", "Priority high")
    assert message["link"] == {"entity": "ticket", "record_id": ticket["id"]}
    assert len(_inbox(kernel, people["lee"])) == 1 and _inbox(kernel, people["max"]) == []


def test_recipients_by_expression(desk: tuple[Kernel, dict[str, int]]) -> None:
    kernel, people = desk
    kernel.apply_app(_app({**NOTIFY, "to": {"users": f"IF(priority = 'high', {people['max']}, NULL)"}}))
    with kernel.unit_of_work() as ctx:
        ticket = records.create(ctx, "ticket", {"title": "Fax", "priority": "high"})
        transitions.run(ctx, "ticket", ticket["id"], "close")
    assert [m["title"] for m in _inbox(kernel, people["max"])] == ["Fax closed"]


def test_an_email_notice_is_a_delivery_job_queued_with_the_chain(desk: tuple[Kernel, dict[str, int]]) -> None:
    kernel, people = desk
    kernel.apply_app(_app({**NOTIFY, "channel": "desk_mail", "to": {"users": f"{people['ann']}"}}))
    with kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(users).where(users.c.id == people["ann"]).values(email="ann@example.com"))
        set_channel(AdminScope(ctx.conn, ctx.catalog, Actor(None, "cli"), ctx.now()), "desk_mail", "email",
                    {"host": "smtp.example.com", "from": "desk@example.com"})
        ticket = records.create(ctx, "ticket", {"title": "Mouse"})
        dry = transitions.run(ctx, "ticket", ticket["id"], "close", dry_run=True)
        assert _jobs(ctx) == []
        transitions.run(ctx, "ticket", ticket["id"], "close")
        [job] = _jobs(ctx)
    assert [e["channel"] for e in dry["effects"] if e["kind"] == "notification.queued"] == ["desk_mail"]
    assert (job["channel"], job["message"]["to"], job["message"]["subject"]) == (
        "desk_mail", ["ann@example.com"], "Mouse closed")
    assert _inbox(kernel, people["ann"]) == []


def _jobs(ctx: Any) -> list[dict[str, Any]]:
    return [dict(p) for p in ctx.conn.execute(sa.select(jobs.c.payload).where(jobs.c.kind == NOTIFY_KIND)).scalars()]


@pytest.mark.parametrize(("change", "path", "code"), [
    ({"subject": "{{ record.title "}, "/processes/0/transitions/0/actions/0/subject", "notifications.template_syntax"),
    ({"body": "{{ secret }}"}, "/processes/0/transitions/0/actions/0/body", "notifications.template_unknown_name"),
    ({"to": {"fields": ["title"]}}, "/processes/0/transitions/0/actions/0/to/fields/0", "automation.not_a_user_field"),
    ({"to": {"users": "title"}}, "/processes/0/transitions/0/actions/0/to/users", "definition.expression_invalid"),
    ({"channel": "Not A Key"}, "/processes/0/transitions/0/actions/0/channel", "definition.schema"),
])
def test_a_bad_notify_is_refused_at_apply(desk: tuple[Kernel, dict[str, int]], change: dict[str, Any], path: str,
                                          code: str) -> None:
    kernel, _ = desk
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(_app({**NOTIFY, **change}))
    assert (path, code) in [(d.path, d.code) for d in refused.value.details], refused.value
