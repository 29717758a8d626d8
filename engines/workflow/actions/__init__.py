"""Action types of the workflow engine; importing the package registers every one of them."""
from __future__ import annotations

from . import notify, set_fields  # noqa: F401  (registers notify; set, let, stop)
from .base import ActionType, Checking
from .registry import ACTION_TYPES

__all__ = ["ACTION_TYPES", "ActionType", "Checking"]
