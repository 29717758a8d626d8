"""The catalog's bounded caches: least recently used first out, one value per key under threads."""
from __future__ import annotations

import threading

import pytest

from jimu.platform.registry.caches import CACHE_SIZES, BoundedCache, CatalogCaches


def test_the_least_recently_used_entry_goes_first() -> None:
    cache: BoundedCache[str, int] = BoundedCache(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now b is the oldest
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)


def test_the_first_value_stored_wins() -> None:
    cache: BoundedCache[str, object] = BoundedCache(4)
    first, second = object(), object()
    assert cache.put("k", first) is first
    assert cache.put("k", second) is first
    assert cache.get_or_build("k", object) is first


def test_threads_building_one_key_all_get_the_same_value_and_the_size_holds() -> None:
    cache: BoundedCache[int, object] = BoundedCache(16)
    seen: list[list[object]] = [[] for _ in range(8)]
    start = threading.Barrier(8)

    def work(n: int) -> None:
        start.wait()
        for key in range(200):
            seen[n].append(cache.get_or_build(key % 20, object))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 16
    assert all(len(values) == 200 for values in seen)


def test_a_catalog_has_one_cache_per_declared_kind() -> None:
    caches = CatalogCaches()
    assert {name: caches[name].size for name in CACHE_SIZES} == dict(CACHE_SIZES)
    with pytest.raises(KeyError):
        caches["anything_else"]
    with pytest.raises(ValueError):
        BoundedCache(0)
