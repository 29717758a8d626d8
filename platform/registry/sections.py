"""Definition sections owned by an engine: top-level parts of an app definition beside its entities.

The platform validates, versions and applies the entities; an engine (the workflow engine's
`processes`, `action_lists` and `automations`, the report engine's `reports` and `dashboards`, the forms
engine's shared list `views` and `public_forms`) registers a section to check its own part of the same
definition, in the same apply, with the same JSON paths. A definition holding a section no engine
registered is refused, so nothing is ever stored unchecked.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import jsonschema

if TYPE_CHECKING:
    from jimu.platform.errors import DefinitionError
    from jimu.platform.problems import Problems
    from jimu.platform.registry.catalog import Catalog
    from jimu.platform.registry.model import AppDef

# The top-level properties of an app definition that belong to an engine (app.schema.json lists them).
ENGINE_SECTIONS = ("processes", "action_lists", "automations", "reports", "dashboards", "views", "public_forms")


class DefinitionSection(Protocol):
    """An engine's check of its part of an app definition."""

    @property
    def keys(self) -> tuple[str, ...]:
        """The top-level properties it owns (from ENGINE_SECTIONS)."""
        ...

    def check(self, app: AppDef, catalog: Catalog, problems: Problems[DefinitionError]) -> None:
        """Add a problem, at its JSON path, for everything wrong in the app's sections (the entities are
        already checked and `catalog` holds the app being applied)."""
        ...


Sections = Mapping[str, DefinitionSection]  # section key -> the engine's check


def schema_checked_part(app: AppDef, keys: tuple[str, ...], schema: Mapping[str, Any],
                        problems: Problems[DefinitionError]) -> dict[str, Any] | None:
    """The app's sections `keys` as one object; None when it breaks the engine's JSON `schema`, after adding
    a `definition.schema` problem at the JSON path of every place that does (in path order)."""
    part = {key: app.raw[key] for key in keys if key in app.raw}
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(part), key=lambda e: list(e.absolute_path))
    for found in errors:
        problems.add("/" + "/".join(str(p) for p in found.absolute_path), "definition.schema", error=found.message)
    return None if errors else part
