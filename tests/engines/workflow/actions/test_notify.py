"""`notify`: recipients by user field, role and expression; templates checked at apply and rendered in the
sandbox; the in-app message written with the chain (a dry run leaves none)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines import workflow
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError
from jimu.platform.kernel import Kernel
from jimu.platform.notifications import inbox
from jimu.platform.security import create_role, create_user, set_user_roles

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


@pytest.mark.parametrize(("change", "path", "code"), [
    ({"subject": "{{ record.title "}, "/processes/0/transitions/0/actions/0/subject", "notifications.template_syntax"),
    ({"body": "{{ secret }}"}, "/processes/0/transitions/0/actions/0/body", "notifications.template_unknown_name"),
    ({"to": {"fields": ["title"]}}, "/processes/0/transitions/0/actions/0/to/fields/0", "automation.not_a_user_field"),
    ({"to": {"users": "title"}}, "/processes/0/transitions/0/actions/0/to/users", "definition.expression_invalid"),
    ({"channel": "sms"}, "/processes/0/transitions/0/actions/0/channel", "definition.schema"),
])
def test_a_bad_notify_is_refused_at_apply(desk: tuple[Kernel, dict[str, int]], change: dict[str, Any], path: str,
                                          code: str) -> None:
    kernel, _ = desk
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(_app({**NOTIFY, **change}))
    assert (path, code) in [(d.path, d.code) for d in refused.value.details], refused.value
