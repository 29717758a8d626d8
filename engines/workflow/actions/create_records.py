"""`create`: a record of any entity made from the current one; `find_or_create`: a record found by its key.

    {"type": "create", "key": "delivery", "entity": "delivery", "into": "delivery",
     "values": {"order": "id", "customer": "customer"},
     "lines": [{"to": "lines", "from": "lines", "where": "line.qty - line.delivered > 0",
                "values": {"item": "line.item", "qty": "line.qty - line.delivered", "order_line": "line.id"},
                "over": {"ordered": "qty", "delivered": "delivered", "allowance": "5"}}]}

`values` are expressions in the action's scope; each entry of `lines` copies the lines of a child table
of the current record (`from`, each line under `as`, default `line`, those for which `where` holds) into a
child table of the new record (`to`). A line field linking the source line (a back-link) lets the source
line's delivered or billed quantity roll up through an ordinary rollup field. With `over`, after the
record is created each copied source line is checked: its `delivered` (the rollup) may not exceed its
`ordered` × (1 + `allowance` / 100); the refusal names the line.

The created record is noted in `jimu_wf_link` under a key derived from the run's key and the action's key
(or path, and the loop rows around it): a retried run finds it there and creates nothing. `into` puts its
id into a variable.

    {"type": "find_or_create", "entity": "stock_balance", "into": "balance",
     "match": {"item": "line.item", "warehouse": "warehouse"}, "values": {"on_hand": "0"}}

finds the live record whose `match` fields (its key) have these values, or creates it (with `values` too). The key
fields must be covered by a unique index of the entity: two chains creating it at once both end with the
one record (the loser's insert fails on the index, in a savepoint, and it reads the winner's).
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.platform.errors import ValidationError
from jimu.platform.fields.base import Problem
from jimu.platform.registry.model import EntityDef

from ..chain import Chain, Frame
from ..errors import OverDeliveryError, error
from .base import ActionType, Checking
from .registry import ACTION_TYPES
from .support import (
    action_key,
    check_into,
    check_values,
    entity_label,
    entity_problem,
    linked,
    note_link,
    row_in_scope,
    title_of,
    with_row,
)

_MAP = {"type": "object", "additionalProperties": {"$ref": "#/$defs/expression"}}
_LINES = {"type": "array", "maxItems": 20, "items": {
    "type": "object", "required": ["to", "from", "values"], "additionalProperties": False,
    "properties": {"to": {"type": "string"}, "from": {"type": "string"}, "as": {"$ref": "#/$defs/identifier"},
                   "where": {"$ref": "#/$defs/expression"}, "values": _MAP,
                   "back": {"type": "object", "required": ["field", "add"], "additionalProperties": False,
                            "properties": {"field": {"type": "string"},
                                           "add": {"type": "object", "minProperties": 1,
                                                   "additionalProperties": {"type": "string"}}}},
                   "over": {"type": "object", "required": ["ordered", "delivered"], "additionalProperties": False,
                            "properties": {"ordered": {"type": "string"}, "delivered": {"type": "string"},
                                           "allowance": {"$ref": "#/$defs/expression"}}}}}}


class Create(ActionType):
    name = "create"
    properties = {"entity": {"$ref": "#/$defs/identifier"}, "values": _MAP, "lines": _LINES,
                  "into": {"$ref": "#/$defs/identifier"}}
    required_properties = ("entity",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        target, problems = entity_problem(checking, action["entity"], "entity", header=True)
        if target is None:
            return problems
        problems += check_values(checking, target, action.get("values", {}), "values") + check_into(checking, action)
        for index, spec in enumerate(action.get("lines", ())):
            problems += _check_lines(checking, target, spec, f"lines/{index}")
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        target = chain.ctx.catalog.require_entity(action["entity"])
        key = action_key(chain, frame, action, "create")
        found = linked(chain.ctx, [key]).get(key)
        if found is None:
            values = {name: frame.value(chain, source) for name, source in action.get("values", {}).items()}
            copied: list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = []
            for spec in action.get("lines", ()):
                rows, sources = _copied_lines(frame, chain, spec)
                values[spec["to"]] = [*values.get(spec["to"], []), *rows]
                copied.append((spec, sources))
            created = records.create(chain.ctx, target.key, values)
            found = int(created["id"])
            note_link(chain.ctx, frame.entity, frame.record_id, target, found, key)
            chain.effects.add("record.linked", source_entity=frame.entity.key, source_id=frame.record_id,
                              entity=target.key, id=found)
            for spec, sources in copied:
                _add_back(frame, chain, spec, created.get(spec["to"]) or [])
                _check_over(frame, chain, spec, [int(s["id"]) for s in sources])
        if action.get("into"):
            frame.vars[action["into"]] = found


def _check_lines(checking: Checking, target: EntityDef, spec: Mapping[str, Any], at: str) -> list[Problem]:
    source_field, target_field = checking.entity.field(spec["from"]), target.field(spec["to"])
    problems: list[Problem] = []
    for name, field, entity, where in ((spec["from"], source_field, checking.entity, "from"),
                                       (spec["to"], target_field, target, "to")):
        if field is None or not checking.catalog.field_type(field).owns_rows:
            problems.append(Problem("workflow.not_lines", {"field": name, "entity": entity.key}, at=f"{at}/{where}"))
    if problems:
        return problems
    assert source_field is not None and target_field is not None
    source, line = checking.catalog.require_related(source_field), checking.catalog.require_related(target_field)
    inner = Checking(checking.catalog, checking.defs, checking.entity,
                     with_row(checking.scope, _line_name(spec), source, checking.catalog), checking.var_types)
    if spec.get("where") is not None:
        problems += inner.expression(spec["where"], ExprType.BOOLEAN, f"{at}/where")
    problems += check_values(inner, line, spec["values"], f"{at}/values")
    problems += _check_back(checking, source, line, spec.get("back"), f"{at}/back")
    over = spec.get("over")
    if over is not None:
        for prop in ("ordered", "delivered"):
            field = source.field(over[prop])
            if field is None or checking.catalog.field_expr_type(field) not in (ExprType.INTEGER, ExprType.DECIMAL):
                problems.append(Problem("workflow.not_quantity", {"field": over[prop], "entity": source.key},
                                        at=f"{at}/over/{prop}"))
        if over.get("allowance") is not None:
            problems += inner.expression(over["allowance"], ExprType.DECIMAL, f"{at}/over/allowance")
    return problems


def _check_back(checking: Checking, source: EntityDef, line: EntityDef, back: Mapping[str, Any] | None,
                at: str) -> list[Problem]:
    if back is None:
        return []
    problems: list[Problem] = []
    if line.field(back["field"]) is None:
        problems.append(Problem("definition.unknown_field", {"field": back["field"], "entity": line.key},
                                at=f"{at}/field"))
    for own, theirs in back["add"].items():
        for name, entity, where in ((own, source, f"{at}/add/{own}"), (theirs, line, f"{at}/add/{own}")):
            field = entity.field(name)
            if field is None or checking.catalog.field_expr_type(field) not in (ExprType.INTEGER, ExprType.DECIMAL) \
                    or checking.catalog.field_type(field).computed and entity is source:
                problems.append(Problem("workflow.not_quantity", {"field": name, "entity": entity.key}, at=where))
    return problems


def _copied_lines(frame: Frame, chain: Chain, spec: Mapping[str, Any]) -> tuple[list[dict[str, Any]],
                                                                                list[Mapping[str, Any]]]:
    """The new lines (values) and the source lines they come from."""
    field = frame.entity.field(spec["from"])
    assert field is not None
    rows: list[dict[str, Any]] = []
    sources: list[Mapping[str, Any]] = []
    with row_in_scope(frame, chain, _line_name(spec), chain.ctx.catalog.require_related(field)) as put:
        for line in frame.record.get(spec["from"]) or ():
            put(line)
            if frame.holds(chain, spec.get("where")):
                rows.append({n: frame.value(chain, s) for n, s in spec["values"].items()})
                sources.append(line)
    return rows, sources


def _add_back(frame: Frame, chain: Chain, spec: Mapping[str, Any], lines: list[Mapping[str, Any]]) -> None:
    """Add the new lines' quantities to the source lines they point back at (`back.field` holds the source
    line's id): one update of the current record (its lines are its own)."""
    back = spec.get("back")
    if back is None:
        return
    added: dict[int, dict[str, Decimal]] = {}
    for line in lines:
        source_id = line.get(back["field"])
        if source_id is None:
            continue
        sums = added.setdefault(int(source_id), {})
        for own, theirs in back["add"].items():
            sums[own] = sums.get(own, Decimal(0)) + Decimal(line.get(theirs) or 0)
    rows = [{"id": line["id"], **{name: Decimal(line.get(name) or 0) + more
                                  for name, more in added.get(int(line["id"]), {}).items()}}
            for line in frame.record.get(spec["from"]) or ()]
    if added:
        frame.record = records.update(chain.ctx, frame.entity.key, frame.record_id, {spec["from"]: rows})


