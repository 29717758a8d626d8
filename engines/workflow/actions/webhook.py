"""`webhook`: a JSON body built from expressions, posted after commit through a webhook channel (signed).

    {"type": "webhook", "channel": "ops_hook", "event": "ticket.escalated",
     "data": {"title": "title", "due": "due_date", "late_by": "TODAY() - due_date"}}

The body's values are computed when the action runs (in the chain's transaction) and travel in the
delivery job queued in that transaction (`webhook.deliver`): the receiver gets them only if the chain
commits, retried with backoff, signed with the channel's HMAC secret, each attempt with the same
delivery id (the action's idempotency key) so it can deduplicate. The effect `webhook.queued` shows the
body on a dry run, which queues nothing.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.fields.base import Problem
from jimu.platform.notifications import Link, Message, queue_notification

from ..chain import Chain, Frame
from .base import ActionType, Checking
from .registry import ACTION_TYPES

MAX_KEY = 200


def delivery_key(chain: Chain, frame: Frame, action: Mapping[str, Any], kind: str) -> str:
    """The idempotency key of a queued delivery: the run, the record and the action."""
    return f"wf:{chain.run_key}:{frame.entity.key}:{frame.record_id}:{action.get('key') or kind}"[:MAX_KEY]


def plain(value: Any) -> Any:
    """A value as the body's JSON carries it (Decimal and dates as text)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


class Webhook(ActionType):
    name = "webhook"
    properties = {
        "channel": {"$ref": "#/$defs/identifier", "description": "A webhook channel (docs/notifications.md)."},
        "event": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]{1,100}$"},
        "data": {"type": "object", "maxProperties": 200, "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]{0,63}$"},
                 "additionalProperties": {"type": "string", "minLength": 1, "maxLength": 4000}},
    }
    required_properties = ("channel", "event")

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        problems: list[Problem] = []
        for name, source in (action.get("data") or {}).items():
            problems += checking.expression(source, None, f"data/{name}")
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        data = {name: plain(frame.value(chain, source)) for name, source in (action.get("data") or {}).items()}
        event = str(action["event"])
        message = Message(subject=event, body="", event=event, data=data,
                          link=Link(frame.entity.key, frame.record_id))
        key = delivery_key(chain, frame, action, "webhook")
        queue_notification(chain.ctx.conn, channel=str(action["channel"]), message=message, now=chain.ctx.now(),
                           idempotency_key=key)
        chain.effects.add("webhook.queued", channel=action["channel"], event=event, data=data,
                          entity=frame.entity.key, id=frame.record_id)


ACTION_TYPES.register(Webhook())
