"""DingTalk (钉钉) custom group robot: `msgtype` text or markdown, POSTed to the robot's webhook URL.

Signing ("加签", when the robot has a secret): `timestamp` (milliseconds) and
`sign` = Base64(HMAC-SHA256(key=secret, "timestamp\\nsecret")), URL-encoded, added to the query.
The reply is JSON: `errcode` 0 is success; 130101 (sending too fast) is retried, any other code is not.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

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

MAX_BYTES = 20_000


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The robot signature (Base64, not yet URL-encoded)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def with_query(url: str, **params: Any) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


class DingTalkRobot(HttpChannel):
    name = "dingtalk"
    config_schema = {"type": "object", "additionalProperties": False, "required": ["url"],
                     "properties": {"url": URL_SCHEMA, "secret": SECRET_SCHEMA}}
    secrets = ("secret",)

    @staticmethod
    def wire(message: Message) -> dict[str, Any]:
        """The robot's message: text (subject, body, link) or markdown (a heading, the body, the link)."""
        if message.format == "text":
            content = "\n".join(part for part in (message.subject, message.body, message.url) if part)
            return {"msgtype": "text", "text": {"content": clip(content, MAX_BYTES)}}
        body = message.body if message.format == "markdown" else message.plain_body()
        link = f"\n\n[{message.url}]({message.url})" if message.url else ""
        return {"msgtype": "markdown",
                "markdown": {"title": message.subject, "text": clip(f"#### {message.subject}\n\n{body}{link}",
                                                                    MAX_BYTES)}}

    def request(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> OutgoingRequest:
        url = str(config["url"])
        if config.get("secret"):
            timestamp = int(delivery.now.timestamp() * 1000)
            url = with_query(url, timestamp=timestamp, sign=dingtalk_sign(str(config["secret"]), timestamp))
        return OutgoingRequest(url, {}, json_bytes(self.wire(message)))

    def reply_failure(self, channel: str, reply: Reply) -> DeliveryError | None:
        return code_failure(channel, reply, ("errcode",), frozenset({130101}), ("errmsg",))
