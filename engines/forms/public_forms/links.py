"""Administering public forms' links: list every defined form with its link, switch one on (creating its
unguessable token and the account it writes as), off, or rotate its token (the old link stops at once).
Every change is in the security audit trail."""
from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import NotFoundError
from jimu.platform.meta import users
from jimu.platform.registry.catalog import Catalog
from jimu.platform.security.admin.scope import AdminScope
from jimu.platform.security.users import create_user, require_user

from .model import PublicFormDef, find_form, forms_of
from .tables import links

PUBLIC_USERNAME = "public"  # the default account public forms write as (no password: it cannot sign in)


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def _link_view(form: PublicFormDef, row: Any | None, actor: str | None) -> dict[str, Any]:
    return {"app": form.app, "key": form.key, "entity": form.entity, "label": form.raw.get("label"),
            "enabled": bool(row.enabled) if row is not None else False,
            "token": row.token if row is not None else None,
            "url": f"/f/{row.token}" if row is not None else None,
            "actor": {"id": row.actor_id, "username": actor} if row is not None else None,
            "rotated_at": row.rotated_at if row is not None else None}


def list_public_forms(conn: sa.Connection, catalog: Catalog) -> list[dict[str, Any]]:
    """Every public form the installed apps define, with its link (none before it is first switched on)."""
    rows = {(r.app, r.form_key): r for r in conn.execute(sa.select(links, users.c.username).join(
        users, users.c.id == links.c.actor_id))}
    return [_link_view(f, rows.get((f.app, f.key)), getattr(rows.get((f.app, f.key)), "username", None))
            for f in forms_of(catalog)]


def _form(catalog: Catalog, app: str, key: str) -> PublicFormDef:
    form = find_form(catalog, app, key)
    if form is None:
        raise NotFoundError(f"No public form {app}/{key}.", code="public_forms.unknown_form", app=app, form=key)
    return form


def _view(conn: sa.Connection, catalog: Catalog, form: PublicFormDef) -> dict[str, Any]:
    return next(v for v in list_public_forms(conn, catalog) if v["app"] == form.app and v["key"] == form.key)


def _public_account(conn: sa.Connection) -> int:
    found = conn.execute(sa.select(users.c.id).where(sa.func.lower(users.c.username) == PUBLIC_USERNAME)).scalar()
    return int(found) if found is not None else create_user(conn, PUBLIC_USERNAME, display_name="Public forms")


def switch_on(scope: AdminScope, app: str, key: str, actor_id: int | None = None) -> dict[str, Any]:
    """Open the form (a new link the first time); `actor_id`: the account it writes as (default `public`)."""
    form = _form(scope.catalog, app, key)
    if actor_id is not None:
        require_user(scope.conn, actor_id)
    row = scope.conn.execute(sa.select(links).where(links.c.app == app, links.c.form_key == key)).first()
    if row is None:
        scope.conn.execute(sa.insert(links).values(
            app=app, form_key=key, token=new_token(), secret=secrets.token_hex(32), enabled=True,
            actor_id=actor_id or _public_account(scope.conn), created_at=scope.now, rotated_at=scope.now))
    else:
        changes: dict[str, Any] = {"enabled": True}
        if actor_id is not None:
            changes["actor_id"] = actor_id
        scope.conn.execute(sa.update(links).where(links.c.id == row.id).values(**changes))
    scope.audit("public_form.enable", "public_form", f"{app}/{key}", {"actor": actor_id} if actor_id else {})
    return _view(scope.conn, scope.catalog, form)


def _existing(scope: AdminScope, app: str, key: str) -> tuple[PublicFormDef, Any]:
    form = _form(scope.catalog, app, key)
    row = scope.conn.execute(sa.select(links).where(links.c.app == app, links.c.form_key == key)).first()
    if row is None:
        raise NotFoundError(f"Public form {app}/{key} was never switched on.", code="public_forms.no_link",
                            app=app, form=key)
    return form, row


def switch_off(scope: AdminScope, app: str, key: str) -> dict[str, Any]:
    """Close the form: its link answers "closed" until it is switched on again (same link)."""
    form, row = _existing(scope, app, key)
    scope.conn.execute(sa.update(links).where(links.c.id == row.id).values(enabled=False))
    scope.audit("public_form.disable", "public_form", f"{app}/{key}")
    return _view(scope.conn, scope.catalog, form)


def rotate(scope: AdminScope, app: str, key: str) -> dict[str, Any]:
    """A new token and signing secret: the old link and every form opened with it stop working."""
    form, row = _existing(scope, app, key)
    scope.conn.execute(sa.update(links).where(links.c.id == row.id).values(
        token=new_token(), secret=secrets.token_hex(32), rotated_at=scope.now))
    scope.audit("public_form.rotate", "public_form", f"{app}/{key}")
    return _view(scope.conn, scope.catalog, form)
