"""The catalog: every installed entity, resolved, with expression scopes and compiled expressions.

A catalog is complete and immutable once built; applying a definition builds a new one, and
request threads share it. Everything derived from the definitions alone is worked out in the
constructor: child owners, back-links, expression scopes, the value types of computed fields
(with any loop among them, which validation refuses), every expression the definitions hold and
the dependency graph of stored computed values. What depends on a request as well — a user's
filter, a list's columns, a dialect's SQL — goes to the catalog's bounded caches
(`jimu.platform.registry.caches`), dropped with it.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jimu.engines.expressions import CheckedExpression, compile_expression
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.scope import ScopeField
from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError, NotFoundError
from jimu.platform.fields.base import FieldType, Problem
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n.expressions import expression_problem_params
from jimu.platform.registry.caches import CatalogCaches
from jimu.platform.registry.dependencies import DependencyGraph
from jimu.platform.registry.model import PARENT, AppDef, EntityDef, FieldDef

__all__ = ["PARENT", "BackLink", "Catalog", "EntityScope", "FormulaCycleError"]

FieldToken = tuple[str, str]  # (entity key, field name)


class FormulaCycleError(DefinitionError):
    """Computed fields that depend on each other in a loop: a definition error (validation refuses it)."""

    code = "definition.formula_cycle"

    def __init__(self, chain: list[str]) -> None:
        super().__init__(" -> ".join(chain), cycle=" -> ".join(chain))
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
        field_type = FIELD_TYPES.get(field.type)
        if field_type is None:
            return None
        if field_type.follows_link:
            target = catalog.related(field)
            return ScopeField(name, ExprType.INTEGER, link=catalog.scope(target.key) if target else None)
        if field_type.owns_rows:
            child = catalog.related(field)
            return ScopeField(name, ExprType.INTEGER, children=catalog.scope(child.key)) if child else None
        kind = catalog.field_expr_type(field)
        if kind is None:
            return None
        return ScopeField(name, kind, max_length=catalog.field_type(field).text_length(field))


class _TypeResolver:
    """Resolves the computed types of one catalog while it is built (one thread, before anyone sees it)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.resolving: list[FieldToken] = []
        self.types: dict[FieldToken, ExprType | None] = {}
        self.cycles: dict[FieldToken, list[str]] = {}

    def resolve_all(self) -> None:
        for entity in self.catalog.entities.values():
            for field in entity.fields:
                field_type = FIELD_TYPES.get(field.type)
                if field_type is not None and field_type.derived:
                    try:
                        self.resolve(field, field_type)
                    except FormulaCycleError:
                        pass  # recorded on every field of the loop and on those reading it

    def resolve(self, field: FieldDef, field_type: FieldType) -> ExprType | None:
        token = (field.entity, field.name)
        if token in self.types:
            return self.types[token]
        if token in self.cycles:
            raise FormulaCycleError(self.cycles[token])
        if token in self.resolving:
            chain = self.resolving[self.resolving.index(token):] + [token]
            raise FormulaCycleError([f"{e}.{n}" for e, n in chain])
        self.resolving.append(token)
        try:
            result = field_type.resolve_type(field, self.catalog)
        except FormulaCycleError as cycle:
            self.cycles[token] = cycle.chain
            raise
        finally:
            self.resolving.pop()
        self.types[token] = result
        return result


