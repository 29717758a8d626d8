"""Typed errors of notifications (messages in i18n/<locale>/notifications.json)."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import JimuError, NotFoundError, ValidationError


class TemplateRenderError(ValidationError):
    """A template that is not valid or could not be rendered (details name the problem and its path)."""

    code = "notifications.template_invalid"


class ChannelNotFound(NotFoundError):
    code = "notifications.channel_not_found"


class ChannelConfigInvalid(ValidationError):
    """A channel's configuration its type refuses (details: one problem per JSON path)."""

    code = "notifications.channel_invalid"


class MessageInvalid(ValidationError):
    """A message its channel cannot send (no recipient, a field the channel needs is missing)."""

    code = "notifications.message_invalid"


class NotificationNotFound(NotFoundError):
    code = "notifications.not_found"


class DeliveryError(JimuError):
    """A send that failed: the receiver was unreachable, answered an error or refused the message.

    `retryable` is False when sending again cannot help (a refused destination, a 4xx other than 408/429);
    the job queue retries the others with backoff.
    """

    code = "notifications.delivery_failed"
    http_status = 502

    def __init__(self, message: str, *, retryable: bool = True, **params: Any) -> None:
        super().__init__(message, **params)
        self.retryable = retryable


class DestinationRefused(DeliveryError):
    """A destination on loopback, private or reserved networks (SSRF), unless the installation allows it."""

    code = "notifications.destination_refused"
    http_status = 422

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message, retryable=False, **params)
