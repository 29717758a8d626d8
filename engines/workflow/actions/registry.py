"""The registry of action types: one entry per kind, built from the modules of this package."""
from __future__ import annotations

from collections.abc import Iterator

from .base import ActionType


class ActionTypes:
    def __init__(self) -> None:
        self._types: dict[str, ActionType] = {}

    def register(self, action_type: ActionType) -> ActionType:
        if action_type.name in self._types:
            raise ValueError(f"action type {action_type.name!r} registered twice")
        self._types[action_type.name] = action_type
        return action_type

    def get(self, name: str) -> ActionType | None:
        return self._types.get(name)

    def names(self) -> list[str]:
        return sorted(self._types)

    def __iter__(self) -> Iterator[ActionType]:
        return iter(self._types.values())


ACTION_TYPES = ActionTypes()
