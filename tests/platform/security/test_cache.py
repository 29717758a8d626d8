"""SecurityCache keeps RoleGrants per set of roles, bounded by the one cache policy, dropped with the catalog."""
from __future__ import annotations

from jimu.platform.kernel import Kernel
from jimu.platform.registry.caches import CACHE_SIZES
from jimu.platform.security import SecurityCache


def test_grants_are_shared_per_set_of_roles_and_bounded(kernel: Kernel) -> None:
    assert SecurityCache().grants_size == CACHE_SIZES["role_grants"]
    cache = SecurityCache(grants_size=2)
    with kernel.unit_of_work() as ctx:
        snapshot = cache.snapshot(ctx.conn)
        rep = cache.grants(snapshot, ctx.catalog, frozenset({"rep"}))
        assert cache.grants(snapshot, ctx.catalog, frozenset({"rep"})) is rep
        cache.grants(snapshot, ctx.catalog, frozenset({"viewer"}))
        cache.grants(snapshot, ctx.catalog, frozenset({"designer"}))  # a third set: the oldest one goes
        again = cache.grants(snapshot, ctx.catalog, frozenset({"rep"}))
        assert again is not rep
        assert again.readable_fields("task") == rep.readable_fields("task")


def test_a_new_catalog_drops_the_grants_of_the_old_one(kernel: Kernel) -> None:
    cache = SecurityCache()
    with kernel.unit_of_work() as ctx:
        snapshot = cache.snapshot(ctx.conn)
        old = cache.grants(snapshot, ctx.catalog, frozenset({"rep"}))
    kernel.invalidate()
    with kernel.unit_of_work() as ctx:
        assert cache.grants(snapshot, ctx.catalog, frozenset({"rep"})) is not old
