"""Notifications: the in-app inbox, e-mail, the DingTalk, WeCom and Feishu group robots, and signed
outgoing webhooks; templates rendered in a bounded Jinja2 sandbox.

    text = render_template("{{ record.number }} approved", {"record": {"number": "SO-1"}})
    channel = load_channel(conn, "sales_robot")           # configured by administrators (jimu_channel)
    deliver(channel, Message("SO-1 approved", text, format="markdown"), delivery_id="wf-12-3",
            now=now, network=NetworkPolicy.from_settings(settings))
    inbox.deliver(conn, Message("SO-1 approved", text, users=(7,)), now=now)
    queue_notification(conn, channel="sales_robot", message=message, now=now, idempotency_key="wf:12:3")

Each channel type is one entry of `CHANNEL_TYPES` (its configuration schema, wire format, signature and
sending). See docs/notifications.md.
"""
from __future__ import annotations

from jimu.platform.notifications import inbox
from jimu.platform.notifications.channel_store import (
    INAPP,
    Channel,
    list_channels,
    load_channel,
    remove_channel,
    set_channel,
)
from jimu.platform.notifications.channels import CHANNEL_TYPES, ChannelType, Delivery
from jimu.platform.notifications.delivery import check_message, deliver, with_user_addresses
from jimu.platform.notifications.errors import (
    ChannelConfigInvalid,
    ChannelDisabled,
    ChannelNotFound,
    DeliveryError,
    DestinationRefused,
    MessageInvalid,
    NotificationNotFound,
    TemplateRenderError,
)
from jimu.platform.notifications.message import FORMATS, Attachment, Link, Message
from jimu.platform.notifications.network import NetworkPolicy
from jimu.platform.notifications.queueing import (
    NOTIFY_KIND,
    WEBHOOK_KIND,
    queue_notification,
    register_delivery_handlers,
)
from jimu.platform.notifications.templates import RenderLimits, render_template, template_problems

__all__ = ["Attachment", "CHANNEL_TYPES", "FORMATS", "INAPP", "NOTIFY_KIND", "WEBHOOK_KIND", "queue_notification",
           "register_delivery_handlers", "Channel", "ChannelConfigInvalid", "ChannelDisabled",
           "ChannelNotFound", "ChannelType", "Delivery", "DeliveryError", "DestinationRefused", "Link", "Message",
           "MessageInvalid", "NetworkPolicy", "NotificationNotFound", "RenderLimits", "TemplateRenderError",
           "check_message", "deliver", "inbox", "list_channels", "load_channel", "remove_channel", "render_template",
           "set_channel", "template_problems", "with_user_addresses"]
