"""The captcha-free spam guard: a signed opening ticket (when the form was opened, signed with the link's
secret, so it cannot be forged or moved to another form) gives the fill time, which must be at least the
form's `min_seconds` (bots fill at once) and at most a day; and a honeypot field people never see must stay
empty (bots fill every field)."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate

MAX_AGE_SECONDS = 24 * 3600


def _signature(secret: str, link_id: int, issued: int) -> str:
    return hmac.new(secret.encode(), f"{link_id}:{issued}".encode(), hashlib.sha256).hexdigest()


def issue_ticket(secret: str, link_id: int, now: datetime) -> str:
    issued = int(now.timestamp())
    return f"{issued}.{_signature(secret, link_id, issued)}"


def refusal(code: str, **params: int) -> ValidationError:
    message = translate(code, "en", **params)
    return ValidationError(message, code=code, details=[ErrorDetail("form", code, dict(params), message)], **params)


def check_guard(secret: str, link_id: int, ticket: str | None, honeypot: str | None, *, now: datetime,
                min_seconds: int) -> str | None:
    """None when the submission looks human, else why not: `spam` (honeypot filled, ticket forged or
    missing), `too_fast` or `expired`."""
    if honeypot:
        return "spam"
    issued_text, _, signature = (ticket or "").partition(".")
    if not issued_text.isdigit() or len(issued_text) > 12:
        return "spam"
    issued = int(issued_text)
    if not hmac.compare_digest(signature, _signature(secret, link_id, issued)):
        return "spam"
    age = now.timestamp() - issued
    if age < min_seconds:
        return "too_fast"
    if age > MAX_AGE_SECONDS:
        return "expired"
    return None
