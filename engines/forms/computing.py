"""Keeping stored computed values right after a write: collect the stale rows, recompute them in SQL."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.storage.dependencies import affected_ids, dependency_graph
from jimu.platform.storage.recompute import Recompute

from .propagation import Propagation, cause_of
from .reading import watched_env

CHUNK = 1000


class Recomputation:
    """Rows whose stored formulas, rollups and lookups a write makes stale, by entity.

    Call `touch` before the write for rows leaving a relation (old link targets, removed lines)
    and after it for the rows written; `run` recomputes everything collected. Records whose values
    change though nobody wrote them get a new version and a history entry caused by the first
    record touched (or `cause`, when given) — see propagation.py.
    """

    def __init__(self, ctx: Context, *, cause: dict[str, Any] | None = None) -> None:
        self.ctx = ctx
        self.graph = dependency_graph(ctx.catalog)
        self.pending: dict[str, set[int]] = {}
        self.written: dict[str, set[int]] = {}
        self.recomputed: dict[str, set[int]] = {}  # rows whose stored computed values `run` rewrote, by entity
        self.cause = cause

    def touch(self, entity_key: str, ids: Iterable[int], changed: Iterable[str] | None = None) -> None:
        """Rows of `entity_key` were written (`changed` fields; None: created, deleted or restored)."""
        ids = [i for i in ids if i is not None]
        if not ids:
            return
        self.written.setdefault(entity_key, set()).update(ids)
        if self.cause is None and not self.ctx.catalog.require_entity(entity_key).is_child:
            self.cause = cause_of(entity_key, ids)
        changed = None if changed is None else set(changed)
        if changed is None and self.graph.has_stored_computed(entity_key):
            self.pending.setdefault(entity_key, set()).update(ids)
        paths: set[tuple[Any, ...]] = set()
        for dep in self.graph.dependents(entity_key, changed):
            if (dep.target, dep.hops) in paths:  # another field along the same path: the same rows
                continue
            paths.add((dep.target, dep.hops))
            found = self.pending.setdefault(dep.target, set())
            for start in range(0, len(ids), CHUNK):
                rows = self.ctx.conn.execute(affected_ids(self.ctx.tables, dep, ids[start:start + CHUNK])).scalars()
                found.update(r for r in rows if r is not None)

    def run(self) -> None:
        propagation = Propagation(self.ctx, self.written, self.cause)
        for entity_key, ids in self.pending.items():
            self.recomputed.setdefault(entity_key, set()).update(ids)
            table = self.ctx.tables[entity_key]
            ordered = sorted(ids)
            tracked = propagation.tracked(entity_key, ordered)
            before = propagation.snapshot(entity_key, tracked)
            plan = recompute_by_ids(self.ctx, entity_key)
            for start in range(0, len(ordered), CHUNK):
                chunk = ordered[start:start + CHUNK]
                if plan is not None:
                    plan.run(self.ctx.conn, {_IDS: chunk}, table.c.id.in_(chunk))
            if before:
                propagation.compare(entity_key, before, propagation.snapshot(entity_key, list(before)))
        propagation.finish()
        self.pending.clear()

    def rewrote(self, entity_key: str, ids: Iterable[int]) -> bool:
        """Whether `run` recomputed any of these rows of `entity_key`."""
        done = self.recomputed.get(entity_key)
        return bool(done) and any(i in done for i in ids)  # type: ignore[operator]


_IDS = "jimu_ids"  # the bound ids of the rows a Recompute rewrites


def recompute_by_ids(ctx: Context, entity_key: str) -> Recompute | None:
    """The entity's Recompute of rows by id (bind `jimu_ids`): built once per catalog and dialect, per call
    when a stored formula reads the user or the clock."""
    cache = ctx.catalog.caches["recomputes"]
    key = (entity_key, ctx.dialect)
    found = cache.get(key)
    if found is not None:
        return found[0]  # type: ignore[no-any-return]
    env = watched_env(ctx)
    table = ctx.tables[entity_key]
    plan = Recompute.build(ctx.definitions, entity_key, ctx.dialect, env,
                           table.c.id.in_(sa.bindparam(_IDS, expanding=True)))
    if not env.touched:
        cache.put(key, (plan,))  # a tuple: an entity with nothing to recompute is cached too
    return plan
