"""Everything that links to a record: per link field elsewhere pointing at it, the newest records and a count.

    panels = related(ctx, "customer", 7)   # [RelatedPanel(entity=sales_order, field=customer, records, count)]

Only entities and link fields the caller may read, and within them only the records the caller may read
(the list service applies record rules). Links from child lines (an order line's product) are not listed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jimu.platform.context import Context
from jimu.platform.errors import JimuError
from jimu.platform.registry.model import EntityDef, FieldDef

from .common import header_entity
from .lifecycle import get
from .listing import count_records, list_records
from .query import parse_list_params
from .reading import Record

MAX_LIMIT = 50


@dataclass
class RelatedPanel:
    """Records of `entity` whose link `field` points at the record: the newest `records`, `count` in all."""

    entity: EntityDef
    field: FieldDef
    records: list[Record]
    count: int
    count_exact: bool
    has_more: bool


def _readable(ctx: Context, entity: EntityDef, field: FieldDef) -> bool:
    try:
        ctx.access.require(entity.key, "read")
    except JimuError:
        return False
    fields = ctx.access.readable_fields(entity.key)
    return fields is None or field.name in fields


def related(ctx: Context, entity_key: str, record_id: int, *, limit: int = 5) -> list[RelatedPanel]:
    """The panels of a record's page (the record must be readable: else NotFound / Forbidden)."""
    header_entity(ctx, entity_key)
    get(ctx, entity_key, record_id)
    limit = min(max(limit, 1), MAX_LIMIT)
    panels: list[RelatedPanel] = []
    for back in ctx.catalog.back_links(entity_key):
        source, field = back.entity, back.field
        if source.is_child or not _readable(ctx, source, field):
            continue
        params: dict[str, Any] = {"filter": json.dumps({"field": field.name, "op": "eq", "value": record_id}),
                                  "limit": str(limit), "sort": "-id"}
        query = parse_list_params(params)
        page = list_records(ctx, source.key, query)
        total = count_records(ctx, source.key, query)
        panels.append(RelatedPanel(source, field, list(page.rows), total.value, total.exact, page.has_more))
    return panels
