"""What the expression editor asks the server: type-check an expression in an entity's scope (errors with
line and column in both languages), the fields it may name (link paths too), and the function catalogue.

The checks are the catalog's own (`Catalog.compile`): the editor never re-implements the language.
"""
from __future__ import annotations

from typing import Any

from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.functions import AGGREGATES, FUNCTIONS
from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError, ErrorDetail, ValidationError
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import SUPPORTED_LOCALES, Message, translate
from jimu.platform.i18n.expressions import expression_message, expression_position
from jimu.platform.registry.catalog import Catalog, FormulaCycleError
from jimu.platform.registry.model import AppDef, EntityDef
from jimu.platform.registry.sections import Sections
from jimu.platform.registry.validation import validate_app

LINK_DEPTH = 2  # link hops offered for completion (`customer.region.name`)
EXPECTED_TYPES = tuple(t.value for t in ExprType if t not in (ExprType.NULL, ExprType.COLLECTION))


def _words(message: Message) -> dict[str, str]:
    return {locale: translate(message.code, locale, **message.params) for locale in SUPPORTED_LOCALES}


def expected_type(value: str | None, locale: str) -> ExprType | None:
    """The type an expression must have, from its name (None: any); a 422 naming `expected` otherwise."""
    if value in (None, ""):
        return None
    if value not in EXPECTED_TYPES:
        code = "expression_help.unknown_type"
        params = {"type": str(value), "types": ", ".join(EXPECTED_TYPES)}
        message = translate(code, locale, **params)
        raise ValidationError(message, details=[ErrorDetail("expected", code, params, message)], code=code)
    return ExprType(value)


def check_in_entity(catalog: Catalog, entity_key: str, source: str, expected: ExprType | None) -> dict[str, Any]:
    """`{"ok", "type", "references", "uses_now", "errors": [{"line", "column", "code", "words"}]}`."""
    catalog.require_entity(entity_key)
    try:
        checked = catalog.compile(entity_key, source, expected)
    except FormulaCycleError as cycle:
        code = "definition.formula_cycle"
        return {"ok": False, "type": None, "references": [], "uses_now": False,
                "errors": [{"line": 1, "column": 1, "code": code, "words": _words(Message(code, cycle=str(cycle)))}]}
    except ExpressionError as error:
        line, column = expression_position(error)
        return {"ok": False, "type": None, "references": [], "uses_now": False,
                "errors": [{"line": line, "column": column, "code": error.code,
                            "words": _words(expression_message(error))}]}
    return {"ok": True, "type": checked.type.value, "references": sorted(".".join(p) for p in checked.references),
            "uses_now": checked.uses_now, "errors": []}


def completion_fields(catalog: Catalog, entity_key: str, *, depth: int = LINK_DEPTH) -> list[dict[str, Any]]:
    """The names an expression of the entity may use: its fields, the fields of linked records (`customer.name`,
    up to `depth` hops) and of its lines (`lines.amount`, inside an aggregate only)."""
    entity = catalog.require_entity(entity_key)
    out: list[dict[str, Any]] = [{"path": "id", "field_type": None, "type": ExprType.INTEGER.value,
                                  "label": {"en": "Record id", "zh-CN": "记录编号"}, "aggregate_only": False}]
    _walk(catalog, entity, "", depth, False, out, {entity.key})
    return out


def _walk(catalog: Catalog, entity: EntityDef, prefix: str, depth: int, in_lines: bool, out: list[dict[str, Any]],
          seen: set[str]) -> None:
    scope = catalog.scope(entity.key)
    for field in entity.fields:
        found = scope.lookup(field.name)
        if found is None:
            continue
        field_type = FIELD_TYPES[field.type]
        path = f"{prefix}{field.name}"
        kind = found.type.value if found.type != ExprType.COLLECTION else "collection"
        out.append({"path": path, "field_type": field.type, "type": kind, "label": field.label,
                    "aggregate_only": in_lines or field_type.owns_rows})
        target = catalog.related(field)
        if target is None or target.key in seen or depth <= 0:
            continue
        if field_type.follows_link:
            _walk(catalog, target, f"{path}.", depth - 1, in_lines, out, seen | {target.key})
        elif field_type.owns_rows and not in_lines:
            _walk(catalog, target, f"{path}.", depth - 1, True, out, seen | {target.key})


def function_catalogue() -> list[dict[str, Any]]:
    """Every function and aggregate of the language with its help text in each language."""
    out = []
    for function in FUNCTIONS:
        code = f"expression_help.function.{function.name.lower()}"
        out.append({"name": function.name, "kind": "function", "min_args": function.min_args,
                    "max_args": function.max_args, "volatile": function.volatile,
                    "help": {locale: translate(code, locale) for locale in SUPPORTED_LOCALES}})
    for aggregate in AGGREGATES:
        code = f"expression_help.aggregate.{aggregate.name.lower()}"
        out.append({"name": aggregate.name, "kind": "aggregate", "min_args": 1, "max_args": 2, "volatile": False,
                    "help": {locale: translate(code, locale) for locale in SUPPORTED_LOCALES}})
    return out


def catalog_of_draft(definition: Any, installed: list[AppDef], fallback: Catalog, *, sections: Sections | None = None,
                     locale: str = "en") -> tuple[Catalog, bool]:
    """The catalog the draft would give (and True), so expressions see fields not published yet; the
    installed catalog (and False) while the draft does not validate."""
    try:
        return validate_app(definition, installed, locale=locale, sections=sections)[1], True
    except DefinitionError:
        return fallback, False
