"""The `views` section of an app definition (shared saved views): JSON Schema, then every view against its
entity, each problem at its JSON path (a `DefinitionSection`, installed by jimu.engines.forms.install)."""
from __future__ import annotations

from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import AppDef
from jimu.platform.registry.sections import schema_checked_part

from .model import check_view, views_schema

SECTION_KEYS = ("views",)


class ViewsSection:
    """Shared list views: a key unique per entity, an entity of the catalog, names that entity has."""

    keys = SECTION_KEYS

    def check(self, app: AppDef, catalog: Catalog, problems: Problems[DefinitionError]) -> None:
        part = schema_checked_part(app, SECTION_KEYS, views_schema(), problems)
        if part is None:
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
