"""The registry of field types, by name."""
from __future__ import annotations

from collections.abc import Iterator

from jimu.platform.fields import choice, computed, numeric, relation, temporal, text
from jimu.platform.fields.base import FieldType


class FieldTypeRegistry:
    """Field type instances by name. Adding a type: one class in a family module plus its test."""

    def __init__(self, types: list[type[FieldType]]) -> None:
        self._types: dict[str, FieldType] = {}
        for cls in types:
            if cls.name in self._types:
                raise ValueError(f"field type {cls.name!r} registered twice")
            self._types[cls.name] = cls()

    def get(self, name: str) -> FieldType | None:
        return self._types.get(name)

    def __getitem__(self, name: str) -> FieldType:
        return self._types[name]

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __iter__(self) -> Iterator[FieldType]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return list(self._types)


FIELD_TYPES = FieldTypeRegistry(
    [*text.TYPES, *numeric.TYPES, *temporal.TYPES, *choice.TYPES, *relation.TYPES, *computed.TYPES]
)