class Catalog:
    """All installed apps and their entities, resolved, with lookups the engines need."""

    def __init__(self, apps: Iterable[AppDef]) -> None:
        self.apps: dict[str, AppDef] = {a.key: a for a in apps}
        self.entities: dict[str, EntityDef] = {}
        for app in self.apps.values():
            for entity in app.entities:
                self.entities.setdefault(entity.key, entity)
        self.caches = CatalogCaches()
        self._built = False
        self._child_owners: dict[str, list[tuple[EntityDef, FieldDef]]] = {}
        self._back_links: dict[str, list[BackLink]] = {}
        self._child_fields: dict[str, list[FieldDef]] = {}
        self._link_fields: dict[str, list[FieldDef]] = {}
        self._index_relations()
        self._scopes = {key: EntityScope(self, entity) for key, entity in self.entities.items()}
        self._expressions: dict[tuple[str, str, ExprType | None], CheckedExpression] = {}
        resolver = _TypeResolver(self)
        self._computed, self._cycles = resolver.types, resolver.cycles
        self._resolver: _TypeResolver | None = resolver
        resolver.resolve_all()
        self._resolver = None
        self._compile_definitions()
        self.dependencies = DependencyGraph(self)
        self._built = True

    def _index_relations(self) -> None:
        for entity in self.entities.values():
            kinds = [(f, FIELD_TYPES.get(f.type)) for f in entity.fields]
            self._child_fields[entity.key] = [f for f, kind in kinds if kind is not None and kind.owns_rows]
            self._link_fields[entity.key] = [f for f, kind in kinds if kind is not None and kind.follows_link]
            for field in self._child_fields[entity.key]:
                if field.target:
                    self._child_owners.setdefault(field.target, []).append((entity, field))
            for field in self._link_fields[entity.key]:
                if field.target:
                    self._back_links.setdefault(field.target, []).append(BackLink(entity, field))

    def _compile_definitions(self) -> None:
        """Compile every expression the definitions hold; one that fails is left to validation to report."""
        for entity in self.entities.values():
            sources = [(entity.key, rule.expression) for rule in entity.rules]
            for field in entity.fields:
                field_type = FIELD_TYPES.get(field.type)
                sources += field_type.definition_expressions(field, self) if field_type is not None else []
            for entity_key, source in sources:
                if entity_key in self.entities:
                    try:
                        self.compile(entity_key, source)
                    except (ExpressionError, FormulaCycleError):
                        continue

    # ---- entities and fields ------------------------------------------------------
    def entity(self, key: str | None) -> EntityDef | None:
        return self.entities.get(key) if key else None

    def require_entity(self, key: str) -> EntityDef:
        entity = self.entities.get(key)
        if entity is None:
            raise NotFoundError(f"Unknown entity {key!r}.", code="entity.not_found", entity=key)
        return entity

    def field_type(self, field: FieldDef) -> FieldType:
        return FIELD_TYPES[field.type]

    def title_field(self, entity: EntityDef) -> str | None:
        """The field naming the entity's records (`EntityDef.title_field`)."""
        return entity.title_field

    def stored_fields(self, entity: EntityDef) -> list[FieldDef]:
        """Fields that own a column, in definition order."""
        return [f for f in entity.fields if f.type in FIELD_TYPES and self.field_type(f).stored(f)]

    def value_fields(self, entity: EntityDef) -> list[FieldDef]:
        """Fields holding a value of their own (every registered type but child tables), in definition order."""
        return [f for f in entity.fields if f.type in FIELD_TYPES and not self.field_type(f).owns_rows]

    def child_fields(self, entity: EntityDef) -> list[FieldDef]:
        """Fields owning line rows (child tables), in definition order."""
        return self._child_fields.get(entity.key, [])

    def link_fields(self, entity: EntityDef) -> list[FieldDef]:
        """Fields referring to a record of another entity (links), in definition order."""
        return self._link_fields.get(entity.key, [])

    def related(self, field: FieldDef) -> EntityDef | None:
        """The entity a link points at or a child table owns; None for other fields or an unknown entity."""
        field_type = FIELD_TYPES.get(field.type)
        return self.entity(field_type.target_entity(field)) if field_type is not None else None

    def require_related(self, field: FieldDef) -> EntityDef:
        """`related`, raising NotFoundError when there is none."""
        related = self.related(field)
        if related is None:
            raise NotFoundError(f"Unknown entity {field.target!r}.", code="entity.not_found", entity=field.target)
        return related

    def child_owners(self, child_key: str) -> list[tuple[EntityDef, FieldDef]]:
        return self._child_owners.get(child_key, [])

    def parent_of(self, child_key: str) -> tuple[EntityDef, FieldDef] | None:
        """The entity and child-table field owning a child entity."""
        owners = self.child_owners(child_key)
        return owners[0] if owners else None

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
            if link is None or source is None or link not in self.link_fields(source) or link.target != entity.key:
                return None
            return source
        child_field = entity.field(relation)
        if child_field is None or child_field not in self.child_fields(entity):
            return None
        return self.related(child_field)

    # ---- expression types -----------------------------------------------------------
    def field_expr_type(self, field: FieldDef) -> ExprType | None:
        field_type = FIELD_TYPES.get(field.type)
        return field_type.expr_type(field, self) if field_type else None

    def computed_type(self, field: FieldDef) -> ExprType | None:
        """Result type of a formula, rollup or lookup (resolved when the catalog was built).

        Raises FormulaCycleError for a field in (or reading) a loop: only a definition being validated has one.
        """
        token = (field.entity, field.name)
        if token in self._computed:
            return self._computed[token]
        if self._resolver is not None:
            return self._resolver.resolve(field, self.field_type(field))
        if token in self._cycles:
            raise FormulaCycleError(self._cycles[token])
        return None  # not a field of this catalog

    def formula_cycle(self, field: FieldDef) -> list[str] | None:
        """The loop a computed field is in or reads, as `entity.field` names starting at the field; None if none."""
        chain = self._cycles.get((field.entity, field.name))
        if chain is None:
            return None
        own = f"{field.entity}.{field.name}"
        members = chain[:-1]
        if own in members:
            start = members.index(own)
            members = members[start:] + members[:start]
        return [*members, members[0]]

    def scope(self, entity_key: str) -> EntityScope:
        return self._scopes[entity_key]

    def query_scope(self, entity: str) -> EntityScope | None:
        """The scope `SUM(entity.x WHERE ...)` reads (a `QueryScopes`): any entity but a line entity, whose
        rows belong to their owner (aggregate the owner's lines instead)."""
        found = self.entities.get(entity)
        return None if found is None or found.is_child else self._scopes[entity]

    def compile(self, entity_key: str, source: str, expected: ExprType | None = None) -> CheckedExpression:
        """A type-checked expression in an entity's scope. Raises ExpressionError.

        The definitions' own expressions were compiled with the catalog; any other (a user's filter,
        a record rule) is compiled on first use and kept in the bounded `expressions` cache.
        """
        key = (entity_key, source, expected)
        found = self._expressions.get(key)
        if found is not None:
            return found
        if not self._built:  # an expression of the definitions, compiled while the catalog is built
            found = self._expressions[key] = self._compile(entity_key, source, expected)
            return found
        cache = self.caches["expressions"]
        cached: CheckedExpression | None = cache.get(key)
        if cached is None:
            cached = cache.put(key, self._compile(entity_key, source, expected))
        return cached

    def _compile(self, entity_key: str, source: str, expected: ExprType | None) -> CheckedExpression:
        return compile_expression(source, self.scope(entity_key), expected=expected, queries=self)

    def check_expression(self, entity_key: str, source: str, expected: ExprType | None, *,
                         queries: bool = False) -> list[Problem]:
        """Problems of an expression in an entity's scope (none when it type-checks).

        `queries`: whether aggregates over a query of other records (`SUM(invoice.x WHERE ...)`) may be used
        here: in rules, conditions and default expressions, evaluated when a record is written; not in a
        value that is kept or computed on read (formulas, rollups, link filters), which would go stale.
        """
        try:
            checked = self.compile(entity_key, source, expected)
        except FormulaCycleError as cycle:
            return [Problem("definition.formula_cycle", {"cycle": str(cycle)})]
        except ExpressionError as error:
            return [Problem("definition.expression_invalid", expression_problem_params(error))]
        if checked.queries and not queries:
            return [Problem("definition.query_aggregate_not_allowed", {"entities": ", ".join(sorted(checked.queries))})]
        return []

    def uses_clock(self, entity_key: str, source: str) -> bool:
        """Whether an expression reads TODAY/NOW/CURRENT_USER (so cannot be stored)."""
        try:
            return bool(self.compile(entity_key, source).uses_now)
        except (ExpressionError, FormulaCycleError):
            return False
