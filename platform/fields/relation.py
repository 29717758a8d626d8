"""Relation field types: link (many-to-one), child table (owned lines), user, attachment."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions.limits import INTEGER_MAX, integer_in_range
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.api_schemas import INT64, EntityRef, Schema
from jimu.platform.fields.base import FieldType, Problem, ValueConversionError
from jimu.platform.registry.model import EntityDef, FieldDef, table_name_for
from jimu.platform.storage.sqltypes import IdType, JsonType

if TYPE_CHECKING:
    from jimu.platform.registry.catalog import Catalog


def coerce_id(value: Any) -> int | None:
    """A record id from an int, its ASCII digits or `{"id": ...}`; an id outside 64 bits is no id."""
    if value is None or value == "":
        return None
    if isinstance(value, dict) and "id" in value:
        value = value["id"]
    if isinstance(value, bool):
        raise ValueConversionError("value.not_id")
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip()) if len(value.strip()) <= 20 else INTEGER_MAX + 1
    if isinstance(value, int) and integer_in_range(value):
        return value
    raise ValueConversionError("value.not_id")


class LinkType(FieldType):
    """A many-to-one reference, stored as an indexed foreign key to the target's id."""

    name = "link"
    label = {"en": "Link", "zh-CN": "关联"}
    properties: ClassVar[dict[str, Any]] = {
        "entity": {"type": "string"},
        "filter": {"type": "string"},
        "on_delete": {"enum": ["restrict", "set_null", "cascade"]},
    }
    required_properties = ("entity",)
    follows_link = True
    cursor_kind = "int"

    def target_entity(self, field: FieldDef) -> str | None:
        return field.target or None

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        target = catalog.entity(field.get("entity"))
        if target is None:
            return [Problem("definition.unknown_entity", {"entity": field.get("entity")})]
        if field.get("filter"):
            return catalog.check_expression(target.key, field.get("filter"), ExprType.BOOLEAN)
        return []

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.INTEGER

    def definition_expressions(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, str]]:
        expressions = super().definition_expressions(field, catalog)
        if field.get("filter") and catalog.entity(field.get("entity")) is not None:
            expressions.append((str(field.get("entity")), str(field.get("filter"))))
        return expressions

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return dict(INT64)

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return IdType

    def foreign_key(self, field: FieldDef, catalog: Catalog) -> str | None:
        return f"{table_name_for(field.get('entity'))}.id"

    def coerce(self, field: FieldDef, value: Any) -> Any:
        return coerce_id(value)


class ChildTableType(FieldType):
    """Owned, ordered line rows kept in the child entity's table (parent key + position)."""

    name = "child_table"
    label = {"en": "Child table", "zh-CN": "子表"}
    properties: ClassVar[dict[str, Any]] = {
        "entity": {"type": "string"},
        "min_rows": {"type": "integer", "minimum": 0},
        "max_rows": {"type": "integer", "minimum": 1},
    }
    required_properties = ("entity",)
    indexable = False
    owns_rows = True

    def target_entity(self, field: FieldDef) -> str | None:
        return field.target or None

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        target = catalog.entity(field.get("entity"))
        if target is None:
            return [Problem("definition.unknown_entity", {"entity": field.get("entity")})]
        if not target.is_child:
            return [Problem("definition.child_table_needs_child_entity", {"entity": target.key})]
        owners = catalog.child_owners(target.key)
        if len(owners) > 1:
            return [Problem("definition.child_entity_shared", {"entity": target.key})]
        return []

    def stored(self, field: FieldDef) -> bool:
        return False

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return {"type": "array", "items": ref(field.target, write)}

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
            raise ValueConversionError("value.not_rows")
        return value

    def is_blank(self, value: Any) -> bool:
        return not value


class UserType(FieldType):
    """A platform user, stored as a foreign key to the user table."""

    name = "user"
    label = {"en": "User", "zh-CN": "用户"}
    cursor_kind = "int"
    names_user = True

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.INTEGER

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return dict(INT64)

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return IdType

    def foreign_key(self, field: FieldDef, catalog: Catalog) -> str | None:
        return "jimu_user.id"

    def coerce(self, field: FieldDef, value: Any) -> Any:
        return coerce_id(value)


_FILE = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "integer", "minimum": 1},  # a file uploaded to the file store (jimu_file)
        "name": {"type": "string", "minLength": 1, "maxLength": 255},
        "key": {"type": "string"},
        "url": {"type": "string"},
        "size": {"type": "integer", "minimum": 0},
        "content_type": {"type": "string"},
    },
}


class AttachmentType(FieldType):
    """Files attached to a record; the column keeps their metadata (name, storage key, size, type)."""

    name = "attachment"
    label = {"en": "Attachment", "zh-CN": "附件"}
    properties: ClassVar[dict[str, Any]] = {
        "multiple": {"type": "boolean"},
        "max_size": {"type": "integer", "minimum": 1},
        "accept": {"type": "array", "items": {"type": "string"}},
    }
    indexable = False
    sortable = False
    json_valued = True
    holds_files = True
    filter_ops = frozenset({"is_null", "is_not_null"})

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        file = {"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 255}, "key": {"type": "string"},
            "url": {"type": "string"}, "size": {"type": "integer", "minimum": 0}, "content_type": {"type": "string"}}}
        return {"type": "array", "items": file}

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return JsonType

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == [] or value == "":
            return None
        files = [value] if isinstance(value, dict) else value
        if isinstance(files, str):  # names alone (a CSV cell) reference no stored file
            raise ValueConversionError("value.attachment_needs_upload")
        if not isinstance(files, list):
            raise ValueConversionError("value.not_files")
        checked = []
        for item in files:
            file_id = item.get("id") if isinstance(item, dict) else None
            if type(file_id) is not int or not 1 <= file_id < 2**63:
                raise ValueConversionError("value.not_files")
            checked.append({"id": file_id})
        return checked  # name, size and type are the stored file's (never the client's), set by the write

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        problems = []
        if not field.get("multiple", False) and len(value) > 1:
            problems.append(Problem("value.single_file_only", {}))
        limit = field.get("max_size")
        if limit is not None and any((f.get("size") or 0) > limit for f in value):
            problems.append(Problem("value.file_too_large", {"max_size": limit}))
        accept = field.get("accept")
        names = [f["name"] for f in value if "name" in f]  # items are checked again with the stored names
        if accept and any(not name.lower().endswith(tuple(a.lower() for a in accept)) for name in names):
            problems.append(Problem("value.file_type_not_accepted", {"accept": ", ".join(accept)}))
        return problems

    def to_text(self, field: FieldDef, value: Any) -> str:
        return "" if not value else ", ".join(str(f.get("name") or f"#{f.get('id')}") for f in value)


TYPES: tuple[type[FieldType], ...] = (LinkType, ChildTableType, UserType, AttachmentType)
