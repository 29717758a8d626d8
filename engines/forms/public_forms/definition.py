"""Checking the `public_forms` of an app definition: its JSON Schema, then each form against the entities
(an unknown or line entity, an unknown field, a field nobody without an account can fill in, a duplicate key,
a fixed value naming an unknown field), each problem at its JSON path."""
from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef
from jimu.platform.registry.sections import schema_checked_part

from .model import PublicFormDef, public_fillable

SECTION_KEYS = ("public_forms",)
_SCHEMA_PATH = Path(__file__).with_name("public_forms.schema.json")


@cache
def public_forms_schema() -> dict[str, Any]:
    with open(_SCHEMA_PATH, encoding="utf-8") as fh:
        schema: dict[str, Any] = json.load(fh)
    return schema


class PublicFormsSection:
    """The forms engine's `public_forms` definition section (a `DefinitionSection`)."""

    keys = SECTION_KEYS

    def check(self, app: AppDef, catalog: Catalog, problems: Problems[DefinitionError]) -> None:
        part = schema_checked_part(app, SECTION_KEYS, public_forms_schema(), problems)
        if part is None:
            return
        keys: set[str] = set()
        for n, raw in enumerate(part.get("public_forms", [])):
            path = f"/public_forms/{n}"
            if raw["key"] in keys:
                problems.add(f"{path}/key", "public_forms.duplicate_key", key=raw["key"])
            keys.add(raw["key"])
            _check_form(PublicFormDef.build(app.key, raw), catalog, path, problems)


def _check_form(form: PublicFormDef, catalog: Catalog, path: str, problems: Problems[DefinitionError]) -> None:
    entity = catalog.entity(form.entity)
    if entity is None or entity.is_child:
        problems.add(f"{path}/entity", "public_forms.unknown_entity", entity=form.entity)
        return
    seen: set[str] = set()
    for n, asked in enumerate(form.fields):
        field = entity.field(asked.name)
        if field is None:
            problems.add(f"{path}/fields/{n}", "public_forms.unknown_field", field=asked.name, entity=entity.key)
        elif not public_fillable(catalog, field):
            problems.add(f"{path}/fields/{n}", "public_forms.field_not_fillable", field=asked.name)
        elif asked.name in seen:
            problems.add(f"{path}/fields/{n}", "public_forms.duplicate_field", field=asked.name)
        seen.add(asked.name)
    for name in form.fixed_values:
        if entity.field(name) is None:
            problems.add(f"{path}/values/{name}", "public_forms.unknown_field", field=name, entity=entity.key)
