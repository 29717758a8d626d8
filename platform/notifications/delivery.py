"""Sending one message through one channel, now: what the delivery jobs and the "test send" call.

Network channels must be called outside a database transaction (a slow receiver would hold it open):
load the channel in one unit of work, send after it. The in-app channel writes rows, so it takes `conn`.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.meta import users
from jimu.platform.notifications.channel_store import Channel
from jimu.platform.notifications.channels.base import Delivery
from jimu.platform.notifications.errors import ChannelDisabled, MessageInvalid
from jimu.platform.notifications.message import Message
from jimu.platform.notifications.network import NetworkPolicy


def check_message(channel: Channel, message: Message) -> None:
    """MessageInvalid with a detail per problem when the channel cannot send this message."""
    problems = channel.kind.message_problems(message)
    if problems:
        raise MessageInvalid("The message cannot be sent through this channel.", channel=channel.key,
                             details=problems)


def with_user_addresses(conn: sa.Connection, message: Message) -> Message:
    """The message with its users' e-mail addresses added to `to` (users without one are left out)."""
    if not message.users:
        return message
    found = conn.scalars(sa.select(users.c.email).where(users.c.id.in_(message.users), users.c.email.is_not(None),
                                                        users.c.is_active.is_(True)))
    addresses = list(dict.fromkeys([*message.to, *(address for address in found if address)]))
    return Message(**{**message.__dict__, "to": tuple(addresses)})


def deliver(channel: Channel, message: Message, *, delivery_id: str, now: datetime, network: NetworkPolicy,
            conn: sa.Connection | None = None) -> dict[str, Any]:
    """Send now; what to record of it. DeliveryError (with `retryable`) when it failed."""
    if not channel.enabled:
        raise ChannelDisabled(channel.key)
    check_message(channel, message)
    delivery = Delivery(id=delivery_id, channel=channel.key, now=now, network=network, conn=conn)
    return channel.kind.send(channel.config, message, delivery)
