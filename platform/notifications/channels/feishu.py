"""Feishu / Lark (飞书) custom bot: `msg_type` text, or post (rich text: a title, one paragraph per line,
the link), POSTed to the bot's webhook URL.

Signing ("签名校验", when the bot has a secret): the body gets `timestamp` (seconds, as a string) and
`sign` = Base64(HMAC-SHA256 keyed with "timestamp\\nsecret" over an empty message). The reply is JSON:
`code` (older bots: `StatusCode`) 0 is success; 9499 and 11232 (frequency limits) are retried, any
other code is not.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from jimu.platform.notifications.channels.base import (
    SECRET_SCHEMA,
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

MAX_BYTES = 18_000  # the bot takes requests up to 20 KB


def feishu_sign(secret: str, timestamp: int) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


class FeishuBot(HttpChannel):
    name = "feishu"
    config_schema = {"type": "object", "additionalProperties": False, "required": ["url"],
                     "properties": {"url": URL_SCHEMA, "secret": SECRET_SCHEMA}}
    secrets = ("secret",)

    @staticmethod
    def wire(message: Message) -> dict[str, Any]:
        if message.format == "text":
            content = "\n".join(part for part in (message.subject, message.body, message.url) if part)
            return {"msg_type": "text", "content": {"text": clip(content, MAX_BYTES)}}
        body = clip(message.body if message.format == "markdown" else message.plain_body(), MAX_BYTES)
        paragraphs: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in body.split("\n")]
        if message.url:
            paragraphs.append([{"tag": "a", "text": message.url, "href": message.url}])
        return {"msg_type": "post",
                "content": {"post": {"zh_cn": {"title": message.subject, "content": paragraphs}}}}

    def request(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> OutgoingRequest:
        payload = self.wire(message)
        if config.get("secret"):
            timestamp = int(delivery.now.timestamp())
            payload = {"timestamp": str(timestamp), "sign": feishu_sign(str(config["secret"]), timestamp), **payload}
        return OutgoingRequest(str(config["url"]), {}, json_bytes(payload))

    def reply_failure(self, channel: str, reply: Reply) -> DeliveryError | None:
        return code_failure(channel, reply, ("code", "StatusCode"), frozenset({9499, 11232}),
                            ("msg", "StatusMessage"))
