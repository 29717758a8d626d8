"""E-mail through the installation's SMTP server: STARTTLS, implicit TLS or none; login when a user is set.

Text and Markdown bodies go as text/plain; HTML bodies as text/html with a text/plain alternative (the
tags stripped); attachments follow as MIME parts with their file names. The Message-ID is derived from
the delivery id, so a retried delivery carries the same
one. A 5xx answer or refused recipients are not retried; a 4xx answer and connection failures are.
"""
from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

from jimu.platform.errors import ErrorDetail
from jimu.platform.notifications.channels.base import SECRET_SCHEMA, ChannelType, Delivery
from jimu.platform.notifications.errors import DeliveryError
from jimu.platform.notifications.message import Message
from jimu.platform.notifications.network import tls_context

ADDRESS_SCHEMA: dict[str, Any] = {"type": "string", "pattern": "^[^@\\s<>,;]+@[^@\\s<>,;]+$", "maxLength": 320}
MAX_RECIPIENTS = 100


def _one_line(text: str) -> str:
    return " ".join(text.split())[:900]


class Email(ChannelType):
    name = "email"
    config_schema = {
        "type": "object", "additionalProperties": False, "required": ["host", "from"],
        "properties": {
            "host": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[^\\s/]+$"},
            "port": {"type": "integer", "minimum": 1, "maximum": 65535},
            "security": {"enum": ["starttls", "tls", "none"]},
            "username": {"type": "string", "maxLength": 320},
            "password": SECRET_SCHEMA,
            "from": ADDRESS_SCHEMA,
            "from_name": {"type": "string", "maxLength": 200},
        },
    }
    secrets = ("password",)
    attachments = True

    def message_problems(self, message: Message) -> list[ErrorDetail]:
        found = super().message_problems(message)
        if not message.to:
            found.append(ErrorDetail("/to", "notifications.no_recipients"))
        if len(message.to) > MAX_RECIPIENTS:
            found.append(ErrorDetail("/to", "notifications.too_many_recipients", {"max": MAX_RECIPIENTS}))
        for index, address in enumerate(message.to):
            if not isinstance(address, str) or "@" not in address or any(c in address for c in "\r\n<>,;"):
                found.append(ErrorDetail(f"/to/{index}", "notifications.address_invalid", {"address": str(address)}))
        return found

    @staticmethod
    def compose(config: Mapping[str, Any], message: Message, delivery: Delivery) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = _one_line(message.subject)
        mail["From"] = formataddr((_one_line(str(config.get("from_name") or "")), str(config["from"])))
        mail["To"] = ", ".join(message.to)
        mail["Date"] = format_datetime(delivery.now)
        domain = _safe_id(str(config["from"]).rpartition("@")[2])
        mail["Message-ID"] = f"<{_safe_id(delivery.id)}@{domain}>"
        text = message.plain_body() + (f"\n\n{message.url}" if message.url else "")
        mail.set_content(text)
        if message.format == "html":
            mail.add_alternative(message.body, subtype="html")
        for attachment in message.attachments:
            maintype, _, subtype = attachment.media_type.partition("/")
            mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype or "octet-stream",
                                filename=attachment.name)
        return mail

    def send(self, config: Mapping[str, Any], message: Message, delivery: Delivery) -> dict[str, Any]:
        mail = self.compose(config, message, delivery)
        try:
            with _connect(config, delivery.network.timeout) as smtp:
                refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as error:
            raise _failure(delivery.channel, f"recipients refused: {sorted(error.recipients)}", False) from None
        except smtplib.SMTPResponseException as error:
            said = error.smtp_error
            reason = f"{error.smtp_code} {said.decode('utf-8', 'replace') if isinstance(said, bytes) else said}"
            raise _failure(delivery.channel, reason, error.smtp_code < 500) from None
        except (smtplib.SMTPException, OSError) as error:
            raise _failure(delivery.channel, f"{type(error).__name__}: {error}", True) from None
        return {"recipients": len(message.to) - len(refused), "refused": sorted(refused)}


def _safe_id(delivery_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in delivery_id)[:120] or "jimu"


def _connect(config: Mapping[str, Any], timeout: float) -> smtplib.SMTP:
    security = str(config.get("security") or "starttls")
    host = str(config["host"])
    if security == "tls":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, int(config.get("port") or 465), timeout=timeout,
                                              context=tls_context())
    else:
        smtp = smtplib.SMTP(host, int(config.get("port") or 587), timeout=timeout)
    try:
        if security == "starttls":
            smtp.starttls(context=tls_context())
        if config.get("username"):
            smtp.login(str(config["username"]), str(config.get("password") or ""))
    except BaseException:
        smtp.close()
        raise
    return smtp


def _failure(channel: str, reason: str, retryable: bool) -> DeliveryError:
    return DeliveryError(channel=channel, reason=reason, retryable=retryable)
