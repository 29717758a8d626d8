"""JSON Schemas of an entity's records for the OpenAPI document, built from its definition.

Each installed entity gets three component schemas:

* `<entity>`: the read shape, every field with its JSON type (decimals as strings, dates with
  their formats, selects as enums, links as ids, child tables as arrays of the child's schema),
  computed and system fields `readOnly`;
* `<entity>_write`: the fields a create accepts (no computed, read-only or system field), the
  required ones listed;
* `<entity>_update`: the same fields with none required (a partial update).

One entry per field type in `VALUE_SCHEMAS`; a type missing there is described as any JSON value.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.patterns import portable
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef

Schema = dict[str, Any]
DECIMAL_READ_PATTERN = r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$"
COMPUTED_TYPES = frozenset({"formula", "rollup", "lookup"})
WRITE_SUFFIX, UPDATE_SUFFIX = "_write", "_update"
_INT64 = {"type": "integer", "format": "int64"}
_DATE_TIME = {"type": "string", "format": "date-time"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """`schema` or null (OpenAPI 3.1: a type list, or anyOf for a reference)."""
    if "$ref" in schema or "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    out = dict(schema, type=[*kinds, "null"])
    if "enum" in out:
        out["enum"] = [*out["enum"], None]
    return out


# ---- one value schema per field type (`write`: the shape accepted on input) -------------------------
def _text(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    schema: Schema = {"type": "string"}
    if write:
        limit = field.get("max_length") or getattr(FIELD_TYPES[field.type], "default_max_length", None)
        if limit:
            schema["maxLength"] = int(limit)
        if field.get("pattern") and portable(field.get("pattern")):  # else clients would misread it
            schema["pattern"] = f"^(?:{field.get('pattern')})$"
    fmt = {"email": "email", "url": "uri"}.get(field.type)
    if fmt:
        schema["format"] = fmt
    return schema


def _decimal(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    if not write:
        return {"type": "string", "format": "decimal", "pattern": DECIMAL_READ_PATTERN}
    precision, scale = FIELD_TYPES[field.type].precision_scale(field)  # type: ignore[attr-defined]
    whole = max(precision - scale, 1)
    fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
    return {"type": "string", "format": "decimal", "pattern": rf"^-?[0-9]{{1,{whole}}}{fraction}$"}


def _options(field: FieldDef) -> list[str]:
    return [str(option["value"]) for option in field.get("options") or []]


def _select(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    return {"type": "string", "enum": _options(field)}


def _multi_select(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    return {"type": "array", "items": {"type": "string", "enum": _options(field)}, "uniqueItems": True}


def _child_table(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    child = field.target
    return {"type": "array", "items": ref(child + WRITE_SUFFIX if write else child)}


def _attachment(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    file = {"type": "object", "required": ["name"], "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 255}, "key": {"type": "string"},
        "url": {"type": "string"}, "size": {"type": "integer", "minimum": 0}, "content_type": {"type": "string"}}}
    return {"type": "array", "items": file}


_BY_EXPR_TYPE: dict[ExprType, Schema] = {
    ExprType.TEXT: {"type": "string"},
    ExprType.INTEGER: _INT64,
    ExprType.DECIMAL: {"type": "string", "format": "decimal", "pattern": DECIMAL_READ_PATTERN},
    ExprType.BOOLEAN: {"type": "boolean"},
    ExprType.DATE: {"type": "string", "format": "date"},
    ExprType.DATETIME: _DATE_TIME,
    ExprType.LIST: {"type": "array", "items": {"type": "string"}},
}


def _computed(field: FieldDef, catalog: Catalog, write: bool) -> Schema:
    """A formula, rollup or lookup: the schema of its result type (a lookup: of the field it shows)."""
    if field.type == "lookup":
        entity = catalog.entity(field.entity)
        link = entity.field(field.get("link", "")) if entity else None
        target = catalog.entity(link.get("entity")) if link is not None else None
        shown = target.field(field.get("field", "")) if target else None
        if shown is not None and shown.type in VALUE_SCHEMAS and shown.type not in COMPUTED_TYPES:
            return dict(VALUE_SCHEMAS[shown.type](shown, catalog, False))
    kind = catalog.computed_type(field)
    return dict(_BY_EXPR_TYPE.get(kind, {})) if kind is not None else {}


def _fixed(schema: Schema) -> Callable[[FieldDef, Catalog, bool], Schema]:
    return lambda field, catalog, write: dict(schema)


VALUE_SCHEMAS: dict[str, Callable[[FieldDef, Catalog, bool], Schema]] = {
    "text": _text, "long_text": _text, "email": _text, "phone": _text, "url": _text,
    "integer": _fixed(_INT64),
    "decimal": _decimal, "money": _decimal, "percent": _decimal,
    "boolean": _fixed({"type": "boolean"}),
    "date": _fixed({"type": "string", "format": "date"}),
    "datetime": _fixed(_DATE_TIME),
    "select": _select, "multi_select": _multi_select,
    "link": _fixed(_INT64), "user": _fixed(_INT64),
    "child_table": _child_table, "attachment": _attachment,
    "formula": _computed, "rollup": _computed, "lookup": _computed,
    "auto_number": _fixed({"type": "string"}),
}


def value_schema(field: FieldDef, catalog: Catalog, *, write: bool) -> Schema:
    """The schema of one field's value, with its label and help as title and description."""
    builder = VALUE_SCHEMAS.get(field.type)
    schema = builder(field, catalog, write) if builder else {}
    label = field.get("label") or {}
    schema["title"] = str(label.get("en") or next(iter(label.values()), field.name)) if label else field.name
    if read_only(field):
        schema["readOnly"] = True
    return schema


