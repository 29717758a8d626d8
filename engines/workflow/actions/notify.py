"""`notify`: a message to users, its subject and body Jinja2 templates over the record.

    {"type": "notify", "to": {"fields": ["assignee"], "roles": ["support_lead"], "users": "CURRENT_USER()"},
     "subject": "Ticket {{ record.title }} is due soon", "body": "Priority: {{ record.priority }}",
     "format": "text", "channel": "inapp"}

Recipients: the users named by user fields of the record, the members of roles, and the user ids an
expression gives. The templates are checked when the app is applied (syntax, and only `record`, `vars`
and `params` in scope) and rendered in the notifications sandbox when the action runs. The message goes
through `queue_notification` in the chain's transaction: an in-app message is written there, another
channel's (e-mail, DingTalk, WeCom, Feishu robots) is a delivery job sent after commit — so a dry run or
a rollback sends nothing; the effect `notification.queued` says through which channel, to whom, what.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.base import Problem
from jimu.platform.notifications import (
    FORMATS,
    INAPP,
    Link,
    Message,
    queue_notification,
    render_template,
    template_problems,
)
from jimu.platform.security.tables import user_roles

from ..chain import Chain, Frame
from .base import ActionType, Checking
from .registry import ACTION_TYPES
from .webhook import delivery_key

TEMPLATE_NAMES = frozenset({"record", "vars", "params"})
_TEMPLATE = {"type": "string", "minLength": 1, "maxLength": 20_000}


def template_checks(action: Mapping[str, Any], names: tuple[str, ...]) -> list[Problem]:
    problems: list[Problem] = []
    for name in names:
        if name in action:
            problems += [Problem(p.code, p.params, at=name)
                         for p in template_problems(action[name], path=name, names=TEMPLATE_NAMES)]
    return problems


def template_values(frame: Frame) -> dict[str, Any]:
    return {"record": dict(frame.record), "vars": dict(frame.vars), "params": dict(frame.params)}


class Notify(ActionType):
    name = "notify"
    properties = {
        "channel": {"$ref": "#/$defs/identifier",
                    "description": "A notification channel (docs/notifications.md); default: the in-app inbox."},
        "to": {"type": "object", "additionalProperties": False, "minProperties": 1, "properties": {
            "fields": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 1},
            "roles": {"type": "array", "items": {"type": "string"}, "uniqueItems": True, "minItems": 1},
            "users": {"type": "string", "minLength": 1, "maxLength": 4000}}},
        "subject": _TEMPLATE,
        "body": _TEMPLATE,
        "format": {"enum": list(FORMATS)},
    }
    required_properties = ("to", "subject")

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        to = action["to"]
        problems = template_checks(action, ("subject", "body"))
        for index, name in enumerate(to.get("fields", ())):
            field = checking.entity.field(name)
            if field is None:
                problems.append(Problem("definition.unknown_field", {"field": name, "entity": checking.entity.key},
                                        at=f"to/fields/{index}"))
            elif not checking.catalog.field_type(field).names_user:
                problems.append(Problem("automation.not_a_user_field", {"field": name}, at=f"to/fields/{index}"))
        if "users" in to:
            problems += checking.expression(to["users"], ExprType.INTEGER, "to/users")
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        values = template_values(frame)
        subject = render_template(action["subject"], values, path="subject")
        body = render_template(action.get("body", ""), values, path="body", html=action.get("format") == "html")
        users = _recipients(action["to"], frame, chain)
        message = Message(subject=subject, body=body, format=str(action.get("format") or "text"), users=users,
                          link=Link(frame.entity.key, frame.record_id), event="workflow.notify")
        channel = str(action.get("channel") or INAPP)
        if users:
            queue_notification(chain.ctx.conn, channel=channel, message=message, now=chain.ctx.now(),
                               idempotency_key=delivery_key(chain, frame, action, "notify"))
        chain.effects.add("notification.queued", channel=channel, users=list(users), subject=subject,
                          entity=frame.entity.key, id=frame.record_id)


def _recipients(to: Mapping[str, Any], frame: Frame, chain: Chain) -> tuple[int, ...]:
    found: list[int] = [int(frame.record[name]) for name in to.get("fields", ()) if frame.record.get(name)]
    if to.get("roles"):
        rows = chain.ctx.conn.execute(sa.select(user_roles.c.user_id).where(user_roles.c.role_key.in_(to["roles"]))
                                      .order_by(user_roles.c.user_id))
        found += [int(user) for user in rows.scalars()]
    if to.get("users"):
        value = frame.value(chain, to["users"], ExprType.INTEGER)
        if value is not None:
            found.append(int(value))
    return tuple(dict.fromkeys(found))


ACTION_TYPES.register(Notify())
