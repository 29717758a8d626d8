"""JSON encoding of records and other values: each field through its FieldType's `to_json`.

Decimals become strings (exact), dates ISO `YYYY-MM-DD`, datetimes ISO in UTC.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from jimu.platform.fields.base import FieldType
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef


def plain(value: Any) -> Any:
    """A Python value as JSON data (for values without a field: system columns, audit changes)."""
    if value is None or isinstance(value, (bool, int, str, float)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return str(value)


def record_json(catalog: Catalog, entity: EntityDef, record: Mapping[str, Any]) -> dict[str, Any]:
    """A record (and its lines) as JSON: field values by their type, system columns as plain values."""
    cached = catalog.caches["record_encoders"].get_or_build(entity.key, lambda: (entity, _converters(catalog, entity)))
    get = (cached[1] if cached[0] is entity else _converters(catalog, entity)).get
    return {key: (get(key) or plain)(value) for key, value in record.items()}


def _converters(catalog: Catalog, entity: EntityDef) -> dict[str, Callable[[Any], Any]]:
    """How each field of an entity becomes JSON, resolved once per catalog (other keys: `plain`)."""
    return {f.name: _converter(catalog, f) for f in entity.fields if f.type in FIELD_TYPES}


def _converter(catalog: Catalog, field: FieldDef) -> Callable[[Any], Any]:
    field_type = FIELD_TYPES[field.type]
    if field_type.owns_rows:
        child = catalog.require_related(field)
        return lambda value: [record_json(catalog, child, line) for line in value or []]
    if type(field_type).to_json is FieldType.to_json:  # the value is its own JSON form
        return plain
    to_json = field_type.to_json
    return lambda value: None if value is None else plain(to_json(field, value))


def etag(version: Any) -> str:
    return f'"{version}"'


def utf8_json(text: str) -> bytes:
    """JSON text as UTF-8; a lone surrogate (echoed from a refused input) is written as its JSON escape
    `\\udxxx` instead of failing the response."""
    return text.encode("utf-8", "backslashreplace")


def json_response(content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    body = utf8_json(json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=plain))
    return Response(body, status_code=status_code, media_type="application/json", headers=dict(headers or {}))
