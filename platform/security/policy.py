"""RolePolicy: the AccessPolicy of an authenticated principal, from their roles' grants and rules."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import EvalEnv
from jimu.platform.context import Context, utcnow
from jimu.platform.errors import PermissionDeniedError
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef
from jimu.platform.security.principal import Principal
from jimu.platform.security.rules import RecordRule, RuleCompiler
from jimu.platform.security.snapshot import ACTIONS, WILDCARD, FieldRule, RulesSnapshot, SecurityCache, load_snapshot
from jimu.platform.storage.tables import EntityTables, build_tables

WRITE_ACTIONS = ("create", "update")


class RolePolicy:
    """What a principal may do, see and change. One per request; immutable inputs, per-request memo only.

    Child entities (lines) follow the permissions and record rules of the entity owning them.
    """

    def __init__(self, principal: Principal, snapshot: RulesSnapshot, catalog: Catalog,
                 tables: EntityTables | None = None, *, dialect: str, now: datetime | None = None) -> None:
        self.principal = principal
        self.snapshot = snapshot.for_roles(principal.roles)
        self.catalog = catalog
        self._tables = tables
        self.env = EvalEnv(current_user=principal.user_id, now=now or utcnow())
        self.dialect = dialect
        self._conditions: dict[tuple[str, str, int], tuple[sa.FromClause, ColumnElement[bool] | None]] = {}

    # ---- entity permissions ---------------------------------------------------------
    def _root(self, entity_key: str) -> str:
        """The entity whose permissions apply: a child entity's owner, recursively."""
        seen = {entity_key}
        entity = self.catalog.entity(entity_key)
        while entity is not None and entity.is_child:
            owner = self.catalog.parent_of(entity.key)
            if owner is None or owner[0].key in seen:
                break
            entity = owner[0]
            seen.add(entity.key)
        return entity.key if entity is not None else entity_key

    def roles_granting(self, entity_key: str, action: str) -> frozenset[str]:
        """The principal's roles that allow `action` on an entity (directly or through `*`)."""
        root = self._root(entity_key)
        return frozenset(g.role for g in self.snapshot.grants if g.entity in (root, WILDCARD) and action in g.actions)

    def can(self, entity_key: str, action: str) -> bool:
        if action not in ACTIONS:
            return False
        return self.principal.is_superuser or bool(self.roles_granting(entity_key, action))

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
        granting = self.roles_granting(entity_key, action)
        if not granting or entity is None:
            return sa.false()
        rules_by_role: dict[str, list[RecordRule]] = {role: [] for role in granting}
        for rule in self.snapshot.record_rules:
            if rule.role in granting and rule.entity == entity_key and action in rule.actions:
                rules_by_role[rule.role].append(rule)
        if any(not rules for rules in rules_by_role.values()):
            return None  # a role grants the action without restriction
        compiler = RuleCompiler(self.catalog, self.tables, self.principal, self.env, self.dialect)
        ordered = sorted((r for rules in rules_by_role.values() for r in rules), key=lambda r: r.id)
        return sa.or_(*(compiler.condition(rule, entity, table) for rule in ordered))

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
    def _field_rules(self, entity_key: str, roles: frozenset[str]) -> dict[str, list[FieldRule]]:
        found: dict[str, list[FieldRule]] = {}
        for rule in self.snapshot.field_rules:
            if rule.entity == entity_key and rule.role in roles:
                found.setdefault(rule.field, []).append(rule)
        return found

    def _fields(self, entity_key: str, actions: tuple[str, ...], allowed: Any) -> frozenset[str] | None:
        if self.principal.is_superuser:
            return None
        roles = frozenset().union(*(self.roles_granting(entity_key, a) for a in actions))
        if not roles:
            return frozenset()
        rules = self._field_rules(entity_key, roles)
        entity = self.catalog.entity(entity_key)
        if not rules or entity is None:
            return None
        names = set()
        for field in entity.fields:
            by_role = {r.role: r for r in rules.get(field.key, [])}
            if any(role not in by_role or allowed(by_role[role]) for role in roles):
                names.add(field.name)
        return None if len(names) == len(entity.fields) else frozenset(names)

    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        return self._fields(entity_key, ("read",), lambda rule: rule.read)

    def writable_fields(self, entity_key: str) -> frozenset[str] | None:
        return self._fields(entity_key, WRITE_ACTIONS, lambda rule: rule.read and rule.write)


def bind_policy(ctx: Context, principal: Principal, cache: SecurityCache | None = None) -> RolePolicy:
    """Make `principal` the user of a unit of work: builds their RolePolicy and sets ctx.access / ctx.user_id."""
    snapshot = cache.snapshot(ctx.conn) if cache is not None else load_snapshot(ctx.conn)
    policy = RolePolicy(principal, snapshot, ctx.catalog, ctx.tables, now=ctx.now(), dialect=ctx.dialect)
    ctx.access = policy
    ctx.user_id = principal.user_id
    return policy
