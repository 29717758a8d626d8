"""RolePolicy: the AccessPolicy of an authenticated principal, from their roles' grants and rules."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import EvalEnv
from jimu.platform.context import Context, utcnow
from jimu.platform.errors import PermissionDeniedError
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef
from jimu.platform.security.cache import SecurityCache
from jimu.platform.security.grants import RoleGrants
from jimu.platform.security.principal import Principal
from jimu.platform.security.rules import RuleCompiler
from jimu.platform.security.snapshot import ACTIONS, WILDCARD, RulesSnapshot, load_snapshot
from jimu.platform.storage.tables import EntityTables, build_tables


class RolePolicy:
    """What a principal may do, see and change. One per request; immutable inputs, per-request memo only.

    What the roles allow (grants, which record rules apply, field sets) comes from a RoleGrants shared by
    every request at the same security revision and catalog; only the row conditions — which hold the
    principal's id, departments and the request's time — are built per request.
    Child entities (lines) follow the permissions and record rules of the entity owning them.
    """

    def __init__(self, principal: Principal, snapshot: RulesSnapshot, catalog: Catalog,
                 tables: EntityTables | None = None, *, dialect: str, now: datetime | None = None,
                 grants: RoleGrants | None = None) -> None:
        self.principal = principal
        self.grants = grants if grants is not None else RoleGrants(snapshot, principal.roles, catalog)
        self.snapshot = self.grants.snapshot
        self.catalog = catalog
        self._tables = tables
        self.env = EvalEnv(current_user=principal.user_id, now=now or utcnow())
        self.dialect = dialect
        self._conditions: dict[tuple[str, str, int], tuple[sa.FromClause, ColumnElement[bool] | None]] = {}

    # ---- entity permissions ---------------------------------------------------------
    def roles_granting(self, entity_key: str, action: str) -> frozenset[str]:
        """The principal's roles that allow `action` on an entity (directly or through `*`)."""
        return self.grants.roles_granting(entity_key, action)

    def can(self, entity_key: str, action: str) -> bool:
        if action not in ACTIONS:
            return False
        return self.principal.is_superuser or self.grants.can(entity_key, action)

    def require(self, entity_key: str, action: str) -> None:
        if not self.can(entity_key, action):
            raise PermissionDeniedError(f"You may not {action} {entity_key}.", code="security.permission_denied",
                                        entity=entity_key, action=action)

    def require_design(self, app_key: str) -> None:
        """Allow changing an app's definition: design on `*`, or on every entity of the installed app."""
        if self.principal.is_superuser or self.roles_granting(WILDCARD, "design"):
            return
        app = self.catalog.apps.get(app_key)
        roots = [e for e in app.entities if not e.is_child] if app is not None else []
        if not roots or not all(self.roles_granting(e.key, "design") for e in roots):
            raise PermissionDeniedError(f"You may not design app {app_key}.", code="security.design_denied",
                                        app=app_key)

    # ---- rows -----------------------------------------------------------------------
    def row_condition(self, entity_key: str, table: sa.FromClause, action: str) -> ColumnElement[bool] | None:
        if self.principal.is_superuser:
            return None
        memo_key = (entity_key, action, id(table))
        memo = self._conditions.get(memo_key)
        if memo is not None and memo[0] is table:
            return memo[1]
        condition = self._row_condition(entity_key, table, action)
        self._conditions[memo_key] = (table, condition)  # keeps `table` alive, so its id is not reused
        return condition

    def _row_condition(self, entity_key: str, table: sa.FromClause, action: str) -> ColumnElement[bool] | None:
        entity = self.catalog.entity(entity_key)
        if entity is not None and entity.is_child:
            return self._child_condition(entity, table, action)
        rules = self.grants.row_rules(entity_key, action)
        if rules is None:
            return None
        if not rules or entity is None:
            return sa.false()
        compiler = RuleCompiler(self.catalog, self.tables, self.principal, self.env, self.dialect)
        return sa.or_(*(compiler.condition(rule, entity, table) for rule in rules))

    def _child_condition(self, entity: EntityDef, table: sa.FromClause, action: str) -> ColumnElement[bool] | None:
        owner = self.catalog.parent_of(entity.key)
        if owner is None:
            return sa.false()
        parent = self.tables[owner[0].key].alias()
        condition = self.row_condition(owner[0].key, parent, action)
        if condition is None:
            return None
        return sa.exists(sa.select(parent.c.id).where(parent.c.id == table.c._parent_id, condition))

    @property
    def tables(self) -> EntityTables:
        if self._tables is None:
            self._tables = build_tables(self.catalog)
        return self._tables

    # ---- fields ---------------------------------------------------------------------
    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        return None if self.principal.is_superuser else self.grants.readable_fields(entity_key)

    def writable_fields(self, entity_key: str) -> frozenset[str] | None:
        return None if self.principal.is_superuser else self.grants.writable_fields(entity_key)


def bind_policy(ctx: Context, principal: Principal, cache: SecurityCache | None = None, *,
                security_stamp: int | None = None) -> RolePolicy:
    """Make `principal` the user of a unit of work: builds their RolePolicy and sets ctx.access / ctx.user_id.

    `security_stamp`: the security revision already read in this transaction (saves the cache its query).
    """
    if cache is None:
        snapshot = load_snapshot(ctx.conn)
        grants = RoleGrants(snapshot, principal.roles, ctx.catalog)
    else:
        snapshot = cache.snapshot(ctx.conn, security_stamp)
        grants = cache.grants(snapshot, ctx.catalog, principal.roles)
    policy = RolePolicy(principal, snapshot, ctx.catalog, ctx.tables, now=ctx.now(), dialect=ctx.dialect,
                        grants=grants)
    ctx.access = policy
    ctx.user_id = principal.user_id
    return policy
