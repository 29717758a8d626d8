"""`/openapi.json` that names every installed entity's real fields, rebuilt when a definition is applied.

FastAPI's own document is built once (routes do not change at run time). On each call the
installed definitions are read through the kernel's cache, which checks the database stamp; when
the stamp moved — a definition was applied here, by another worker or another machine — the
entity part is built again: concrete paths (`/api/v1/records/customer`, `.../customer/{id}`...)
replace the generic `{entity}` ones, and each entity gets its component schemas (see
`openapi_schemas`). Errors are documented as problem+json everywhere.
"""
from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from jimu.engines.forms.query import DELETED_MODES, MAX_LIMIT
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.kernel import Kernel
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef
from jimu.web.api.exporting import MEDIA_TYPES
from jimu.web.api.openapi_schemas import (
    EVERYTHING,
    UPDATE_SUFFIX,
    WRITE_SUFFIX,
    Schema,
    Visibility,
    entity_schemas,
    ref,
)

RECORDS_PREFIX = "/api/v1/records/"
ENTITY_PARAM = "{entity}"
PROBLEM = "problem"
PROBLEM_MEDIA_TYPE = "application/problem+json"
PAGE_SUFFIX = "_page"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

PROBLEM_SCHEMA: Schema = {
    "type": "object", "title": "Problem (RFC 9457)", "required": ["status", "code"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "code": {"type": "string"}, "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "path": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"},
            "field": {"type": "string"}, "in": {"type": "string"}}}},
    },
}
PROBLEM_RESPONSE: Schema = {"description": "Problem", "content": {PROBLEM_MEDIA_TYPE: {"schema": ref(PROBLEM)}}}


class OpenApiDocument:
    """`app.openapi`: the base document built once, the entity part rebuilt when the definitions stamp moves."""

    def __init__(self, app: FastAPI, kernel_of: Callable[[], Kernel]) -> None:
        self._app = app
        self._kernel_of = kernel_of
        self._base: Schema | None = None
        self._built: tuple[int, Schema] | None = None
        self._lock = threading.Lock()

    def base(self) -> Schema:
        if self._base is None:
            app = self._app
            document = get_openapi(title=app.title, version=app.version, openapi_version=app.openapi_version,
                                   summary=app.summary, description=app.description, routes=app.routes,
                                   tags=app.openapi_tags, servers=app.servers)
            self._base = with_problems(document)
        return self._base

    def __call__(self) -> Schema:
        kernel = self._kernel_of()
        with kernel.engine.connect() as conn:
            definitions = kernel.definitions(conn)
        built = self._built
        if built is not None and built[0] == definitions.stamp:
            return built[1]
        with self._lock:
            document = with_entities(self.base(), definitions.catalog)
            self._built = (definitions.stamp, document)
        return document


ROOT_OPENAPI_URL = "/openapi.json"


def install_openapi(app: FastAPI, kernel_of: Callable[[], Kernel] | None = None) -> None:
    """`app.openapi()`: the whole entity-aware document (the kernel from `app.state.jimu`). What callers
    get over HTTP is their own view of it (`openapi_caller`)."""
    app.openapi = OpenApiDocument(app, kernel_of or (lambda: app.state.jimu.kernel))  # type: ignore[method-assign]


