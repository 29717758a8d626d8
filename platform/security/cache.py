"""SecurityCache: the latest rules snapshot of a process and the RoleGrants built from it, keyed by stamp."""
from __future__ import annotations

import threading

import sqlalchemy as sa

from jimu.platform.registry.caches import CACHE_SIZES, BoundedCache
from jimu.platform.registry.catalog import Catalog
from jimu.platform.security.grants import RoleGrants
from jimu.platform.security.revision import security_stamp
from jimu.platform.security.snapshot import RulesSnapshot, load_snapshot


class SecurityCache:
    """Holds the latest snapshot for a process (owned by the web app, like the kernel's definitions).

    Each request costs one query (the stamp) — none when the caller read the stamp already, e.g. along
    its token lookup; the snapshot is reloaded only when the stamp moved. `grants` keeps one RoleGrants
    per set of roles for the current snapshot and catalog, at most `CACHE_SIZES["role_grants"]` of them
    (the catalogs' one cache policy, platform/registry/caches.py): bounded and dropped with either.
    """

    def __init__(self, grants_size: int = CACHE_SIZES["role_grants"]) -> None:
        self.grants_size = grants_size
        self._snapshot: RulesSnapshot | None = None
        self._grants: tuple[RulesSnapshot, Catalog, BoundedCache[frozenset[str], RoleGrants]] | None = None
        self._lock = threading.Lock()

    def snapshot(self, conn: sa.Connection, stamp: int | None = None) -> RulesSnapshot:
        """The snapshot at the database's security stamp (`stamp`: already read in this transaction)."""
        if stamp is None:
            stamp = security_stamp(conn)
        cached = self._snapshot
        if cached is not None and cached.revision == stamp:
            return cached
        fresh = load_snapshot(conn)
        with self._lock:
            self._snapshot = fresh
        return fresh

    def grants(self, snapshot: RulesSnapshot, catalog: Catalog, roles: frozenset[str]) -> RoleGrants:
        """The RoleGrants of `roles` for this snapshot and catalog, built once and shared."""
        current = self._grants
        if current is None or current[0] is not snapshot or current[1] is not catalog:
            current = (snapshot, catalog, BoundedCache(self.grants_size))
            with self._lock:
                self._grants = current
        return current[2].get_or_build(roles, lambda: RoleGrants(snapshot, roles, catalog))

    def invalidate(self) -> None:
        with self._lock:
            self._snapshot = None
            self._grants = None
