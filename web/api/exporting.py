"""Streaming an export: checked in the request's unit of work, read in one of its own while the body streams.

The request's transaction ends before the response is sent, so the rows are read by a generator that
opens its own unit of work (same caller, same policy) and keeps it open until the last chunk.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from jimu.engines.forms.export import export_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.context import Context
from jimu.platform.security import Principal, bind_policy
from jimu.web.api.deps import ApiServices

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
Format = Literal["csv", "xlsx"]
Headers = Literal["names", "labels"]


def check_export(ctx: Context, entity_key: str, query: ListQuery, fmt: Format, headers: Headers) -> None:
    """Raise now (before any byte is sent) when the export is not allowed or the query is wrong."""
    export_records(ctx, entity_key, query, fmt, headers=headers)  # checks eagerly; the rows are read lazily


def stream_export(api: ApiServices, principal: Principal, entity_key: str, query: ListQuery, fmt: Format,
                  headers: Headers, *, locale: str, request_id: str) -> Iterator[bytes]:
    with api.kernel.unit_of_work(locale=locale, request_id=request_id, read_mostly=True) as ctx:
        bind_policy(ctx, principal, api.security)
        yield from export_records(ctx, entity_key, query, fmt, headers=headers)
