"""The one cache policy of a catalog: bounded LRU caches, safe under threads, owned by their catalog.

Everything derived from the definitions alone is resolved when a catalog is built (see `Catalog`);
what depends on a request as well — a user's `where` filter, a list's column set, the SQL of a
read on one dialect — is built on first use and kept here. Each kind has a named cache with a
size fixed below; a catalog holds one `CatalogCaches`, so applying a definition (a new catalog)
drops them all with the old one. Two threads may build the same entry at once; the first one
stored wins and both get it, so every caller of a key sees one value.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Entries per catalog of each kind of cached value.
CACHE_SIZES: Mapping[str, int] = {
    "expressions": 1024,  # ad-hoc expressions compiled in an entity's scope: list filters, record rules
    "list_shapes": 512,  # the SELECT and sort keys of a list, per entity, dialect, columns, sort and readable fields
    "read_plans": 1024,  # an entity's record SELECTs, per dialect
    "recomputes": 512,  # the UPDATE recomputing an entity's stored computed fields of rows by id, per dialect
    "write_plans": 512,  # what a write needs to know of an entity's fields, per set of fields the writer may write
    "engines": 64,  # an engine's compiled definitions (workflow processes, and those of older app revisions)
    "record_encoders": 1024,  # how each field of an entity becomes JSON (web/api/serialize.py)
    "role_grants": 256,  # a set of roles' grants at one security snapshot (platform/security/cache.py)
}


class BoundedCache(Generic[K, V]):
    """A least-recently-used map of at most `size` entries; every method is safe under threads."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a cache holds at least one entry")
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> V:
        """Store `value` unless another thread stored one first; return the stored value."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            self._entries[key] = value
            if len(self._entries) > self.size:
                self._entries.popitem(last=False)
            return value

    def get_or_build(self, key: K, build: Callable[[], V]) -> V:
        """The cached value of `key`, built (outside the lock) and stored when missing."""
        found = self.get(key)
        return found if found is not None else self.put(key, build())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class CatalogCaches:
    """The named caches of one catalog, one per entry of CACHE_SIZES (an unknown name is a KeyError)."""

    def __init__(self, sizes: Mapping[str, int] = CACHE_SIZES) -> None:
        self._caches: dict[str, BoundedCache[Any, Any]] = {name: BoundedCache(size) for name, size in sizes.items()}

    def __getitem__(self, name: str) -> BoundedCache[Any, Any]:
        return self._caches[name]
