"""The action family: one `ActionType` per kind of action, holding all of its behaviour.

An action type declares the JSON Schema of its own properties, checks a definition of itself (names,
expression types) when the app is applied, and runs. It runs inside the transaction of the transition
or rule that holds it, in a `Frame` (the record it runs on, the local variables, the parameters, the
loop rows in scope) of a `Chain` (one run of a transition or rule: the context, the effects seen so far,
the call depth, the idempotency key). Whatever an action writes goes through the records service, so
validation, computed values, audit and hooks all apply; a failure raises and rolls the chain back whole.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from jimu.engines.expressions import RowAccess
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.base import Problem
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef

from ..scope import ActionScope

if TYPE_CHECKING:
    from ..chain import Chain, Frame
    from ..model import WorkflowDefs


@dataclass
class Checking:
    """What checking one action needs: the catalog, the workflow definitions, the record's entity and the
    expression scope at that point (vars, params and loop rows included)."""

    catalog: Catalog
    defs: WorkflowDefs
    entity: EntityDef
    scope: ActionScope
    var_types: dict[str, ExprType] = field(default_factory=dict)  # the local variables in scope, by name

    def expression(self, source: Any, expected: ExprType | None, at: str) -> list[Problem]:
        """Problems of an expression in this scope (at the property path `at`)."""
        from ..expressions import check_in_scope

        return [Problem(p.code, p.params, at=at) for p in check_in_scope(self.catalog, self.scope, source, expected)]

    def field_problems(self, entity: EntityDef, names: Any, at: str) -> list[Problem]:
        """A problem for each name in `names` that is not a field of `entity`."""
        return [Problem("definition.unknown_field", {"field": n, "entity": entity.key},
                        at=f"{at}/{i}" if at else str(i))
                for i, n in enumerate(names) if entity.field(n) is None]


class ActionType:
    """One kind of action (`set`, `create`, `for_each`, ...)."""

    name: ClassVar[str]
    # JSON Schema of the action's own properties (`type`, `key` and `when` are common to all).
    properties: ClassVar[Mapping[str, Any]] = {}
    required_properties: ClassVar[tuple[str, ...]] = ()

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        """Problems of a definition of this action, at paths relative to the action."""
        return []

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        """Do it. Raise a JimuError to fail (the chain reports which action failed and rolls back)."""
        raise NotImplementedError

    def nested(self, action: Mapping[str, Any]) -> list[tuple[str, list[Mapping[str, Any]]]]:
        """Action lists inside this action (a loop's body), as (property path, actions): checked in turn."""
        return []


COMMON_PROPERTIES: Mapping[str, Any] = {
    "type": {"type": "string"},
    "key": {"$ref": "#/$defs/identifier"},
    "when": {"type": "string", "minLength": 1, "maxLength": 4000},
    "label": {"$ref": "#/$defs/label"},
}


def row_of(values: Mapping[str, Any]) -> RowAccess:
    from jimu.engines.expressions import DictRow

    return DictRow(values)