def read_only(field: FieldDef) -> bool:
    """Whether users never write the field (computed, auto-numbered, read-only or of an unknown type)."""
    field_type = FIELD_TYPES.get(field.type)
    return field_type is None or field_type.computed or field.read_only


# ---- whole records --------------------------------------------------------------------------------
def system_properties(entity: EntityDef) -> Schema:
    props: Schema = {
        "id": {**_INT64, "readOnly": True}, "_version": {"type": "integer", "readOnly": True},
        "_created_at": {**_DATE_TIME, "readOnly": True}, "_created_by": nullable({**_INT64, "readOnly": True}),
        "_updated_at": nullable({**_DATE_TIME, "readOnly": True}),
        "_updated_by": nullable({**_INT64, "readOnly": True}),
        "_deleted_at": nullable({**_DATE_TIME, "readOnly": True}),
    }
    if entity.is_child:
        props["_parent_id"] = {**_INT64, "readOnly": True}
        props["_position"] = {"type": "integer", "readOnly": True}
    return props


@dataclass(frozen=True)
class Visibility:
    """What a caller may see of the installed entities: which entities, and which of their fields
    it reads and writes (None: every field). `EVERYTHING` is the view of a superuser or the system."""

    entity: Callable[[EntityDef], bool]
    readable: Callable[[str], frozenset[str] | None]
    writable: Callable[[str], frozenset[str] | None]

    def fields(self, entity: EntityDef, *, write: bool) -> list[FieldDef]:
        readable = self.readable(entity.key)
        allowed = self.writable(entity.key) if write else None
        return [f for f in entity.fields if (readable is None or f.name in readable)
                and (allowed is None or f.name in allowed)]


EVERYTHING = Visibility(entity=lambda entity: True, readable=lambda key: None, writable=lambda key: None)


def read_schema(entity: EntityDef, catalog: Catalog, visibility: Visibility = EVERYTHING) -> Schema:
    """The record as the API returns it: system keys, then every field (any may be null but lines)."""
    props = system_properties(entity)
    for field in visibility.fields(entity, write=False):
        schema = value_schema(field, catalog, write=False)
        props[field.name] = schema if catalog.field_type(field).owns_rows else nullable(schema)
    label = entity.label
    return {"type": "object", "title": str(label.get("en") or entity.key), "properties": props,
            "required": ["id"]}


def write_schema(entity: EntityDef, catalog: Catalog, *, partial: bool = False,
                 visibility: Visibility = EVERYTHING) -> Schema:
    """The fields a create (or, `partial`, an update) accepts."""
    props: Schema = {}
    required: list[str] = []
    for field in visibility.fields(entity, write=True):
        if read_only(field):
            continue
        value = value_schema(field, catalog, write=True)
        must = field.required and field.get("default") is None and not field.get("default_expression")
        props[field.name] = value if catalog.field_type(field).owns_rows or must else nullable(value)
        if must:
            required.append(field.name)
    if entity.is_child:
        props["id"] = {**_INT64, "description": "an existing line's id (keeps the line on update)"}
    elif partial:
        props["_version"] = {"type": "integer", "description": "the version read (optimistic lock; or If-Match)"}
    schema: Schema = {"type": "object", "properties": props, "additionalProperties": False}
    if required and not partial:
        schema["required"] = required
    return schema


def entity_schemas(catalog: Catalog, visibility: Visibility = EVERYTHING) -> dict[str, Schema]:
    """Every component schema of the installed entities the caller may see, by name."""
    schemas: dict[str, Schema] = {}
    for entity in catalog.entities.values():
        if not visibility.entity(entity):
            continue
        schemas[entity.key] = read_schema(entity, catalog, visibility)
        schemas[entity.key + WRITE_SUFFIX] = write_schema(entity, catalog, visibility=visibility)
        if not entity.is_child:
            schemas[entity.key + UPDATE_SUFFIX] = write_schema(entity, catalog, partial=True, visibility=visibility)
    return schemas
