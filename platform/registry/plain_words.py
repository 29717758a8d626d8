"""The schema diff in plain words for the designer: one sentence per change, in zh-CN and en.

Changes come in their stored JSON form (`Change.as_dict()`, as kept in every definition version), so a
published version's diff reads the same as a preview's. Entities and fields are named by their labels in
the reader's language (from the definition that names them), field types by their labels.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import SUPPORTED_LOCALES, translate

# What a change does to data, for the preview's grouping and its confirmation step.
CATEGORIES: dict[str, str] = {
    "create_entity": "added", "add_field": "added", "restore_field": "added",
    "rename_field": "renamed",
    "change_type": "converted", "change_options": "converted", "change_link_target": "converted",
    "archive_entity": "archived", "archive_field": "archived",
    "fill_default": "default", "computed_changed": "recomputed",
}
# Changes that archive data or rewrite existing values: publishing them needs a confirmation.
NEEDS_CONFIRMATION = frozenset({"archive_entity", "archive_field", "change_type", "change_options",
                                "change_link_target"})


def _text(label: Any, locale: str, fallback: str) -> str:
    if isinstance(label, str) and label:
        return label
    if isinstance(label, Mapping):
        found = label.get(locale) or label.get("en") or next((v for v in label.values() if v), None)
        if isinstance(found, str):
            return found
    return fallback


class Labels:
    """Labels of entities and fields, looked up in one or more raw app definitions (newest first)."""

    def __init__(self, definitions: Iterable[Mapping[str, Any] | None]) -> None:
        self._entities: dict[str, Any] = {}
        self._fields: dict[tuple[str, str], Any] = {}
        for definition in definitions:
            entities = definition.get("entities") if isinstance(definition, Mapping) else None
            for entity in entities if isinstance(entities, list) else ():
                if not isinstance(entity, Mapping) or not isinstance(entity.get("key"), str):
                    continue
                self._entities.setdefault(entity["key"], entity.get("label"))
                fields = entity.get("fields")
                for field in fields if isinstance(fields, list) else ():
                    if isinstance(field, Mapping) and isinstance(field.get("name"), str):
                        key = str(field["key"]) if isinstance(field.get("key"), str) else str(field["name"])
                        self._fields.setdefault((entity["key"], key), field.get("label"))

    def entity(self, key: str, locale: str) -> str:
        return _text(self._entities.get(key), locale, key)

    def field(self, entity: str, key: str | None, name: str | None, locale: str) -> str:
        return _text(self._fields.get((entity, key or name or "")), locale, name or key or "")


def _type(name: Any, locale: str) -> str:
    found = FIELD_TYPES.get(str(name)) if name else None
    return _text(found.label, locale, str(name)) if found else str(name)


def describe(change: Mapping[str, Any], labels: Labels, locale: str) -> str:
    """One change in plain words in `locale`."""
    kind = str(change.get("kind"))
    details: dict[str, Any] = dict(change.get("details") or {})
    entity = str(change.get("entity") or "")
    params: dict[str, Any] = {**details, "entity": labels.entity(entity, locale) if entity else "",
                              "field": labels.field(entity, change.get("field_key"), change.get("field_name"), locale)}
    for key in ("type", "old_type"):
        if key in details:
            params[key] = _type(details[key], locale)
    for key in ("target", "old_target"):
        if key in details:
            params[key] = labels.entity(str(details[key]), locale)
    if "old_name" in details:
        params["old_name"] = details["old_name"]
    if "rows" in details:
        params["rows"] = f"{int(details['rows']):,}"
    if "value" in details:
        params["value"] = "—" if details["value"] is None else str(details["value"])
    if "columns" in details:
        params["columns"] = [labels.field(entity, c, c, locale) for c in details["columns"]]
    code = f"designer.change.{kind}"
    if kind == "metadata" and change.get("field_key"):
        code = "designer.change.field_metadata"
    return translate(code, locale, **params)


def plain_change(change: Mapping[str, Any], labels: Labels) -> dict[str, Any]:
    """A change with its category, whether it needs a confirmation, and its words in every language."""
    kind = str(change.get("kind"))
    return {**change, "category": CATEGORIES.get(kind, "other"), "needs_confirmation": kind in NEEDS_CONFIRMATION,
            "words": {locale: describe(change, labels, locale) for locale in SUPPORTED_LOCALES}}


def plain_changes(changes: Iterable[Mapping[str, Any]], labels: Labels) -> list[dict[str, Any]]:
    return [plain_change(change, labels) for change in changes]