def _check_over(frame: Frame, chain: Chain, spec: Mapping[str, Any], line_ids: list[int]) -> None:
    """Each copied source line, as it is now (its rollups follow the new record): within its allowance."""
    over = spec.get("over")
    if over is None:
        return
    field = frame.entity.field(spec["from"])
    assert field is not None
    source = chain.ctx.catalog.require_related(field)
    with row_in_scope(frame, chain, _line_name(spec), source) as put:
        for position, line in enumerate(frame.record.get(spec["from"]) or (), start=1):
            if int(line["id"]) not in line_ids:
                continue
            put(line)
            allowance = frame.value(chain, over["allowance"], ExprType.DECIMAL) if over.get("allowance") else 0
            ordered = Decimal(line.get(over["ordered"]) or 0)
            limit = ordered * (1 + Decimal(allowance or 0) / 100)
            delivered = Decimal(line.get(over["delivered"]) or 0)
            if delivered > limit:
                raise error(OverDeliveryError, "workflow.over_allowance", chain.ctx.locale, line=position,
                            title=title_of(chain.ctx, source, line), entity=entity_label(chain.ctx, frame.entity),
                            record=title_of(chain.ctx, frame.entity, frame.record), delivered=str(delivered),
                            ordered=str(ordered), allowance=str(allowance or 0), limit=str(limit))


