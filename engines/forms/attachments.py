"""Attachment values on write: every item names a stored file this write may reference.

A new or changed attachment value is checked against `jimu_file`: each file must have been uploaded
for this entity's field and be this record's already, or its writer's upload not attached yet
(`platform.files.attachable`). The items are then the stored metadata (name, size, sniffed type —
never the client's claims), checked again against the field's `max_size` and `accept`, and the new
uploads are attached to the record once it is written.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.platform.context import Context
from jimu.platform.files import attachable, bind_files, load_files
from jimu.platform.registry.model import EntityDef

from .problems import Problems


def check_attachments(ctx: Context, entity: EntityDef, values: dict[str, Any], problems: Problems, *,
                      record_id: int | None = None, current: Mapping[str, Any] | None = None) -> list[int]:
    """Replace the items of new or changed attachment values by their files' metadata (in `values`);
    the ids of the files to attach once the record is written."""
    fields = [f for f in entity.fields if ctx.catalog.field_type(f).holds_files and values.get(f.name)]
    fields = [f for f in fields if current is None or values[f.name] != current.get(f.name)]
    if not fields:
        return []
    stored = load_files(ctx.conn, (item["id"] for f in fields for item in values[f.name]))
    to_bind: list[int] = []
    for field in fields:
        items, refused = [], False
        for index, item in enumerate(values[field.name]):
            found = stored.get(item["id"])
            if found is None or not attachable(found, field, record_id, ctx.user_id):
                problems.add(f"{field.name}/{index}", "files.unknown_file", id=item["id"])
                refused = True
                continue
            items.append(found.as_value())
            if found.record_id is None:
                to_bind.append(found.id)
        values[field.name] = items
        if not refused:
            problems.extend(field.name, ctx.catalog.field_type(field).check_value(field, items))
    return to_bind


def attach(ctx: Context, file_ids: list[int], record_id: int) -> None:
    bind_files(ctx.conn, file_ids, record_id)
