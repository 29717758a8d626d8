"""What every channel type is: one class holding its configuration's JSON Schema, which settings are
secret, what a message needs, how a message becomes its wire format, how it is signed and sent."""
from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import jsonschema
import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail
from jimu.platform.notifications.errors import DeliveryError
from jimu.platform.notifications.message import FORMATS, Message
from jimu.platform.notifications.network import NetworkPolicy, Reply, post_json, status_failure

MASK = "********"
MAX_SUBJECT, MAX_BODY = 500, 200_000  # characters (a rendered template is at most 200 000 too)
EVENT_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,100}")
URL_SCHEMA: dict[str, Any] = {"type": "string", "pattern": "^https?://[^\\s]+$", "maxLength": 2000}
SECRET_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 500}


@dataclass(frozen=True)
class Delivery:
    """One attempt's circumstances: the delivery id (the same on every attempt: receivers deduplicate on
    it), the channel's key, the time, the network policy, and a connection for channels that write rows."""

    id: str
    channel: str
    now: datetime
    network: NetworkPolicy
    conn: sa.Connection | None = None


@dataclass(frozen=True)
class OutgoingRequest:
    """An HTTP channel's wire form of one message: where to POST, the headers and the exact body bytes."""

    url: str
    headers: dict[str, str]
    body: bytes

    def payload(self) -> Any:
        return json.loads(self.body)


def json_bytes(payload: Any) -> bytes:
    """Compact UTF-8 JSON; values JSON has no type for (Decimal, dates) as their text."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def clip(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8 (with an ellipsis when cut), never inside a character."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", "ignore") + "…"


def mask_url(url: str) -> str:
    """A URL as shown to administrators: query values and a long last path segment (a token) hidden."""
    parts = urlsplit(url)
    query = urlencode([(name, "****") for name, _ in parse_qsl(parts.query, keep_blank_values=True)])
    head, _, last = parts.path.rpartition("/")
    path = f"{head}/{last[:4]}****" if len(last) >= 16 else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def schema_problems(schema: Mapping[str, Any], value: Any, prefix: str) -> list[ErrorDetail]:
    """Every place `value` breaks the JSON Schema, as `notifications.config_field` details."""
    validator = jsonschema.Draft202012Validator(schema)
    found = []
    for error in sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path))):
        path = "".join(f"/{part}" for part in error.absolute_path)
        found.append(ErrorDetail(prefix + path, "notifications.config_field", {"error": error.message}))
    return found


class ChannelType(ABC):
    """One kind of channel. Subclasses set `name` and `config_schema` and implement `send`."""

    name: ClassVar[str]
    config_schema: ClassVar[dict[str, Any]]
    secrets: ClassVar[tuple[str, ...]] = ()  # configuration keys never shown (masked) nor logged
    urls: ClassVar[tuple[str, ...]] = ()  # configuration keys holding URLs (shown with their tokens masked)
    in_transaction: ClassVar[bool] = False  # written in the caller's transaction instead of being queued
    attachments: ClassVar[bool] = False  # whether it sends a message's attachments (else refuses them)

    def config_problems(self, config: Any, prefix: str = "/config") -> list[ErrorDetail]:
        return schema_problems(self.config_schema, config, prefix)

    def masked(self, config: Mapping[str, Any]) -> dict[str, Any]:
        shown = dict(config)
        for key in self.secrets:
            if shown.get(key):
                shown[key] = MASK
        for key in self.urls:
            if isinstance(shown.get(key), str):
                shown[key] = mask_url(shown[key])
        return shown

    def message_problems(self, message: Message) -> list[ErrorDetail]:
        """What this channel cannot send of a message (e.g. an e-mail without recipients)."""
        found = []
        if message.format not in FORMATS:
            found.append(ErrorDetail("/format", "notifications.format_unknown",
                                     {"format": message.format, "known": list(FORMATS)}))
        if not EVENT_NAME.fullmatch(message.event):
            found.append(ErrorDetail("/event", "notifications.event_invalid", {"event": message.event[:100]}))
        if not message.subject.strip():
            found.append(ErrorDetail("/subject", "notifications.subject_missing"))
        for path, text, limit in (("/subject", message.subject, MAX_SUBJECT), ("/body", message.body, MAX_BODY)):
            if len(text) > limit:
                found.append(ErrorDetail(path, "notifications.text_too_long", {"max": limit}))
        if message.attachments and not self.attachments:
            found.append(ErrorDetail("/attachments", "notifications.attachments_unsupported", {"channel": self.name}))
        return found

    @abstractmethod
    def send(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> dict[str, Any]:
        """Send one message; returns what to record of it; DeliveryError when it failed."""


class HttpChannel(ChannelType):
    """A channel that POSTs JSON: `request` renders and signs, `reply_failure` reads the receiver's answer."""

    urls = ("url",)

    @abstractmethod
    def request(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> OutgoingRequest:
        """The exact HTTP request for a message (wire format and signature)."""

    def reply_failure(self, channel: str, reply: Reply) -> DeliveryError | None:
        """A failure the receiver reports in a 2xx reply (robots answer errors as JSON codes)."""
        return None

    def send(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> dict[str, Any]:
        outgoing = self.request(config, message, delivery)
        reply = post_json(outgoing.url, outgoing.body, outgoing.headers, delivery.network, channel=delivery.channel)
        failure = status_failure(delivery.channel, reply) or self.reply_failure(delivery.channel, reply)
        if failure is not None:
            raise failure
        return {"status": reply.status}


def code_failure(channel: str, reply: Reply, keys: tuple[str, ...], retryable_codes: frozenset[int],
                 message_keys: tuple[str, ...]) -> DeliveryError | None:
    """A robot's JSON answer read: the first of `keys` present must be 0; a reply that is not JSON fails."""
    answer = reply.json()
    if not isinstance(answer, dict):
        return DeliveryError(channel=channel, reason=f"HTTP {reply.status}, the reply is not JSON")
    code = next((answer[key] for key in keys if key in answer), None)
    if code == 0:
        return None
    text = next((str(answer[key]) for key in message_keys if key in answer), "")
    retryable = isinstance(code, int) and code in retryable_codes
    return DeliveryError(channel=channel, reason=f"{code} {text}".strip(), retryable=retryable)
