"""Which stored computed values a write makes stale: a dependency graph, built with its catalog.

Every stored formula, rollup and stored lookup is expanded down to the plain stored fields it
reads (through virtual and stored computed fields alike, since `recompute` inlines them), each
with the chain of hops from the computed field's entity to the source: a link, a child table,
a line's `parent`, or a back-link of a rollup. A change to source rows then maps, in one nested
`IN (SELECT ...)` per dependency, to the rows to recompute — no recursion needed
(`jimu.platform.storage.dependencies.affected_ids`).
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jimu.engines.expressions.errors import ExpressionError
from jimu.platform.errors import JimuError
from jimu.platform.registry.model import PARENT, EntityDef, FieldDef

if TYPE_CHECKING:
    from jimu.platform.registry.catalog import Catalog

MEMBERSHIP = ("_parent_id", "_deleted_at")  # system columns that move a row in or out of a relation


@dataclass(frozen=True)
class Hop:
    """One step from `entity` (nearer the computed field) to `target` (nearer the source)."""

    kind: str  # link | children | parent | back_link
    entity: str
    target: str
    column: str = ""  # the link column: on `entity` for link, on `target` for back_link


@dataclass(frozen=True)
class Dependency:
    """Stored computed fields of `target` read `fields` of `source` through `hops`."""

    target: str
    source: str
    fields: frozenset[str]
    hops: tuple[Hop, ...]


class DependencyGraph:
    """Dependencies of every entity's stored computed fields, indexed by source entity.

    Built by the catalog once its computed types are resolved; an expression that does not compile
    (in a definition still being validated) contributes nothing.
    """

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        found: set[Dependency] = set()
        for entity in catalog.entities.values():
            for field in catalog.stored_fields(entity):
                if catalog.field_type(field).derived:
                    found.update(_Walker(catalog, entity.key).computed(entity, field, ()))
        self._by_source: dict[str, list[Dependency]] = {}
        for dep in sorted(found, key=lambda d: (d.source, d.target, len(d.hops), sorted(d.fields))):
            self._by_source.setdefault(dep.source, []).append(dep)

    def dependents(self, source: str, changed: Iterable[str] | None = None) -> list[Dependency]:
        """Dependencies on `source` that a change of `changed` fields (None: any) triggers."""
        deps = self._by_source.get(source, [])
        if changed is None:
            return list(deps)
        names = set(changed)
        return [d for d in deps if d.fields & names]

    def has_stored_computed(self, entity_key: str) -> bool:
        entity = self.catalog.require_entity(entity_key)
        return any(self.catalog.field_type(f).derived
                   for f in self.catalog.stored_fields(entity))


class _Walker:
    """Expands one stored computed field into the plain sources it reads."""

    def __init__(self, catalog: Catalog, target: str) -> None:
        self.catalog = catalog
        self.target = target
        self.seen: set[tuple[str, str, tuple[Hop, ...]]] = set()

    def computed(self, entity: EntityDef, field: FieldDef, hops: tuple[Hop, ...]) -> Iterator[Dependency]:
        token = (entity.key, field.name, hops)
        if token in self.seen or len(hops) > 12:
            return
        self.seen.add(token)
        try:
            paths = self.catalog.field_type(field).dependency_paths(field, self.catalog)
        except (ExpressionError, JimuError):
            return  # an expression of a definition being validated: reported there
        for path in paths:
            yield from self.path(entity, tuple(path), hops)

    def back_link(self, entity: EntityDef, relation: str, rest: tuple[str, ...],
                  hops: tuple[Hop, ...]) -> Iterator[Dependency]:
        """`entity.link` of a rollup: the records of `entity` whose `link` points at this one."""
        source_key, link_name = relation.split(".", 1)
        source = self.catalog.entity(source_key)
        link = source.field(link_name) if source is not None else None
        if source is None or link is None:
            return
        inner = hops + (Hop("back_link", entity.key, source.key, link.column),)
        yield self.dep(source, {link_name, "_deleted_at"}, inner)
        if rest:
            yield from self.path(source, rest, inner)

    def path(self, entity: EntityDef, path: tuple[str, ...], hops: tuple[Hop, ...]) -> Iterator[Dependency]:
        name, rest = path[0], path[1:]
        if "." in name:
            yield from self.back_link(entity, name, rest, hops)
            return
        field = entity.field(name)
        if field is None:
            if name == PARENT and entity.is_child:
                owner = self.catalog.parent_of(entity.key)
                if owner is not None and rest:
                    yield from self.path(owner[0], rest, hops + (Hop("parent", entity.key, owner[0].key),))
            return
        field_type = self.catalog.field_type(field)
        if field_type.owns_rows:
            child = self.catalog.related(field)
            if child is None:
                return
            inner = hops + (Hop("children", entity.key, child.key),)
            yield self.dep(child, set(MEMBERSHIP), inner)
            if rest:
                yield from self.path(child, rest, inner)
            return
        if rest and field_type.follows_link:
            target = self.catalog.related(field)
            yield self.dep(entity, {name}, hops)
            if target is not None:
                yield from self.path(target, rest, hops + (Hop("link", entity.key, target.key, field.column),))
            return
        if field_type.derived:
            yield from self.computed(entity, field, hops)
        else:
            yield self.dep(entity, {name}, hops)

    def dep(self, source: EntityDef, fields: set[str], hops: tuple[Hop, ...]) -> Dependency:
        return Dependency(self.target, source.key, frozenset(fields), hops)
