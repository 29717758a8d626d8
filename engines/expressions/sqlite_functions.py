"""SQL functions Jimu registers on every SQLite connection (placeholder until the SQL compiler lands)."""
from __future__ import annotations

from typing import Any


def register_sqlite_functions(dbapi_connection: Any) -> None:
    """Register Jimu's deterministic helper functions on a sqlite3 connection."""
    return None
