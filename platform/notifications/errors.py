"""Typed errors of notifications (messages in i18n/<locale>/notifications.json)."""
from __future__ import annotations

from jimu.platform.errors import JimuError, NotFoundError, ValidationError
from jimu.platform.i18n import translate


class TemplateRenderError(ValidationError):
    """A template that is not valid or could not be rendered (details name the problem and its path)."""

    code = "notifications.template_invalid"


class ChannelNotFound(NotFoundError):
    code = "notifications.channel_not_found"

    def __init__(self, channel: str) -> None:
        super().__init__(translate("notifications.channel_not_found", "en", channel=channel), channel=channel)


class ChannelConfigInvalid(ValidationError):
    """A channel's configuration its type refuses (details: one problem per JSON path)."""

    code = "notifications.channel_invalid"


class MessageInvalid(ValidationError):
    """A message its channel cannot send (no recipient, a field the channel needs is missing)."""

    code = "notifications.message_invalid"


class NotificationNotFound(NotFoundError):
    code = "notifications.not_found"

    def __init__(self, notification_id: int) -> None:
        super().__init__(translate("notifications.not_found", "en", id=notification_id), id=notification_id)


class DeliveryError(JimuError):
    """A send that failed: the receiver was unreachable, answered an error or refused the message.

    `retryable` is False when sending again cannot help (a refused destination, a 4xx other than 408/429);
    the job queue retries the others with backoff.
    """

    code = "notifications.delivery_failed"
    http_status = 502

    def __init__(self, *, channel: str, reason: str, retryable: bool = True) -> None:
        super().__init__(translate("notifications.delivery_failed", "en", channel=channel, reason=reason),
                         channel=channel, reason=reason)
        self.retryable = retryable


class ChannelDisabled(DeliveryError):
    code = "notifications.channel_disabled"
    http_status = 409

    def __init__(self, channel: str) -> None:
        JimuError.__init__(self, translate("notifications.channel_disabled", "en", channel=channel), channel=channel)
        self.retryable = False


class DestinationRefused(DeliveryError):
    """A destination on loopback, private or reserved networks (SSRF), unless the installation allows it."""

    code = "notifications.destination_refused"
    http_status = 422

    def __init__(self, *, host: str, address: str) -> None:
        JimuError.__init__(self, translate("notifications.destination_refused", "en", host=host, address=address),
                           host=host, address=address)
        self.retryable = False
