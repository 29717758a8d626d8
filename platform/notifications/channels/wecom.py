"""WeCom (企业微信) group robot: `msgtype` text or markdown, POSTed to the webhook URL holding the robot's
`key`. WeCom defines no signature: the key in the URL is the credential (so the URL is shown masked).

Text content is at most 2048 bytes, Markdown 4096 (longer is cut). The reply is JSON: `errcode` 0 is
success; 45009 (frequency limit) and -1 (system busy) are retried, any other code is not.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.notifications.channels.base import (
    URL_SCHEMA,
    Delivery,
    HttpChannel,
    OutgoingRequest,
    clip,
    code_failure,
    json_bytes,
)
from jimu.platform.notifications.errors import DeliveryError
from jimu.platform.notifications.message import Message
from jimu.platform.notifications.network import Reply

MAX_TEXT_BYTES, MAX_MARKDOWN_BYTES = 2048, 4096


class WeComRobot(HttpChannel):
    name = "wecom"
    config_schema = {"type": "object", "additionalProperties": False, "required": ["url"],
                     "properties": {"url": URL_SCHEMA}}

    @staticmethod
    def wire(message: Message) -> dict[str, Any]:
        if message.format == "text":
            content = "\n".join(part for part in (message.subject, message.body, message.url) if part)
            return {"msgtype": "text", "text": {"content": clip(content, MAX_TEXT_BYTES)}}
        body = message.body if message.format == "markdown" else message.plain_body()
        link = f"\n[{message.url}]({message.url})" if message.url else ""
        return {"msgtype": "markdown",
                "markdown": {"content": clip(f"## {message.subject}\n{body}{link}", MAX_MARKDOWN_BYTES)}}

    def request(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> OutgoingRequest:
        return OutgoingRequest(str(config["url"]), {}, json_bytes(self.wire(message)))

    def reply_failure(self, channel: str, reply: Reply) -> DeliveryError | None:
        return code_failure(channel, reply, ("errcode",), frozenset({45009, -1}), ("errmsg",))
