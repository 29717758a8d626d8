"""Drafts of apps: the definition a designer edits, saved as they go, before it is published.

One draft per app. Every save names the draft version it started from; a save naming another version
is refused with `drafts.version_conflict` (409), so two designers never silently overwrite each other.
An app without a stored draft reads as its installed definition at draft version 0.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ConflictError, ErrorDetail, NotFoundError, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.meta import app_drafts
from jimu.platform.registry.repository import app_revision, installed_definition


@dataclass(frozen=True)
class Draft:
    """An app's draft: its definition, its version (0: nothing saved yet), the revision it started from."""

    app: str
    definition: dict[str, Any]
    version: int
    base_revision: int
    installed_revision: int
    updated_at: datetime | None = None
    updated_by: int | None = None

    @property
    def saved(self) -> bool:
        return self.version > 0

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app, "version": self.version, "saved": self.saved, "base_revision": self.base_revision,
                "installed_revision": self.installed_revision, "updated_at": self.updated_at,
                "updated_by": self.updated_by, "definition": self.definition}


def get_draft(conn: sa.Connection, app_key: str, *, locale: str = "en") -> Draft:
    """The app's stored draft, else its installed definition (version 0); NotFoundError when neither exists."""
    installed_rev = app_revision(conn, app_key)
    row = conn.execute(sa.select(app_drafts).where(app_drafts.c.app_key == app_key)).mappings().one_or_none()
    if row is not None:
        return Draft(app_key, dict(row["definition"]), int(row["version"]), int(row["base_revision"]),
                     installed_rev, row["updated_at"], row["updated_by"])
    installed = installed_definition(conn, app_key)
    if installed is None:
        code = "drafts.not_found"
        raise NotFoundError(translate(code, locale, app=app_key), code=code, app=app_key)
    return Draft(app_key, copy.deepcopy(installed), 0, installed_rev, installed_rev)


def save_draft(conn: sa.Connection, app_key: str, definition: Any, *, expected_version: int | None,
               user_id: int | None, now: datetime, locale: str = "en") -> Draft:
    """Store a new draft version. `expected_version` is the version the designer edited (0: none saved yet);
    another stored version raises ConflictError `drafts.version_conflict` and nothing is written."""
    _check_shape(app_key, definition, locale)
    if expected_version is None:
        code = "drafts.version_required"
        message = translate(code, locale)
        raise ValidationError(message, details=[ErrorDetail("version", code, message=message)], code=code)
    t = app_drafts
    values = {"definition": definition, "updated_at": now, "updated_by": user_id}
    if expected_version == 0:
        if conn.execute(sa.select(t.c.version).where(t.c.app_key == app_key)).scalar_one_or_none() is None:
            base = app_revision(conn, app_key)
            try:
                with conn.begin_nested():  # a first save racing another one: the loser gets the conflict
                    conn.execute(sa.insert(t).values(app_key=app_key, version=1, base_revision=base, **values))
            except sa.exc.IntegrityError:
                raise _conflict(conn, app_key, expected_version, locale) from None
            return get_draft(conn, app_key, locale=locale)
        raise _conflict(conn, app_key, expected_version, locale)
    updated = conn.execute(sa.update(t).where(t.c.app_key == app_key, t.c.version == expected_version)
                           .values(version=t.c.version + 1, **values)).rowcount
    if not updated:
        raise _conflict(conn, app_key, expected_version, locale)
    return get_draft(conn, app_key, locale=locale)


def list_drafts(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every stored draft (without its definition): app, version, base revision, label, when and by whom."""
    t = app_drafts
    rows = conn.execute(sa.select(t.c.app_key, t.c.version, t.c.base_revision, t.c.updated_at, t.c.updated_by,
                                  t.c.definition).order_by(t.c.app_key)).mappings()
    return [{"app": row["app_key"], "version": row["version"], "base_revision": row["base_revision"],
             "updated_at": row["updated_at"], "updated_by": row["updated_by"],
             "label": row["definition"].get("label") if isinstance(row["definition"], dict) else None}
            for row in rows]


def discard_draft(conn: sa.Connection, app_key: str, *, expected_version: int | None, locale: str = "en") -> None:
    """Drop the stored draft (the installed definition is the draft again); a stale version is a conflict."""
    t = app_drafts
    where = [t.c.app_key == app_key]
    if expected_version is not None:
        where.append(t.c.version == expected_version)
    if not conn.execute(sa.delete(t).where(*where)).rowcount and expected_version not in (None, 0):
        raise _conflict(conn, app_key, expected_version, locale)


def _conflict(conn: sa.Connection, app_key: str, expected: int, locale: str) -> ConflictError:
    stored = conn.execute(sa.select(app_drafts.c.version, app_drafts.c.updated_by)
                          .where(app_drafts.c.app_key == app_key)).one_or_none()
    current = int(stored[0]) if stored else 0
    code = "drafts.version_conflict"
    return ConflictError(translate(code, locale, app=app_key, expected=expected, current=current), code=code,
                         app=app_key, expected=expected, current=current,
                         updated_by=stored[1] if stored else None)


def _check_shape(app_key: str, definition: Any, locale: str) -> None:
    """A draft may be incomplete (it is validated when previewed and published), but it is an app object
    with this app's key."""
    if not isinstance(definition, dict):
        code = "drafts.not_an_object"
        message = translate(code, locale)
        raise ValidationError(message, details=[ErrorDetail("definition", code, message=message)], code=code)
    if definition.get("key") != app_key:
        code = "api.app_key_mismatch"
        params = {"key": str(definition.get("key")), "app": app_key}
        message = translate(code, locale, **params)
        raise ValidationError(message, details=[ErrorDetail("/key", code, params, message)], code=code, **params)
