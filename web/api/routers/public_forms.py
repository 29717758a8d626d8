"""Public forms for people without an account: open one by its token, submit it. No session, no CSRF
(nothing of a user's is at stake: the form writes as its own account); rate-limited and spam-guarded."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi import Path as PathParam
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from jimu.engines.forms.public_forms import form_view, submit
from jimu.web.api.deps import Services
from jimu.web.api.request_info import request_id, request_locale
from jimu.web.api.serialize import json_response

router = APIRouter(prefix="/public/forms", tags=["public forms"])
Token = Annotated[str, PathParam(min_length=1, max_length=64)]
NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


class Submission(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[str, Any] = Field(description="the form's fields by name")
    ticket: str = Field(max_length=200, description="the `ticket` the form was opened with")
    website: str = Field(default="", max_length=2000, description="the honeypot: people leave it empty")


@router.get("/{token}")
async def open_form(request: Request, api: Services, token: Token) -> Response:
    """The form's texts and fields, and a signed opening ticket to send back with the submission."""
    def work() -> dict[str, Any]:
        with api.kernel.unit_of_work(locale=request_locale(request), request_id=request_id(request)) as ctx:
            return form_view(ctx, token)
    return json_response(await run_in_threadpool(work), headers=NO_STORE)


@router.post("/{token}", status_code=201)
async def submit_form(request: Request, api: Services, token: Token, body: Annotated[Submission, Body()]) -> Response:
    """Create the record; 422 with field-level errors, or when the spam guard refuses; 429 over the limits."""
    answer = await run_in_threadpool(submit, api.kernel, token, body.model_dump(),
                                     ip=request.client.host if request.client else None,
                                     locale=request_locale(request), request_id=request_id(request))
    return json_response(answer, status_code=201, headers=NO_STORE)
