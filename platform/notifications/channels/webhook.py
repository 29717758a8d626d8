"""Outgoing webhook: the message and its data as one JSON document, signed with HMAC-SHA256.

Headers: `X-Jimu-Delivery` (the same on every attempt of one delivery: deduplicate on it),
`X-Jimu-Timestamp` (Unix seconds of this attempt), `X-Jimu-Event`, and
`X-Jimu-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the channel's secret>`.
The body repeats the delivery id and the time, so the signature covers them. Any 2xx is success;
408, 425, 429 and 5xx are retried; other statuses (and redirects, never followed) are not.
"""
from __future__ import annotations

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
    json_bytes,
)
from jimu.platform.notifications.message import Message

SIGNATURE_HEADER = "X-Jimu-Signature"


def webhook_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class Webhook(HttpChannel):
    name = "webhook"
    config_schema = {"type": "object", "additionalProperties": False, "required": ["url", "secret"],
                     "properties": {"url": URL_SCHEMA, "secret": SECRET_SCHEMA}}
    secrets = ("secret",)

    @staticmethod
    def document(message: Message, delivery: Delivery) -> dict[str, Any]:
        return {"id": delivery.id, "event": message.event, "sent_at": delivery.now.isoformat(),
                "subject": message.subject, "body": message.body, "format": message.format, "url": message.url,
                "link": message.link.as_dict() if message.link else None, "data": dict(message.data)}

    def request(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> OutgoingRequest:
        body = json_bytes(self.document(message, delivery))
        headers = {"X-Jimu-Delivery": delivery.id, "X-Jimu-Timestamp": str(int(delivery.now.timestamp())),
                   "X-Jimu-Event": message.event, SIGNATURE_HEADER: webhook_signature(str(config["secret"]), body)}
        return OutgoingRequest(str(config["url"]), headers, body)
