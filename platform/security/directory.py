"""The user directory every signed-in user may read: who can be picked in a user field or @mentioned.

Only an id and a display name (the username when none is set) of active users; no e-mail, roles or flags.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from jimu.platform.meta import users

MAX_LIMIT = 50


@dataclass(frozen=True)
class DirectoryEntry:
    id: int
    display_name: str

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "display_name": self.display_name}


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_users(conn: sa.Connection, *, q: str | None = None, ids: Sequence[int] = (),
               limit: int = 20) -> list[DirectoryEntry]:
    """Active users whose display name or username contains `q` (case-insensitive), or those with `ids`;
    by display name, at most `limit` (never more than MAX_LIMIT)."""
    name = sa.func.coalesce(users.c.display_name, users.c.username)
    query = sa.select(users.c.id, name.label("name")).where(users.c.is_active.is_(True))
    if ids:
        query = query.where(users.c.id.in_(list(ids)))
    if q:
        pattern = f"%{_escaped(q.strip().lower())}%"
        query = query.where(sa.or_(sa.func.lower(name).like(pattern, escape="\\"),
                                   sa.func.lower(users.c.username).like(pattern, escape="\\")))
    rows = conn.execute(query.order_by(name, users.c.id).limit(min(max(limit, 1), MAX_LIMIT))).all()
    return [DirectoryEntry(int(row.id), str(row.name)) for row in rows]
