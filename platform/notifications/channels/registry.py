"""Every channel type by name; callers dispatch on the entry, never on the name."""
from __future__ import annotations

from types import MappingProxyType

from jimu.platform.notifications.channels.base import ChannelType
from jimu.platform.notifications.channels.dingtalk import DingTalkRobot
from jimu.platform.notifications.channels.email import Email
from jimu.platform.notifications.channels.feishu import FeishuBot
from jimu.platform.notifications.channels.inapp import InApp
from jimu.platform.notifications.channels.webhook import Webhook
from jimu.platform.notifications.channels.wecom import WeComRobot

CHANNEL_TYPES: MappingProxyType[str, ChannelType] = MappingProxyType(
    {kind.name: kind for kind in (Email(), DingTalkRobot(), WeComRobot(), FeishuBot(), Webhook(), InApp())})
