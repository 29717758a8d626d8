"""What a set of roles may do, at one security revision and one catalog: worked out once, shared by requests.

Everything here depends only on (catalog, rules snapshot, roles) — never on the principal's id, departments
or the clock — so `SecurityCache.grants` keeps one `RoleGrants` per set of roles while neither the catalog
nor the security revision moves, and each request's `RolePolicy` reads it instead of scanning the snapshot.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jimu.platform.registry.catalog import Catalog
from jimu.platform.security.rules import RecordRule
from jimu.platform.security.snapshot import ACTIONS, WILDCARD, FieldRule, RulesSnapshot

WRITE_ACTIONS = ("create", "update")
RowRules = tuple[RecordRule, ...] | None
"""The record rules limiting a root entity's rows for an action: None unrestricted, () no row at all."""


class RoleGrants:
    """Grants, record rules and field rules of some roles, memoised per entity and action (immutable results)."""

    def __init__(self, snapshot: RulesSnapshot, roles: frozenset[str], catalog: Catalog) -> None:
        self.snapshot = snapshot.for_roles(roles)
        self.roles = roles
        self.catalog = catalog
        self._memo: dict[tuple[str, str, str], Any] = {}

    def _memoised(self, key: tuple[str, str, str], build: Callable[[], Any]) -> Any:
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = build()  # idempotent: a race only builds the same value twice
            return value

    def root(self, entity_key: str) -> str:
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
        """The roles that allow `action` on an entity (directly or through `*`)."""
        def build() -> frozenset[str]:
            root = self.root(entity_key)
            return frozenset(g.role for g in self.snapshot.grants
                             if g.entity in (root, WILDCARD) and action in g.actions)
        granting: frozenset[str] = self._memoised(("granting", entity_key, action), build)
        return granting

    def can(self, entity_key: str, action: str) -> bool:
        return action in ACTIONS and bool(self.roles_granting(entity_key, action))

    def row_rules(self, entity_key: str, action: str) -> RowRules:
        """For a root entity: None when a granting role has no rule, else the granting roles' rules by id."""
        def build() -> RowRules:
            granting = self.roles_granting(entity_key, action)
            if not granting or self.catalog.entity(entity_key) is None:
                return ()
            by_role: dict[str, list[RecordRule]] = {role: [] for role in granting}
            for rule in self.snapshot.record_rules:
                if rule.role in granting and rule.entity == entity_key and action in rule.actions:
                    by_role[rule.role].append(rule)
            if any(not rules for rules in by_role.values()):
                return None  # a role grants the action without restriction
            return tuple(sorted((r for rules in by_role.values() for r in rules), key=lambda r: r.id))
        rules: RowRules = self._memoised(("rows", entity_key, action), build)
        return rules

    def readable_fields(self, entity_key: str) -> frozenset[str] | None:
        fields: frozenset[str] | None = self._memoised(
            ("fields", entity_key, "read"), lambda: self._fields(entity_key, ("read",), lambda rule: rule.read))
        return fields

    def writable_fields(self, entity_key: str) -> frozenset[str] | None:
        fields: frozenset[str] | None = self._memoised(
            ("fields", entity_key, "write"),
            lambda: self._fields(entity_key, WRITE_ACTIONS, lambda rule: rule.read and rule.write))
        return fields

    def _fields(self, entity_key: str, actions: tuple[str, ...],
                allowed: Callable[[FieldRule], bool]) -> frozenset[str] | None:
        roles = frozenset().union(*(self.roles_granting(entity_key, a) for a in actions))
        if not roles:
            return frozenset()
        rules: dict[str, list[FieldRule]] = {}
        for rule in self.snapshot.field_rules:
            if rule.entity == entity_key and rule.role in roles:
                rules.setdefault(rule.field, []).append(rule)
        entity = self.catalog.entity(entity_key)
        if not rules or entity is None:
            return None
        names = set()
        for field in entity.fields:
            by_role = {r.role: r for r in rules.get(field.key, [])}
            if any(role not in by_role or allowed(by_role[role]) for role in roles):
                names.add(field.name)
        return None if len(names) == len(entity.fields) else frozenset(names)
