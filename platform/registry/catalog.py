"""The catalog: every installed entity, resolved, with expression scopes and compiled expressions.

A catalog is immutable once built; applying a definition builds a new one. It is the one place
that answers "what is field X of entity Y" for storage, the forms engine and the web layer.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jimu.engines.expressions import compile_expression
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.scope import ScopeField
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.base import FieldType, Problem
from jimu.platform.fields.computed import RESULT_EXPR_TYPES
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n.expressions import expression_problem_params
from jimu.platform.registry.model import AppDef, EntityDef, FieldDef

PARENT = "parent"  # in a child entity's expressions, `parent.x` reads the owning record's field x


class FormulaCycleError(Exception):
    """Raised while resolving computed types when fields depend on each other in a loop."""

    def __init__(self, chain: list[str]) -> None:
        super().__init__(" -> ".join(chain))
        self.chain = chain


@dataclass(frozen=True)
class BackLink:
    """Records of `entity` whose link field `field` points at another entity."""

    entity: EntityDef
    field: FieldDef


class EntityScope:
    """The expression type scope of one entity (a `TypeScope`)."""

    def __init__(self, catalog: Catalog, entity: EntityDef) -> None:
        self._catalog = catalog
        self._entity = entity

    def lookup(self, name: str) -> ScopeField | None:
        catalog, entity = self._catalog, self._entity
        field = entity.field(name)
        if field is None:
            if name == "id":
                return ScopeField("id", ExprType.INTEGER)
            owner = catalog.parent_of(entity.key) if entity.is_child and name == PARENT else None
            return ScopeField(PARENT, ExprType.INTEGER, link=catalog.scope(owner[0].key)) if owner else None
        if field.type == "link":
            target = catalog.entity(field.get("entity"))
            return ScopeField(name, ExprType.INTEGER, link=catalog.scope(target.key) if target else None)
        if field.type == "child_table":
            child = catalog.entity(field.get("entity"))
            return ScopeField(name, ExprType.INTEGER, children=catalog.scope(child.key)) if child else None
        kind = catalog.field_expr_type(field)
        return ScopeField(name, kind) if kind is not None else None


class Catalog:
    """All installed apps and their entities, with lookups the engines need."""

    def __init__(self, apps: Iterable[AppDef]) -> None:
        self.apps: dict[str, AppDef] = {a.key: a for a in apps}
        self.entities: dict[str, EntityDef] = {}
        for app in self.apps.values():
            for entity in app.entities:
                self.entities.setdefault(entity.key, entity)
        self._scopes: dict[str, EntityScope] = {}
        self._computed: dict[tuple[str, str], ExprType | None] = {}
        self._resolving: list[tuple[str, str]] = []
        self._compiled: dict[tuple[str, str, ExprType | None], Any] = {}

    # ---- entities and fields ------------------------------------------------------
    def entity(self, key: str | None) -> EntityDef | None:
        return self.entities.get(key) if key else None

    def require_entity(self, key: str) -> EntityDef:
        from jimu.platform.errors import NotFoundError

        entity = self.entities.get(key)
        if entity is None:
            raise NotFoundError(f"Unknown entity {key!r}.", code="entity.not_found", entity=key)
        return entity

    def field_type(self, field: FieldDef) -> FieldType:
        return FIELD_TYPES[field.type]

    def stored_fields(self, entity: EntityDef) -> list[FieldDef]:
        """Fields that own a column, in definition order."""
        return [f for f in entity.fields if f.type in FIELD_TYPES and self.field_type(f).stored(f)]

    @cached_property
    def _child_owners(self) -> dict[str, list[tuple[EntityDef, FieldDef]]]:
        owners: dict[str, list[tuple[EntityDef, FieldDef]]] = {}
        for entity in self.entities.values():
            for field in entity.fields:
                if field.type == "child_table" and field.get("entity"):
                    owners.setdefault(field.get("entity"), []).append((entity, field))
        return owners

    def child_owners(self, child_key: str) -> list[tuple[EntityDef, FieldDef]]:
        return self._child_owners.get(child_key, [])

    def parent_of(self, child_key: str) -> tuple[EntityDef, FieldDef] | None:
        """The entity and child-table field owning a child entity."""
        owners = self.child_owners(child_key)
        return owners[0] if owners else None

    @cached_property
    def _back_links(self) -> dict[str, list[BackLink]]:
        links: dict[str, list[BackLink]] = {}
        for entity in self.entities.values():
            for field in entity.fields:
                if field.type == "link" and field.get("entity"):
                    links.setdefault(field.get("entity"), []).append(BackLink(entity, field))
        return links

    def back_links(self, entity_key: str) -> list[BackLink]:
        """Link fields elsewhere that point at this entity."""
        return self._back_links.get(entity_key, [])

    def rollup_relation(self, entity: EntityDef, field: FieldDef) -> EntityDef | None:
        """The related entity of a rollup: a child table (`lines`) or a back-link (`invoice.customer`)."""
        relation = str(field.get("relation", ""))
        if "." in relation:
            source_key, link_name = relation.split(".", 1)
            source = self.entity(source_key)
            link = source.field(link_name) if source else None
            if link is None or link.type != "link" or link.get("entity") != entity.key:
                return None
            return source
        child_field = entity.field(relation)
        if child_field is None or child_field.type != "child_table":
            return None
        return self.entity(child_field.get("entity"))

    # ---- expression types -----------------------------------------------------------
    def field_expr_type(self, field: FieldDef) -> ExprType | None:
        field_type = FIELD_TYPES.get(field.type)
        return field_type.expr_type(field, self) if field_type else None

    def computed_type(self, field: FieldDef) -> ExprType | None:
        """Result type of a formula, rollup or lookup, resolved once; raises FormulaCycleError on loops."""
        token = (field.entity, field.name)
        if token in self._computed:
            return self._computed[token]
        if token in self._resolving:
            chain = self._resolving[self._resolving.index(token):] + [token]
            raise FormulaCycleError([f"{e}.{n}" for e, n in chain])
        self._resolving.append(token)
        try:
            result = self._resolve_computed(field)
        finally:
            self._resolving.pop()
        self._computed[token] = result
        return result

    def _resolve_computed(self, field: FieldDef) -> ExprType | None:
        entity = self.entities.get(field.entity)
        if entity is None:
            return None
        if field.type == "formula":
            declared = field.get("result_type")
            try:
                checked = self.compile(entity.key, field.get("expression", ""))
            except ExpressionError:
                return RESULT_EXPR_TYPES.get(declared or "", None)
            if declared:
                return RESULT_EXPR_TYPES[declared]
            return checked.type if checked.type != ExprType.NULL else ExprType.TEXT
        if field.type == "lookup":
            link = entity.field(field.get("link", ""))
            target = self.entity(link.get("entity")) if link is not None and link.type == "link" else None
            target_field = target.field(field.get("field", "")) if target else None
            return self.field_expr_type(target_field) if target_field else None
        if field.type == "rollup":
            function = field.get("function")
            if function == "count":
                return ExprType.INTEGER
            related = self.rollup_relation(entity, field)
            source = related.field(field.get("field", "")) if related else None
            kind = self.field_expr_type(source) if source else None
            if function == "avg":
                return ExprType.DECIMAL
            return kind
        return None

    def scope(self, entity_key: str) -> EntityScope:
        scope = self._scopes.get(entity_key)
        if scope is None:
            scope = self._scopes[entity_key] = EntityScope(self, self.entities[entity_key])
        return scope

    def compile(self, entity_key: str, source: str, expected: ExprType | None = None) -> Any:
        """A type-checked expression in an entity's scope (cached). Raises ExpressionError."""
        cache_key = (entity_key, source, expected)
        checked = self._compiled.get(cache_key)
        if checked is None:
            checked = compile_expression(source, self.scope(entity_key), expected=expected)
            self._compiled[cache_key] = checked
        return checked

    def check_expression(self, entity_key: str, source: str, expected: ExprType | None) -> list[Problem]:
        """Problems of an expression in an entity's scope (none when it type-checks)."""
        try:
            self.compile(entity_key, source, expected)
        except FormulaCycleError as cycle:
            return [Problem("definition.formula_cycle", {"cycle": str(cycle)})]
        except ExpressionError as error:
            return [Problem("definition.expression_invalid", expression_problem_params(error))]
        return []

    def uses_clock(self, entity_key: str, source: str) -> bool:
        """Whether an expression reads TODAY/NOW/CURRENT_USER (so cannot be stored)."""
        try:
            return bool(self.compile(entity_key, source).uses_now)
        except (ExpressionError, FormulaCycleError):
            return False

