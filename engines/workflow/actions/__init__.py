"""Action types of the workflow engine; importing the package registers every one of them."""
from __future__ import annotations

from . import (
    calls,  # noqa: F401  (registers call, transition)
    create_records,  # noqa: F401  (registers create, find_or_create)
    ledger,  # noqa: F401  (registers post_ledger, reverse_ledger)
    loops,  # noqa: F401  (registers for_each)
    notify,  # noqa: F401  (registers notify)
    set_fields,  # noqa: F401  (registers set, let, stop)
    update_records,  # noqa: F401  (registers update)
    webhook,  # noqa: F401  (registers webhook)
)
from .base import ActionType, Checking
from .registry import ACTION_TYPES

__all__ = ["ACTION_TYPES", "ActionType", "Checking"]
