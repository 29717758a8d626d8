"""What an action's expressions see: the record's fields, plus `vars.x`, `params.x`, `old.x` and loop rows.

`vars` are the local variables of the running action list, `params` its parameters; a `for_each`
names its row (`line.qty`, or the `as` it declares); `old` is the record as it was before the write that
fired an update rule (its own fields; a link followed from it reads the target as it is now). Each is an
extra name in front of the record's own scope, typed for the checker and valued for the interpreter.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from jimu.engines.expressions import DictRow, RowAccess, ScopeField, TypeScope
from jimu.engines.expressions.types import ExprType

VARS, PARAMS, OLD = "vars", "params", "old"
# The reserved names of action scopes: a field of these names is shadowed inside actions (`old` only in
# the rules that see the record before their write).
SCOPE_NAMES = frozenset({VARS, PARAMS, OLD})

VARIABLE_TYPES: Mapping[str, ExprType] = {
    "text": ExprType.TEXT, "integer": ExprType.INTEGER, "decimal": ExprType.DECIMAL,
    "boolean": ExprType.BOOLEAN, "date": ExprType.DATE, "datetime": ExprType.DATETIME,
}


class ActionScope:
    """A TypeScope: extra names (each a ScopeField, usually a link to a scope of its own) over a base scope."""

    def __init__(self, base: TypeScope, names: Mapping[str, ScopeField]) -> None:
        self.base = base
        self.names = dict(names)

    def lookup(self, name: str) -> ScopeField | None:
        found = self.names.get(name)
        return found if found is not None else self.base.lookup(name)

    def with_names(self, **names: ScopeField) -> ActionScope:
        return ActionScope(self.base, {**self.names, **names})

    def signature(self) -> tuple[Any, ...]:
        """What tells two scopes apart for caching compiled expressions (the extra names and their types)."""
        return tuple(sorted((name, _signature(f)) for name, f in self.names.items()))


def _signature(field: ScopeField) -> Any:
    link = field.link
    if isinstance(link, OwnFields):
        return ("own", id(link.base))
    if isinstance(link, TypedNames):
        return ("names", tuple(sorted((n, t.value) for n, t in link.types.items())))
    return (field.type.value, id(link) if link is not None else None)


class TypedNames:
    """A TypeScope of plain typed names (the members of `vars` or `params`)."""

    def __init__(self, types: Mapping[str, ExprType]) -> None:
        self.types = dict(types)

    def lookup(self, name: str) -> ScopeField | None:
        kind = self.types.get(name)
        return ScopeField(name, kind) if kind is not None else None


class OwnFields:
    """A TypeScope of a record's own fields and links, without its child lines (the members of `old`)."""

    def __init__(self, base: TypeScope) -> None:
        self.base = base

    def lookup(self, name: str) -> ScopeField | None:
        found = self.base.lookup(name)
        return found if found is not None and found.children is None else None


def old_scope(base: TypeScope) -> ScopeField:
    """`old`: the record before the write, its own fields typed as the record's (`old.amount`)."""
    return ScopeField(OLD, ExprType.INTEGER, link=OwnFields(base))


def variables_scope(name: str, types: Mapping[str, ExprType]) -> ScopeField:
    """`vars` or `params`: a name whose members are typed values."""
    return ScopeField(name, ExprType.INTEGER, link=TypedNames(types))


class ActionRow:
    """A RowAccess: extra rows (vars, params, loop rows) over the record's own row."""

    def __init__(self, base: RowAccess, rows: Mapping[str, RowAccess]) -> None:
        self.base = base
        self.rows = dict(rows)

    def get(self, name: str) -> Any:
        row = self.rows.get(name)
        return row.get("id") if row is not None else self.base.get(name)

    def link(self, name: str) -> RowAccess | None:
        row = self.rows.get(name)
        return row if row is not None else self.base.link(name)

    def children(self, name: str) -> Iterable[RowAccess]:
        return self.base.children(name)

    def with_rows(self, **rows: RowAccess) -> ActionRow:
        return ActionRow(self.base, {**self.rows, **rows})


def values_row(values: Mapping[str, Any]) -> RowAccess:
    return DictRow(values)