def _line_name(spec: Mapping[str, Any]) -> str:
    return str(spec.get("as") or "line")


class FindOrCreate(ActionType):
    name = "find_or_create"
    properties = {"entity": {"$ref": "#/$defs/identifier"}, "match": {**_MAP, "minProperties": 1}, "values": _MAP,
                  "into": {"$ref": "#/$defs/identifier"}}
    required_properties = ("entity", "match", "into")

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        target, problems = entity_problem(checking, action["entity"], "entity", header=True)
        if target is None:
            return problems
        problems += check_values(checking, target, action["match"], "match")
        problems += check_values(checking, target, action.get("values", {}), "values") + check_into(checking, action)
        if not problems and not _unique(target, set(action["match"])):
            problems.append(Problem("workflow.key_not_unique", {"entity": target.key,
                                                                "fields": ", ".join(action["match"])}, at="match"))
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        target = chain.ctx.catalog.require_entity(action["entity"])
        key = {name: frame.value(chain, source) for name, source in action["match"].items()}
        found = _find(chain, target, key)
        if found is None:
            values = {name: frame.value(chain, source) for name, source in action.get("values", {}).items()}
            try:
                with chain.ctx.conn.begin_nested():
                    found = int(records.create(chain.ctx, target.key, {**values, **key})["id"])
            except (ValidationError, sa.exc.IntegrityError):
                found = _find(chain, target, key)  # created meanwhile by a concurrent chain
                if found is None:
                    raise
        frame.vars[action["into"]] = found


def _unique(entity: EntityDef, names: set[str]) -> bool:
    if len(names) == 1:
        field = entity.field(next(iter(names)))
        if field is not None and field.unique:
            return True
    return any(index.unique and set(index.fields) == names for index in entity.indexes)


def _find(chain: Chain, entity: EntityDef, key: Mapping[str, Any]) -> int | None:
    table = chain.ctx.tables[entity.key]
    conditions = [table.c._deleted_at.is_(None)]
    for name, value in key.items():
        field = entity.field(name)
        assert field is not None
        column = table.c[field.column]
        conditions.append(column.is_(None) if value is None else column == value)
    found = chain.ctx.conn.execute(sa.select(table.c.id).where(*conditions).limit(1)).scalar_one_or_none()
    return None if found is None else int(found)


for _type in (Create(), FindOrCreate()):
    ACTION_TYPES.register(_type)
