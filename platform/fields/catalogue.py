"""The field types as the designer's palette shows them: name, labels, the properties each takes (from its
JSON Schema) and the capabilities a properties panel asks (options, a link target, computed...)."""
from __future__ import annotations

from typing import Any

from jimu.platform.fields.registry import FIELD_TYPES

_CAPABILITIES = ("indexable", "computed", "derived", "follows_link", "owns_rows", "numbered", "has_options",
                 "multi_valued", "holds_files", "names_user")


def field_type_catalogue() -> list[dict[str, Any]]:
    """Every field type in registry order."""
    return [{"name": t.name, "label": t.label, "properties": sorted(t.properties),
             "required_properties": list(t.required_properties),
             **{name: bool(getattr(t, name)) for name in _CAPABILITIES}} for t in FIELD_TYPES]
