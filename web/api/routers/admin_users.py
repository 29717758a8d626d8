"""Administration of users (superusers only): list, create, change, deactivate, reset the password,
assign roles and departments. Every change is audited and ends cached principals (security stamp)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.platform.security.admin import users, views
from jimu.web.api.admin_scope import ADMIN_PREFIX, DEFAULT_PAGE, Cursor, Limit, admin_scope
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX + "/users", tags=["admin: users"])
UserId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
Locale = Annotated[str | None, Field(max_length=10)]


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=150)
    password: str | None = Field(default=None, max_length=1024, description="none: the user cannot log in yet")
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    locale: Locale = None
    is_superuser: bool = False
    roles: list[Annotated[str, Field(max_length=48)]] = Field(default_factory=list, max_length=100)
    departments: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(default_factory=list, max_length=100)


class UserChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str | None = Field(default=None, min_length=1, max_length=150)
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    locale: Locale = None
    is_superuser: bool | None = None


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=1024)


class RoleKeys(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[Annotated[str, Field(max_length=48)]] = Field(max_length=100)


class DepartmentIds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    departments: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(max_length=100)


def _user(ctx: Context, user_id: int, status_code: int = 200) -> Response:
    return json_response(views.user_view(ctx.conn, user_id), status_code)


@router.get("")
@in_unit_of_work
def list_users(ctx: Context, principal: Principal, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
               q: Annotated[str | None, Query(max_length=150)] = None, active: bool | None = None) -> Response:
    """A page of users by id; `q` searches username, display name and email."""
    admin_scope(ctx, principal)
    return json_response(views.list_users(ctx.conn, cursor=cursor, limit=limit, q=q, active=active).as_dict())


@router.post("", status_code=201)
@in_unit_of_work
def create_user(ctx: Context, principal: Principal, body: Annotated[NewUser, Body()]) -> Response:
    scope = admin_scope(ctx, principal)
    user_id = users.create(scope, body.username, password=body.password, display_name=body.display_name,
                           email=body.email, locale=body.locale, is_superuser=body.is_superuser, roles=body.roles,
                           departments=body.departments)
    return _user(ctx, user_id, 201)


@router.get("/{user_id}")
@in_unit_of_work
def read_user(ctx: Context, principal: Principal, user_id: UserId) -> Response:
    admin_scope(ctx, principal)
    return _user(ctx, user_id)


@router.patch("/{user_id}")
@in_unit_of_work
def change_user(ctx: Context, principal: Principal, user_id: UserId, body: Annotated[UserChanges, Body()]) -> Response:
    """Change the username, display name, email, locale or superuser flag (only the keys sent)."""
    users.update(admin_scope(ctx, principal), user_id, body.model_dump(exclude_unset=True))
    return _user(ctx, user_id)


@router.post("/{user_id}/deactivate")
@in_unit_of_work
def deactivate_user(ctx: Context, principal: Principal, user_id: UserId) -> Response:
    """No more login; the user's sessions and API tokens end at once."""
    users.deactivate(admin_scope(ctx, principal), user_id)
    return _user(ctx, user_id)


@router.post("/{user_id}/reactivate")
@in_unit_of_work
def reactivate_user(ctx: Context, principal: Principal, user_id: UserId) -> Response:
    users.reactivate(admin_scope(ctx, principal), user_id)
    return _user(ctx, user_id)


@router.post("/{user_id}/password", status_code=204)
@in_unit_of_work
def reset_password(ctx: Context, principal: Principal, user_id: UserId,
                   body: Annotated[NewPassword, Body()]) -> Response:
    """Set a new password (policy checked); every session of the user ends."""
    users.reset_password(admin_scope(ctx, principal), user_id, body.password)
    return Response(status_code=204)


@router.put("/{user_id}/roles")
@in_unit_of_work
def set_roles(ctx: Context, principal: Principal, user_id: UserId, body: Annotated[RoleKeys, Body()]) -> Response:
    """Replace the user's roles."""
    users.assign_roles(admin_scope(ctx, principal), user_id, body.roles)
    return _user(ctx, user_id)


@router.put("/{user_id}/departments")
@in_unit_of_work
def set_departments(ctx: Context, principal: Principal, user_id: UserId,
                    body: Annotated[DepartmentIds, Body()]) -> Response:
    """Replace the departments the user belongs to."""
    users.assign_departments(admin_scope(ctx, principal), user_id, body.departments)
    return _user(ctx, user_id)
