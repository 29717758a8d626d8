"""A message to send: already rendered text, its format, whom it is for and what it is about.

A `Message` travels as JSON in a delivery job's payload (`as_payload` / `from_payload`), so what is sent
is what was rendered in the transaction that asked for it, even when the record changes later.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

FORMATS = ("text", "markdown", "html")


@dataclass(frozen=True)
class Link:
    """The record a message is about (shown in the inbox, given in webhook payloads)."""

    entity: str
    record_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"entity": self.entity, "record_id": self.record_id}


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (e-mail only): its name, media type and bytes."""

    name: str
    media_type: str
    content: bytes

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "media_type": self.media_type,
                "content": base64.b64encode(self.content).decode("ascii")}

    @classmethod
    def from_dict(cls, value: Mapping[str, Any]) -> Attachment:
        return cls(str(value["name"]), str(value["media_type"]), base64.b64decode(str(value["content"])))


@dataclass(frozen=True)
class Message:
    """One message. `to`: e-mail addresses; `users`: user ids (the inbox, or e-mail to their addresses);
    `url`: a link shown by channels that can show one; `event` and `data`: what a webhook receiver gets;
    `attachments`: files (only channels with `attachments` send them; others refuse the message)."""

    subject: str
    body: str
    format: str = "text"
    to: tuple[str, ...] = ()
    users: tuple[int, ...] = ()
    link: Link | None = None
    url: str | None = None
    event: str = "notification"
    data: Mapping[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()

    def as_payload(self) -> dict[str, Any]:
        """JSON for a job's payload (`data` values JSON has no type for, like Decimal, become their text)."""
        return {"subject": self.subject, "body": self.body, "format": self.format, "to": list(self.to),
                "users": list(self.users), "link": self.link.as_dict() if self.link else None, "url": self.url,
                "event": self.event, "data": json.loads(json.dumps(dict(self.data), default=str)),
                **({"attachments": [a.as_dict() for a in self.attachments]} if self.attachments else {})}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Message:
        link = payload.get("link")
        return cls(subject=str(payload["subject"]), body=str(payload["body"]), format=str(payload["format"]),
                   to=tuple(payload.get("to") or ()), users=tuple(int(u) for u in payload.get("users") or ()),
                   link=Link(str(link["entity"]), int(link["record_id"])) if link else None,
                   url=payload.get("url"), event=str(payload.get("event") or "notification"),
                   data=dict(payload.get("data") or {}),
                   attachments=tuple(Attachment.from_dict(a) for a in payload.get("attachments") or ()))

    def plain_body(self) -> str:
        """The body as plain text (HTML tags stripped; text and Markdown as written)."""
        if self.format == "html":
            return Markup(self.body).striptags()
        return self.body
