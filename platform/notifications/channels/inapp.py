"""In-app messages: one inbox row per recipient user, written in the caller's transaction (never queued),
read through `GET /api/v1/notifications`. Needs no configuration."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.errors import ErrorDetail
from jimu.platform.notifications.channels.base import ChannelType, Delivery
from jimu.platform.notifications.inbox import deliver as deliver_to_inbox
from jimu.platform.notifications.message import Message

MAX_USERS = 1000


class InApp(ChannelType):
    name = "inapp"
    config_schema = {"type": "object", "additionalProperties": False, "properties": {}}
    in_transaction = True

    def message_problems(self, message: Message) -> list[ErrorDetail]:
        found = super().message_problems(message)
        if not message.users:
            found.append(ErrorDetail("/users", "notifications.no_recipients"))
        if len(message.users) > MAX_USERS:
            found.append(ErrorDetail("/users", "notifications.too_many_recipients", {"max": MAX_USERS}))
        return found

    def send(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> dict[str, Any]:
        if delivery.conn is None:
            raise RuntimeError("In-app messages are written in a transaction: give the delivery a connection.")
        ids = deliver_to_inbox(delivery.conn, message, now=delivery.now)
        return {"notifications": ids}
