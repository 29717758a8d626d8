"""The rows a write makes stale: a dependency of the catalog's graph (`Catalog.dependencies`) as SQL."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.dependencies import Dependency, DependencyGraph
from jimu.platform.storage.tables import EntityTables


def dependency_graph(catalog: Catalog) -> DependencyGraph:
    """The graph of a catalog (built with it)."""
    return catalog.dependencies


def affected_ids(tables: EntityTables, dep: Dependency, source_ids: Iterable[int] | sa.Select[int]) -> sa.Select[int]:
    """SELECT of the ids of `dep.target` rows whose stored values read the given source rows."""
    ids: sa.Select[int] | list[int] = source_ids if isinstance(source_ids, sa.Select) else list(source_ids)
    selected: sa.Select[int] | None = None
    for hop in reversed(dep.hops):
        near, far = tables[hop.entity], tables[hop.target]
        if hop.kind == "link":
            selected = sa.select(near.c.id).where(near.c[hop.column].in_(ids))
        elif hop.kind == "children":
            selected = sa.select(far.c._parent_id).where(far.c.id.in_(ids))
        elif hop.kind == "parent":
            selected = sa.select(near.c.id).where(near.c._parent_id.in_(ids))
        else:  # back_link
            selected = sa.select(far.c[hop.column]).where(far.c.id.in_(ids))
        ids = selected
    if selected is None:
        table = tables[dep.target]
        return sa.select(table.c.id).where(table.c.id.in_(ids))
    return selected

