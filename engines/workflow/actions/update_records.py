"""`update`: change other records atomically, with expressions over their current values.

    {"type": "update", "entity": "balance", "id": "line.balance",
     "values": {"on_hand": "row.on_hand - line.qty"}}
    {"type": "update", "entity": "product", "where": "row.id = line.product",
     "values": {"cost": "(row.on_hand * row.cost + line.qty * line.price) / (row.on_hand + line.qty)",
                "on_hand": "row.on_hand + line.qty"}, "min": {"cost": null}}

The target is one record (`id`, an expression: `customer` follows a link) or the records of a query
(`where`). Each is locked (PostgreSQL FOR UPDATE, in id order), read as it is now, and written once with
all its fields: `values` are expressions in the action's scope with the target as it is now under `as`
(default `row`), all evaluated on the values read before any is written. No lost update: a concurrent
chain waits for the lock and then reads what this one wrote (SQLite's write transaction serialises
writers). A line entity's record is updated through the record holding it (one update of its lines).

A numeric field written may not end below its `min` (an expression in the same scope; default 0: no
negative result unless the definition says so with `"min": {"field": null}` or a lower bound); the
refusal names the record and how much is missing.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.platform.errors import NotFoundError
from jimu.platform.fields.base import Problem
from jimu.platform.registry.model import EntityDef

from ..chain import Chain, Frame
from ..errors import NotEnoughError, error
from .base import ActionType, Checking
from .queries import ORDER, order_problems, query_ids
from .registry import ACTION_TYPES
from .support import check_values, entity_label, entity_problem, row_in_scope, title_of, with_row

_NUMERIC = (ExprType.INTEGER, ExprType.DECIMAL)


class Update(ActionType):
    name = "update"
    properties = {
        "entity": {"$ref": "#/$defs/identifier"},
        "id": {"$ref": "#/$defs/expression"},
        "where": {"$ref": "#/$defs/expression"},
        "as": {"$ref": "#/$defs/identifier"},
        "order": ORDER,
        "limit": {"type": "integer", "minimum": 1, "maximum": 10_000},
        "values": {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "#/$defs/expression"}},
        "min": {"type": "object", "additionalProperties": {"oneOf": [{"$ref": "#/$defs/expression"},
                                                                        {"type": "null"}]}},
    }
    required_properties = ("entity", "values")

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        entity, problems = entity_problem(checking, action["entity"], "entity")
        if entity is None:
            return problems
        if ("id" in action) == ("where" in action):
            return [Problem("workflow.update_target", {}, at="")]
        if "id" in action:
            problems += checking.expression(action["id"], ExprType.INTEGER, "id")
        else:
            query = Checking(checking.catalog, checking.defs, checking.entity,
                             with_row(checking.scope, _row_name(action), entity, checking.catalog), checking.var_types)
            problems += query.expression(action["where"], ExprType.BOOLEAN, "where")
            problems += order_problems(entity, action.get("order", ()), "order")
        target = Checking(checking.catalog, checking.defs, checking.entity,
                          with_row(checking.scope, _row_name(action), entity, checking.catalog), checking.var_types)
        problems += check_values(target, entity, action["values"], "values")
        for name, source in (action.get("min") or {}).items():
            if name not in action["values"]:
                problems.append(Problem("workflow.min_not_written", {"field": name}, at=f"min/{name}"))
            elif source is not None:
                problems += target.expression(source, ExprType.DECIMAL, f"min/{name}")
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        entity = chain.ctx.catalog.require_entity(action["entity"])
        if "id" in action:  # the record is locked as it is read (records.modify); a line's, through its record
            found = frame.value(chain, action["id"], ExprType.INTEGER)
            ids = [] if found is None else [int(found)]
        else:
            name, scope = _row_name(action), frame.scope
            frame.scope = with_row(scope, name, entity, chain.ctx.catalog)
            try:
                ids = query_ids(chain, frame, entity, name, action["where"], action.get("order", ()),
                                action.get("limit"), lock=True)
            finally:
                frame.scope = scope
        for record_id in sorted(ids):
            update_one(action, frame, chain, entity, record_id)


def update_one(action: Mapping[str, Any], frame: Frame, chain: Chain, entity: EntityDef, record_id: int) -> None:
    """Lock and read the record once, compute every value from it, check the bounds, write it once."""
    owner = _owner(chain, entity, record_id)

    def compute(current: Mapping[str, Any]) -> dict[str, Any]:
        with row_in_scope(frame, chain, _row_name(action), entity) as put:
            put(current)
            values = {name: frame.value(chain, source) for name, source in action["values"].items()}
            _check_bounds(action, frame, chain, entity, current, values)
        return values

    if owner is None:
        current, updated = records.modify(chain.ctx, entity.key, record_id, compute)
        record = updated
    else:
        current, updated, record = _write_line(chain, owner, record_id, compute)
    for name in action["values"]:
        field = entity.field(name)
        if field is not None and chain.ctx.catalog.field_expr_type(field) in _NUMERIC \
                and current.get(name) != updated.get(name):
            chain.effects.add("quantity.adjusted", entity=entity.key, id=record_id, field=name,
                              before=current.get(name), after=updated.get(name))
    if owner is None and entity.key == frame.entity.key and record_id == frame.record_id:
        frame.record = record
    elif owner is not None and owner[0].key == frame.entity.key and owner[2] == frame.record_id:
        frame.record = record


def _check_bounds(action: Mapping[str, Any], frame: Frame, chain: Chain, entity: EntityDef,
                  current: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    record_id = current["id"]
    bounds = action.get("min") or {}
    for name, value in values.items():
        field = entity.field(name)
        if field is None or chain.ctx.catalog.field_expr_type(field) not in _NUMERIC or value is None:
            continue
        source = bounds.get(name, "0")
        if source is None:
            continue
        minimum = frame.value(chain, source)
        if minimum is not None and Decimal(value) < Decimal(minimum):
            raise error(NotEnoughError, "workflow.not_enough", chain.ctx.locale, entity=entity_label(chain.ctx, entity),
                        title=title_of(chain.ctx, entity, current), field=name, value=str(value),
                        minimum=str(minimum), missing=str(Decimal(minimum) - Decimal(value)), id=record_id)


Owner = tuple[EntityDef, str, int]  # a line's record: its entity, the child table holding the line, its id


def _owner(chain: Chain, entity: EntityDef, line_id: int) -> Owner | None:
    """For a line entity, the record holding the line (None for a record of its own)."""
    if not entity.is_child:
        return None
    found = chain.ctx.catalog.parent_of(entity.key)
    assert found is not None
    table = chain.ctx.tables[entity.key]
    parent_id = chain.ctx.conn.execute(sa.select(table.c._parent_id).where(table.c.id == line_id)).scalar_one_or_none()
    if parent_id is None:
        raise error(NotFoundError, "records.not_found", chain.ctx.locale, entity=entity.key, id=line_id)
    return found[0], found[1].name, int(parent_id)


def _write_line(chain: Chain, owner: Owner, line_id: int, compute: Callable[[Mapping[str, Any]], Mapping[str, Any]]
                ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """One read-modify-write of the line's record (locked, read once): every line kept, this one changed.
    The line before and after, and the record after."""
    held: dict[str, Any] = {}

    def change(record: Mapping[str, Any]) -> dict[str, Any]:
        lines = record.get(owner[1]) or ()
        held.update(next(dict(line) for line in lines if int(line["id"]) == line_id))
        values = compute(held)
        return {owner[1]: [{"id": line["id"], **(values if int(line["id"]) == line_id else {})} for line in lines]}

    _, updated = records.modify(chain.ctx, owner[0].key, owner[2], change)
    return held, next(dict(line) for line in updated.get(owner[1]) or () if int(line["id"]) == line_id), updated


def _row_name(action: Mapping[str, Any]) -> str:
    return str(action.get("as") or "row")


ACTION_TYPES.register(Update())
