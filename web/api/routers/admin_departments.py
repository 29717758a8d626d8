"""Administration of departments (superusers only) and the security audit trail."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.platform.context import Context
from jimu.platform.security import Principal
from jimu.platform.security.admin import departments, views
from jimu.web.api.admin_scope import ADMIN_PREFIX, DEFAULT_PAGE, Cursor, Limit, admin_scope
from jimu.web.api.deps import in_unit_of_work
from jimu.web.api.serialize import json_response

router = APIRouter(prefix=ADMIN_PREFIX, tags=["admin: departments"])
DepartmentId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
OptionalId = Annotated[int | None, Field(ge=1, le=2**63 - 1)]


class NewDepartment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    parent_id: OptionalId = None
    manager_id: OptionalId = Field(default=None, description="the user who manages it (and what is below it)")


class DepartmentChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: OptionalId = None
    manager_id: OptionalId = None


def _department(ctx: Context, department_id: int, status_code: int = 200) -> Response:
    return json_response(views.department_view(ctx.conn, department_id), status_code)


@router.get("/departments")
@in_unit_of_work
def list_departments(ctx: Context, principal: Principal, limit: Limit = DEFAULT_PAGE,
                     cursor: Cursor = None) -> Response:
    """A page of departments by id, each with its parent, manager and members."""
    admin_scope(ctx, principal)
    return json_response(views.list_departments(ctx.conn, cursor=cursor, limit=limit).as_dict())


@router.post("/departments", status_code=201)
@in_unit_of_work
def create_department(ctx: Context, principal: Principal, body: Annotated[NewDepartment, Body()]) -> Response:
    department_id = departments.create_department(admin_scope(ctx, principal), body.name, parent_id=body.parent_id,
                                                  manager_id=body.manager_id)
    return _department(ctx, department_id, 201)


@router.get("/departments/{department_id}")
@in_unit_of_work
def read_department(ctx: Context, principal: Principal, department_id: DepartmentId) -> Response:
    admin_scope(ctx, principal)
    return _department(ctx, department_id)


@router.patch("/departments/{department_id}")
@in_unit_of_work
def change_department(ctx: Context, principal: Principal, department_id: DepartmentId,
                      body: Annotated[DepartmentChanges, Body()]) -> Response:
    """Rename, move (`parent_id`, null: a root) or change the manager (null: none); only the keys sent."""
    sent: dict[str, Any] = body.model_dump(exclude_unset=True)
    departments.update_department(admin_scope(ctx, principal), department_id, **sent)
    return _department(ctx, department_id)


@router.delete("/departments/{department_id}", status_code=204)
@in_unit_of_work
def delete_department(ctx: Context, principal: Principal, department_id: DepartmentId) -> Response:
    departments.delete_department(admin_scope(ctx, principal), department_id)
    return Response(status_code=204)


@router.get("/audit")
@in_unit_of_work
def audit(ctx: Context, principal: Principal, limit: Limit = DEFAULT_PAGE, cursor: Cursor = None,
          target_kind: Annotated[str | None, Query(max_length=20)] = None,
          target: Annotated[str | None, Query(max_length=200)] = None) -> Response:
    """The security audit trail, newest first (who changed which user, role, department or rule)."""
    admin_scope(ctx, principal)
    page = views.list_audit(ctx.conn, cursor=cursor, limit=limit, target_kind=target_kind, target=target)
    return json_response(page.as_dict())
