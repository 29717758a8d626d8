"""Who approves a level: one registry entry per kind of approver source.

    {"role": "finance"}          every active user holding the role
    {"field": "reviewer"}        the user in a user field of the record
    {"manager": "submitter"}     the manager of the submitter's department, walking up the department tree
                                 while a department has no manager (or the person is its own manager);
    {"manager": "owner"}         the same for the user in a user field of the record (or `_created_by`)
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.fields.base import Problem
from jimu.platform.meta import users
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef
from jimu.platform.security.departments import managers_of
from jimu.platform.security.tables import user_roles

from ..model import USER_COLUMNS
from ..people import user_named

SUBMITTER = "submitter"  # in `manager`: who started the approval


class ApproverSource:
    name: ClassVar[str]  # the property naming the source kind

    def check(self, spec: Mapping[str, Any], catalog: Catalog, entity: EntityDef) -> list[Problem]:
        """Problems of the source's definition (at paths relative to it)."""
        return []

    def resolve(self, ctx: Context, spec: Mapping[str, Any], record: Mapping[str, Any],
                submitter: int | None) -> list[int]:
        """The users it names for this record (possibly none)."""
        raise NotImplementedError


def _user_field_problems(catalog: Catalog, entity: EntityDef, name: str, at: str) -> list[Problem]:
    """A user field of the entity (or `_created_by`/`_updated_by`) is needed."""
    if name in USER_COLUMNS:
        return []
    field = entity.field(name)
    if field is None:
        return [Problem("definition.unknown_field", {"field": name, "entity": entity.key}, at=at)]
    if not catalog.field_type(field).names_user:
        return [Problem("approval.not_user_field", {"field": name}, at=at)]
    return []


class RoleSource(ApproverSource):
    name = "role"

    def resolve(self, ctx: Context, spec: Mapping[str, Any], record: Mapping[str, Any],
                submitter: int | None) -> list[int]:
        rows = ctx.conn.execute(sa.select(user_roles.c.user_id).where(user_roles.c.role_key == spec["role"])
                                .order_by(user_roles.c.user_id)).scalars()
        return [int(r) for r in rows]


class FieldSource(ApproverSource):
    name = "field"

    def check(self, spec: Mapping[str, Any], catalog: Catalog, entity: EntityDef) -> list[Problem]:
        return _user_field_problems(catalog, entity, str(spec["field"]), "field")

    def resolve(self, ctx: Context, spec: Mapping[str, Any], record: Mapping[str, Any],
                submitter: int | None) -> list[int]:
        user = user_named(ctx, record, str(spec["field"]))
        return [user] if user is not None else []


class ManagerSource(ApproverSource):
    name = "manager"

    def check(self, spec: Mapping[str, Any], catalog: Catalog, entity: EntityDef) -> list[Problem]:
        whose = str(spec["manager"])
        return [] if whose == SUBMITTER else _user_field_problems(catalog, entity, whose, "manager")

    def resolve(self, ctx: Context, spec: Mapping[str, Any], record: Mapping[str, Any],
                submitter: int | None) -> list[int]:
        whose = str(spec["manager"])
        person = submitter if whose == SUBMITTER else user_named(ctx, record, whose)
        return managers_of(ctx.conn, person) if person is not None else []


APPROVER_SOURCES: dict[str, ApproverSource] = {s.name: s for s in (RoleSource(), FieldSource(), ManagerSource())}


def source_of(spec: Mapping[str, Any]) -> ApproverSource:
    """The source an approver spec names (the schema admits exactly one known property)."""
    return next(APPROVER_SOURCES[name] for name in spec if name in APPROVER_SOURCES)


def resolve_all(ctx: Context, specs: tuple[Mapping[str, Any], ...] | list[Mapping[str, Any]],
                record: Mapping[str, Any], submitter: int | None) -> list[int]:
    """The active users the specs name, each once, in the order named."""
    named: list[int] = []
    for spec in specs:
        named += [u for u in source_of(spec).resolve(ctx, spec, record, submitter) if u not in named]
    if not named:
        return []
    active = set(ctx.conn.execute(sa.select(users.c.id).where(users.c.id.in_(named), users.c.is_active)).scalars())
    return [u for u in named if u in active]
