"""Who administers and how each change is recorded: the actor, the superuser check, the security audit trail."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import PermissionDeniedError
from jimu.platform.registry.catalog import Catalog
from jimu.platform.security.principal import Principal
from jimu.platform.security.tables import security_audit


@dataclass(frozen=True)
class Actor:
    """Who makes an administrative change: a user over the API, or the command line (no user)."""

    user_id: int | None
    source: str  # api | cli
    request_id: str | None = None


CLI_ACTOR = Actor(user_id=None, source="cli")


@dataclass(frozen=True)
class AdminScope:
    """One administrative unit of work: its connection (inside a transaction), definitions, actor and time."""

    conn: sa.Connection
    catalog: Catalog
    actor: Actor
    now: datetime

    def audit(self, action: str, target_kind: str, target: Any, changes: Mapping[str, Any] | None = None) -> None:
        """Append one row to the security audit trail (in the change's own transaction)."""
        self.conn.execute(sa.insert(security_audit).values(
            at=self.now, actor_id=self.actor.user_id, source=self.actor.source, action=action,
            target_kind=target_kind, target=str(target), changes=dict(changes or {}),
            request_id=self.actor.request_id))


def require_administrator(principal: Principal) -> None:
    """Only superusers administer users, roles, departments, permissions and rules."""
    if not principal.is_superuser:
        raise PermissionDeniedError("Only administrators may do this.", code="admin.administrators_only")
