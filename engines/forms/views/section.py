"""The `views` section of an app definition (shared saved views): JSON Schema, then every view against its
entity, each problem at its JSON path (a `DefinitionSection`, installed by jimu.engines.forms.install)."""
from __future__ import annotations

import jsonschema

from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef

from .model import check_view, views_schema

SECTION_KEYS = ("views",)


class ViewsSection:
    """Shared list views: a key unique per entity, an entity of the catalog, names that entity has."""

    keys = SECTION_KEYS

    def check(self, app: AppDef, catalog: Catalog, problems: Problems[DefinitionError]) -> None:
        part = {key: app.raw[key] for key in SECTION_KEYS if key in app.raw}
        errors = sorted(jsonschema.Draft202012Validator(views_schema()).iter_errors(part),
                        key=lambda e: list(e.absolute_path))
        for found in errors:
            problems.add("/" + "/".join(str(p) for p in found.absolute_path), "definition.schema", error=found.message)
        if errors:
            return
        seen: set[tuple[str, str]] = set()
        for n, raw in enumerate(part.get("views", [])):
            path = f"/views/{n}"
            if (raw["entity"], raw["key"]) in seen:
                problems.add(f"{path}/key", "views.duplicate_key", key=raw["key"], entity=raw["entity"])
            seen.add((raw["entity"], raw["key"]))
            entity = catalog.entity(raw["entity"])
            if entity is None or entity.is_child:
                problems.add(f"{path}/entity", "views.unknown_entity", entity=raw["entity"])
                continue
            for at, code, params in check_view(entity, raw):
                problems.add(f"{path}/{at}", code, **params)