# ---- the document ----------------------------------------------------------------------------------
def with_problems(document: Schema) -> Schema:
    """Errors as problem+json: FastAPI's 422 validation shape replaced, a `default` problem added."""
    document = copy.deepcopy(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas[PROBLEM] = PROBLEM_SCHEMA
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            if "422" in responses:
                responses["422"] = copy.deepcopy(PROBLEM_RESPONSE)
            responses.setdefault("default", copy.deepcopy(PROBLEM_RESPONSE))
    return document


def with_entities(base: Schema, catalog: Catalog, visibility: Visibility = EVERYTHING) -> Schema:
    """The base document with one set of record paths and schemas per installed entity the caller may see."""
    entities = sorted((e for e in catalog.entities.values() if not e.is_child and visibility.entity(e)),
                      key=lambda e: e.key)
    document = copy.deepcopy(base)
    if not entities:
        return document
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    paths: Schema = {}
    for path, item in document.get("paths", {}).items():
        if not (path.startswith(RECORDS_PREFIX) and ENTITY_PARAM in path):
            paths[path] = item
            continue
        for entity in entities:
            paths[path.replace(ENTITY_PARAM, entity.key)] = entity_path(item, entity, path[len(RECORDS_PREFIX):],
                                                                        schemas, visibility)
    document["paths"] = paths
    for name, schema in entity_schemas(catalog, visibility).items():
        schemas.setdefault(name, schema)
    return document


def entity_path(generic: Schema, entity: EntityDef, tail: str, schemas: Schema,
                visibility: Visibility = EVERYTHING) -> Schema:
    """One concrete path item: `tail` is the generic path after the records prefix (`{entity}/{id}`)."""
    item = copy.deepcopy(generic)
    shape = tail.split("/")[1:]  # [] for the collection, ["{id}"] for one record, else a sub-resource
    if _only_entity(item.get("parameters")):
        del item["parameters"]
    for method in [m for m in item if m in HTTP_METHODS]:
        operation = item[method]
        operation["parameters"] = [_positive_id(p) for p in operation.get("parameters", [])
                                   if not (p.get("in") == "path" and p.get("name") == "entity")]
        if not operation["parameters"]:
            del operation["parameters"]
        if "operationId" in operation:
            operation["operationId"] = f"{operation['operationId']}__{entity.key}"
        operation["tags"] = [f"records: {entity.key}"]
        _typed_bodies(operation, method, shape, entity, schemas, visibility)
    return item


def _positive_id(parameter: Schema) -> Schema:
    """Record ids in paths are positive integers."""
    schema = parameter.get("schema", {})
    if parameter.get("in") == "path" and schema.get("type") == "integer":
        parameter["schema"] = {**schema, "minimum": 1}
    return parameter


def _only_entity(parameters: Any) -> bool:
    return isinstance(parameters, list) and all(p.get("name") == "entity" for p in parameters)


def _typed_bodies(operation: Schema, method: str, shape: list[str], entity: EntityDef, schemas: Schema,
                  visibility: Visibility) -> None:
    """Request and response bodies of the collection and single-record operations as the entity's schemas."""
    key = entity.key
    if shape == [] and method == "post":
        _request(operation, key + WRITE_SUFFIX)
        _response(operation, ref(key))
    elif shape == [] and method == "get":
        _response(operation, ref(_page_schema(key, operation, schemas)))
        operation["parameters"] = [*operation.get("parameters", []), *list_parameters(entity, visibility)]
    elif len(shape) == 1 and shape[0].startswith("{"):
        if method in ("put", "patch"):
            _request(operation, key + (WRITE_SUFFIX if method == "put" else UPDATE_SUFFIX))
        if method in ("get", "put", "patch"):
            _response(operation, ref(key))
    elif len(shape) == 2 and shape[1] == "restore" and method == "post":
        _response(operation, ref(key))
    elif shape == ["export"] and method == "get":
        response = _success(operation)
        if response is not None:
            response["content"] = {media: {"schema": {"type": "string", "format": "binary"}}
                                   for media in MEDIA_TYPES.values()}


def list_parameters(entity: EntityDef, visibility: Visibility = EVERYTHING) -> list[Schema]:
    """The listing's query parameters (read by the generic route from the query string)."""
    def param(name: str, schema: Schema, description: str) -> Schema:
        return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}

    names = [f.name for f in visibility.fields(entity, write=False) if not FIELD_TYPES[f.type].owns_rows]
    return [
        param("q", {"type": "string"}, "search the searchable text fields"),
        param("filter", {"type": "string"}, "structured filter, JSON"),
        param("where", {"type": "string"}, "filter expression"),
        param("sort", {"type": "string"}, "fields to sort by, `-` for descending: " + ", ".join(names)),
        param("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, "page size"),
        param("cursor", {"type": "string"}, "next_cursor of the previous page"),
        param("fields", {"type": "string"}, "comma-separated fields to return"),
        param("deleted", {"type": "string", "enum": sorted(DELETED_MODES)}, "soft-deleted records"),
        param("include_lines", {"type": "boolean"}, "child-table lines with each record"),
    ]


def _request(operation: Schema, schema_name: str) -> None:
    body = operation.setdefault("requestBody", {})
    body["required"] = True
    body["content"] = {"application/json": {"schema": ref(schema_name)}}


def _success(operation: Schema) -> Schema | None:
    responses = operation.get("responses", {})
    code = next((c for c in sorted(responses) if c.startswith("2") and c != "204"), None)
    return responses[code] if code is not None else None


def _response(operation: Schema, schema: Schema) -> None:
    response = _success(operation)
    if response is not None:
        response["content"] = {"application/json": {"schema": schema}}


def _page_schema(key: str, operation: Schema, schemas: Schema) -> str:
    """`<entity>_page`: the generic page shape of the listing with its items as the entity's records."""
    name = key + PAGE_SUFFIX
    response = _success(operation) or {}
    generic = response.get("content", {}).get("application/json", {}).get("schema", {})
    page = copy.deepcopy(_resolve(generic, schemas))
    props = page.get("properties", {})
    items_key = next((k for k, v in props.items() if isinstance(v, dict) and v.get("type") == "array"), None)
    if items_key is None:
        page = {"type": "object", "properties": {"data": {}}}
        items_key = "data"
    page["properties"][items_key] = {"type": "array", "items": ref(key)}
    page["title"] = f"{key} page"
    schemas[name] = page
    return name


def _resolve(schema: Schema, schemas: Schema) -> Schema:
    target = schema.get("$ref", "")
    if target.startswith("#/components/schemas/"):
        return dict(schemas.get(target.rsplit("/", 1)[1], {}))
    return schema
