"""Channel types: one class per kind (e-mail, the DingTalk/WeCom/Feishu robots, webhooks, the inbox)."""
from __future__ import annotations

from jimu.platform.notifications.channels.base import ChannelType, Delivery, OutgoingRequest
from jimu.platform.notifications.channels.registry import CHANNEL_TYPES

__all__ = ["CHANNEL_TYPES", "ChannelType", "Delivery", "OutgoingRequest"]
