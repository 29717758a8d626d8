"""What a visitor without an account does with a public form: open it (its fields and a signed opening
ticket) and submit it. A submission is counted first, in its own committed transaction (so refused ones count
against the limits too), checked against the per-address and per-form limits and the spam guard, then written
in a second transaction through the same records validation as any create, as the form's account (its
permissions apply; the record's history names it)."""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, NotFoundError, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.kernel import Kernel
from jimu.platform.security import AuthenticationError, bind_policy, load_principal

from ..records import create
from .errors import TooManySubmissionsError
from .guard import check_guard, issue_ticket, refusal
from .model import PublicFormDef, find_form
from .tables import attempts, links

_SHOWN_PROPERTIES = ("type", "options", "min", "max", "max_length", "min_length", "precision", "currency",
                     "placeholder")
_REFUSALS = {"spam": "public_forms.refused", "too_fast": "public_forms.too_fast", "expired": "public_forms.expired"}


def _closed() -> NotFoundError:
    return NotFoundError("This form is not open.", code="public_forms.closed")


def _open_link(ctx: Context, token: str) -> tuple[PublicFormDef, Any]:
    """The open form behind a token; the same 404 for an unknown token, a closed or an undefined form."""
    if not token or len(token) > 64:
        raise _closed()
    row = ctx.conn.execute(sa.select(links).where(links.c.token == token)).first()
    form = find_form(ctx.catalog, row.app, row.form_key) if row is not None else None
    if row is None or form is None or not row.enabled:
        raise _closed()
    return form, row


def form_view(ctx: Context, token: str) -> dict[str, Any]:
    """What the page shows: the form's texts and fields (labels from the form, else the entity) and a ticket."""
    form, row = _open_link(ctx, token)
    entity = ctx.catalog.require_entity(form.entity)
    fields = []
    for asked in form.fields:
        field = entity.field(asked.name)
        if field is None:
            continue
        shown = {k: field.raw[k] for k in _SHOWN_PROPERTIES if k in field.raw}
        fields.append({**shown, "name": field.name, "label": asked.label or field.label,
                       "help": asked.help or field.raw.get("help"),
                       "required": asked.required if asked.required is not None else bool(field.raw.get("required"))})
    raw = form.raw
    return {"label": raw.get("label") or entity.label, "description": raw.get("description"),
            "submit_label": raw.get("submit_label"), "fields": fields,
            "ticket": issue_ticket(row.secret, row.id, ctx.now())}


def _count(ctx: Context, link_id: int, since: datetime, ip: str | None = None) -> int:
    query = sa.select(sa.func.count()).select_from(attempts).where(attempts.c.form_id == link_id,
                                                                    attempts.c.at > since)
    if ip is not None:
        query = query.where(attempts.c.ip == ip)
    return int(ctx.conn.execute(query).scalar_one())


def _admit(ctx: Context, token: str, ticket: str | None, honeypot: str | None,
           ip: str | None) -> tuple[PublicFormDef, int, str | None]:
    """Count the attempt and judge it: (form, account, None) or the refusal's outcome; raises when limited."""
    form, row = _open_link(ctx, token)
    now = ctx.now()
    window = timedelta(minutes=form.limit("window_minutes"))
    over = (ip is not None and _count(ctx, row.id, now - window, ip) >= form.limit("per_ip")) or \
        _count(ctx, row.id, now - window) >= form.limit("per_form")
    outcome = "limited" if over else check_guard(row.secret, row.id, ticket, honeypot, now=now,
                                                 min_seconds=form.min_seconds)
    ctx.conn.execute(sa.insert(attempts).values(form_id=row.id, ip=ip, at=now, outcome=outcome or "passed"))
    return form, int(row.actor_id), outcome


def _values(form: PublicFormDef, sent: Any) -> dict[str, Any]:
    """The record to create: the form's fields as sent (nothing else), its required marks, its fixed values."""
    if not isinstance(sent, dict):
        raise refusal("public_forms.values_not_object")
    asked = {f.name: f for f in form.fields}
    unknown = sorted(set(sent) - set(asked))
    if unknown:
        code = "public_forms.unknown_field"
        raise ValidationError(translate(code, "en", field=unknown[0], entity=form.entity), code=code,
                              details=[ErrorDetail(name, code, {"field": name, "entity": form.entity})
                                       for name in unknown])
    missing = [name for name, f in asked.items() if f.required and sent.get(name) in (None, "", [])]
    if missing:
        code = "value.required"
        raise ValidationError(translate(code, "en"), code=code, details=[ErrorDetail(name, code) for name in missing])
    return {**sent, **form.fixed_values}


def submit(kernel: Kernel, token: str, body: dict[str, Any], *, ip: str | None, locale: str = "en",
           request_id: str | None = None) -> dict[str, Any]:
    """Write one submission; returns the thank-you text. 404 closed, 429 limited, 422 refused or invalid."""
    with kernel.unit_of_work(locale=locale, request_id=request_id) as ctx:
        form, actor_id, outcome = _admit(ctx, token, body.get("ticket"), body.get("website"), ip)
    if outcome == "limited":
        window = form.limit("window_minutes")
        raise TooManySubmissionsError("Too many submissions; try again later.", retry_after=math.ceil(window * 60))
    if outcome is not None:
        raise refusal(_REFUSALS[outcome], seconds=form.min_seconds)
    with kernel.unit_of_work(locale=locale, request_id=request_id) as ctx:
        try:
            principal = load_principal(ctx.conn, actor_id)
        except AuthenticationError:
            raise _closed() from None
        bind_policy(ctx, principal)
        create(ctx, form.entity, _values(form, body.get("values", {})))
    return {"thank_you": form.raw.get("thank_you")}
