"""JSON Schemas of an entity's records for the OpenAPI document, built from its definition.

Each installed entity gets three component schemas:

* `<entity>`: the read shape, every field with its JSON type (decimals as strings, dates with
  their formats, selects as enums, links as ids, child tables as arrays of the child's schema),
  computed and system fields `readOnly`;
* `<entity>_write`: the fields a create accepts (no computed, read-only or system field), the
  required ones listed;
* `<entity>_update`: the same fields with none required (a partial update).

Each field type gives the schema of its values (`FieldType.json_schema`); a type it does not know is
described as any JSON value.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jimu.platform.fields.api_schemas import DATE_TIME, INT64
from jimu.platform.fields.api_schemas import Schema as Schema  # re-exported: the API modules name it from here
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef

WRITE_SUFFIX, UPDATE_SUFFIX = "_write", "_update"
_INT64, _DATE_TIME = INT64, DATE_TIME


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


def _entity_ref(entity: str, write: bool) -> Schema:
    return ref(entity + WRITE_SUFFIX if write else entity)


def value_schema(field: FieldDef, catalog: Catalog, *, write: bool) -> Schema:
    """The schema of one field's value, with its label and help as title and description."""
    field_type = FIELD_TYPES.get(field.type)
    schema = field_type.json_schema(field, catalog, write=write, ref=_entity_ref) if field_type else {}
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
