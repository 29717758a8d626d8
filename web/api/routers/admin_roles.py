"""Administration of roles (superusers only): CRUD, entity permissions, record rules, field permissions.

A record rule is `{"expression": ...}`, `{"field": <user field>, "is": current_user|my_department_members|
my_subordinates}` or both; a bad one is a 422 naming the part at fault (`rule/expression`, `rule/field`...).
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.platform.security.admin import access, views
from jimu.web.api.admin_scope import ADMIN_PREFIX, DEFAULT_PAGE, Cursor, Limit, admin_scope
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX, tags=["admin: roles"])
RoleKey = Annotated[str, PathParam(max_length=48)]
EntityKey = Annotated[str, PathParam(max_length=48)]
FieldName = Annotated[str, PathParam(max_length=100)]
RuleId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Label = dict[str, str] | str | None
Action = Annotated[str, Field(max_length=20)]


class NewRole(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=48)
    label: Label = None


class RoleChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label


class Actions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actions: list[Action] = Field(max_length=10, description="read, create, update, delete, import, export, design")


class NewRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entity: str = Field(max_length=48)
    actions: list[Action] = Field(min_length=1, max_length=10)
    rule: dict[str, Any]


class FieldAccess(BaseModel):
    model_config = ConfigDict(extra="forbid")

    read: bool
    write: bool


def _role(ctx: Context, key: str, status_code: int = 200) -> Response:
    return json_response(views.role_view(ctx.conn, ctx.catalog, key), status_code)


@router.get("/roles")
@in_unit_of_work
def list_roles(ctx: Context, principal: Principal, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None) -> Response:
    """A page of roles by key, each with its permissions, record rules and field permissions."""
    admin_scope(ctx, principal)
    return json_response(views.list_roles(ctx.conn, ctx.catalog, cursor=cursor, limit=limit).as_dict())


@router.post("/roles", status_code=201)
@in_unit_of_work
def create_role(ctx: Context, principal: Principal, body: Annotated[NewRole, Body()]) -> Response:
    access.create_role(admin_scope(ctx, principal), body.key, body.label)
    return _role(ctx, body.key, 201)


@router.get("/roles/{role}")
@in_unit_of_work
def read_role(ctx: Context, principal: Principal, role: RoleKey) -> Response:
    admin_scope(ctx, principal)
    return _role(ctx, role)


@router.patch("/roles/{role}")
@in_unit_of_work
def change_role(ctx: Context, principal: Principal, role: RoleKey, body: Annotated[RoleChanges, Body()]) -> Response:
    access.update_role(admin_scope(ctx, principal), role, body.label)
    return _role(ctx, role)


@router.delete("/roles/{role}", status_code=204)
@in_unit_of_work
def delete_role(ctx: Context, principal: Principal, role: RoleKey) -> Response:
    """Delete a role with its grants and rules; its users lose it."""
    access.delete_role(admin_scope(ctx, principal), role)
    return Response(status_code=204)


@router.put("/roles/{role}/permissions/{entity}")
@in_unit_of_work
def set_permission(ctx: Context, principal: Principal, role: RoleKey, entity: EntityKey,
                   body: Annotated[Actions, Body()]) -> Response:
    """Exactly these actions on an entity (`*`: every entity); an empty list removes the grant."""
    access.set_permission(admin_scope(ctx, principal), role, entity, body.actions)
    return _role(ctx, role)


@router.delete("/roles/{role}/permissions/{entity}")
@in_unit_of_work
def remove_permission(ctx: Context, principal: Principal, role: RoleKey, entity: EntityKey) -> Response:
    access.set_permission(admin_scope(ctx, principal), role, entity, [])
    return _role(ctx, role)


@router.post("/roles/{role}/rules", status_code=201)
@in_unit_of_work
def add_rule(ctx: Context, principal: Principal, role: RoleKey, body: Annotated[NewRule, Body()]) -> Response:
    """Limit the rows the role reaches on an entity for some actions; returns the rule with its id."""
    rule_id = access.add_record_rule(admin_scope(ctx, principal), role, body.entity, body.actions, body.rule)
    created = next(r for r in views.role_view(ctx.conn, ctx.catalog, role)["record_rules"] if r["id"] == rule_id)
    return json_response(created, 201)


@router.delete("/rules/{rule_id}", status_code=204)
@in_unit_of_work
def remove_rule(ctx: Context, principal: Principal, rule_id: RuleId) -> Response:
    access.remove_record_rule(admin_scope(ctx, principal), rule_id)
    return Response(status_code=204)


@router.put("/roles/{role}/fields/{entity}/{field}")
@in_unit_of_work
def set_field_permission(ctx: Context, principal: Principal, role: RoleKey, entity: EntityKey, field: FieldName,
                         body: Annotated[FieldAccess, Body()]) -> Response:
    """The role's access to one field (denied read is denied write too)."""
    access.set_field_permission(admin_scope(ctx, principal), role, entity, field, read=body.read, write=body.write)
    return _role(ctx, role)


@router.delete("/roles/{role}/fields/{entity}/{field}")
@in_unit_of_work
def clear_field_permission(ctx: Context, principal: Principal, role: RoleKey, entity: EntityKey,
                           field: FieldName) -> Response:
    """Back to the default for the field: readable and writable."""
    access.clear_field_permission(admin_scope(ctx, principal), role, entity, field)
    return _role(ctx, role)
