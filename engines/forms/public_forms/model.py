"""A public form's definition, read from its app's `public_forms` section."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef, FieldDef

DEFAULT_MIN_SECONDS = 3
DEFAULT_LIMITS = {"per_ip": 5, "per_form": 500, "window_minutes": 60}


@dataclass(frozen=True)
class FormField:
    """One field asked on the form: the entity's field, with the form's own label, help and required flag."""

    name: str
    label: Any  # a label: text, or {"en", "zh-CN"}
    help: Any
    required: bool | None

    @staticmethod
    def build(raw: str | dict[str, Any]) -> FormField:
        if isinstance(raw, str):
            return FormField(raw, None, None, None)
        return FormField(raw["field"], raw.get("label"), raw.get("help"), raw.get("required"))


@dataclass(frozen=True)
class PublicFormDef:
    app: str
    key: str
    entity: str
    fields: tuple[FormField, ...]
    raw: dict[str, Any]

    @staticmethod
    def build(app: str, raw: dict[str, Any]) -> PublicFormDef:
        return PublicFormDef(app, raw["key"], raw["entity"], tuple(FormField.build(f) for f in raw["fields"]), raw)

    @property
    def min_seconds(self) -> int:
        return int(self.raw.get("min_seconds", DEFAULT_MIN_SECONDS))

    def limit(self, name: str) -> int:
        return int({**DEFAULT_LIMITS, **self.raw.get("limits", {})}[name])

    @property
    def fixed_values(self) -> dict[str, Any]:
        return dict(self.raw.get("values") or {})


def public_fillable(catalog: Catalog, field: FieldDef) -> bool:
    """Whether someone without an account can fill the field in: a plain value, not computed, numbered or read
    only, and naming no record or user (they could not search for one) and no file."""
    kind = catalog.field_type(field)
    return not (field.read_only or kind.computed or kind.derived or kind.numbered or kind.follows_link
                or kind.owns_rows or kind.names_user or kind.holds_files)


def forms_of(catalog: Catalog) -> list[PublicFormDef]:
    """Every public form of every installed app, in app order."""
    return [PublicFormDef.build(app.key, raw) for app in catalog.apps.values()
            for raw in app.raw.get("public_forms", [])]


def find_form(catalog: Catalog, app: str, key: str) -> PublicFormDef | None:
    return next((f for f in forms_of(catalog) if f.app == app and f.key == key), None)


def form_entity(catalog: Catalog, form: PublicFormDef) -> EntityDef:
    return catalog.require_entity(form.entity)
