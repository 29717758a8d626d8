"""`post_ledger`: append rows to a ledger entity, balanced when asked; `reverse_ledger`: mirror them on cancel.

    {"type": "post_ledger", "key": "revenue", "entity": "journal_line",
     "balance": {"debit": "debit", "credit": "credit"},
     "rows": [{"values": {"account": "'1100'", "debit": "total", "credit": "0", "document": "id"}},
              {"lines": "lines", "where": "line.amount > 0",
               "values": {"account": "'4000'", "debit": "0", "credit": "line.amount", "document": "id"}}]}

Each entry of `rows` posts one row, or one per line of a child table (`lines`, each line under `as`,
default `line`; `where` picks them). With `balance`, the rows the action posts must balance, Decimal-exact
as stored: sum of `debit` = sum of `credit` (or, with `{"amount": "amount"}`, signed amounts summing to 0).
Each row is noted in `jimu_wf_link` under a key derived from the run's key, the action and the row: a
retried run posts nothing twice.

    {"type": "reverse_ledger", "entity": "journal_line", "swap": [["debit", "credit"]],
     "values": {"memo": "'Reversal'"}}

appends, for every row this record posted to that ledger and not yet reversed, a mirrored row: the same
values with each `swap` pair exchanged and each `negate` field negated (`values`, with the original row
under `row`, override). Nothing is deleted; each row is reversed once, however often it runs.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.platform.fields.base import Problem
from jimu.platform.registry.model import EntityDef

from ..chain import Chain, Frame
from ..errors import LedgerUnbalancedError, error
from ..tables import created_links
from .base import ActionType, Checking
from .registry import ACTION_TYPES
from .support import action_key, check_values, entity_problem, linked, note_link, row_in_scope, with_row

_MAP = {"type": "object", "additionalProperties": {"$ref": "#/$defs/expression"}}
_ROWS = {"type": "array", "minItems": 1, "maxItems": 50, "items": {
    "type": "object", "required": ["values"], "additionalProperties": False,
    "properties": {"values": _MAP, "lines": {"type": "string"}, "as": {"$ref": "#/$defs/identifier"},
                   "where": {"$ref": "#/$defs/expression"}}}}
_BALANCE = {"oneOf": [
    {"type": "object", "required": ["debit", "credit"], "additionalProperties": False,
     "properties": {"debit": {"type": "string"}, "credit": {"type": "string"}}},
    {"type": "object", "required": ["amount"], "additionalProperties": False,
     "properties": {"amount": {"type": "string"}}}]}
_NUMERIC = (ExprType.INTEGER, ExprType.DECIMAL)
POSTED, REVERSED = "post", "reverse"


class PostLedger(ActionType):
    name = "post_ledger"
    properties = {"entity": {"$ref": "#/$defs/identifier"}, "rows": _ROWS, "balance": _BALANCE}
    required_properties = ("entity", "rows")

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        ledger, problems = entity_problem(checking, action["entity"], "entity", header=True)
        if ledger is None:
            return problems
        for prop, name in (action.get("balance") or {}).items():
            problems += _numeric_field(checking, ledger, name, f"balance/{prop}")
        for index, spec in enumerate(action["rows"]):
            problems += _check_row(checking, ledger, spec, f"rows/{index}")
        return problems

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        ledger = chain.ctx.catalog.require_entity(action["entity"])
        wanted = [(action_key(chain, frame, action, POSTED, part), values)
                  for index, spec in enumerate(action["rows"]) for part, values in _rows(frame, chain, spec, index)]
        done = linked(chain.ctx, [key for key, _ in wanted])
        posted: list[dict[str, Any]] = []
        for key, values in wanted:
            if key in done:
                posted.append(records.get(chain.ctx, ledger.key, done[key]))
                continue
            row = records.create(chain.ctx, ledger.key, values)
            note_link(chain.ctx, frame.entity, frame.record_id, ledger, int(row["id"]), key)
            posted.append(row)
        totals = _balance(chain, action.get("balance"), posted)
        chain.effects.add("ledger.posted", entity=ledger.key, source_entity=frame.entity.key,
                          source_id=frame.record_id, rows=[_own(ledger, chain, r) for r in posted], **totals)


def _check_row(checking: Checking, ledger: EntityDef, spec: Mapping[str, Any], at: str) -> list[Problem]:
    inner = checking
    if spec.get("lines") is not None:
        field = checking.entity.field(spec["lines"])
        if field is None or not checking.catalog.field_type(field).owns_rows:
            return [Problem("workflow.not_lines", {"field": spec["lines"], "entity": checking.entity.key},
                            at=f"{at}/lines")]
        line = checking.catalog.require_related(field)
        inner = Checking(checking.catalog, checking.defs, checking.entity,
                         with_row(checking.scope, _line_name(spec), line, checking.catalog), checking.var_types)
    problems = check_values(inner, ledger, spec["values"], f"{at}/values")
    if spec.get("where") is not None:
        problems += inner.expression(spec["where"], ExprType.BOOLEAN, f"{at}/where")
    return problems


def _numeric_field(checking: Checking, ledger: EntityDef, name: str, at: str) -> list[Problem]:
    field = ledger.field(name)
    if field is None or checking.catalog.field_expr_type(field) not in _NUMERIC:
        return [Problem("workflow.not_quantity", {"field": name, "entity": ledger.key}, at=at)]
    return []


def _rows(frame: Frame, chain: Chain, spec: Mapping[str, Any], index: int) -> list[tuple[str, dict[str, Any]]]:
    """(part of the idempotency key, values) of each row an entry of `rows` posts."""
    if spec.get("lines") is None:
        if not frame.holds(chain, spec.get("where")):
            return []
        return [(str(index), {n: frame.value(chain, s) for n, s in spec["values"].items()})]
    field = frame.entity.field(spec["lines"])
    assert field is not None
    found: list[tuple[str, dict[str, Any]]] = []
    with row_in_scope(frame, chain, _line_name(spec), chain.ctx.catalog.require_related(field)) as put:
        for line in frame.record.get(spec["lines"]) or ():
            put(line)
            if frame.holds(chain, spec.get("where")):
                found.append((f"{index}.{line['id']}", {n: frame.value(chain, s) for n, s in spec["values"].items()}))
    return found


def _balance(chain: Chain, balance: Mapping[str, str] | None, posted: list[dict[str, Any]]) -> dict[str, Any]:
    """The totals of the rows posted; refused when they must balance and do not."""
    if not balance:
        return {}
    if "amount" in balance:
        total = sum((Decimal(r.get(balance["amount"]) or 0) for r in posted), Decimal(0))
        if total != 0:
            raise error(LedgerUnbalancedError, "workflow.ledger_unbalanced", chain.ctx.locale,
                        debit=str(total), credit="0")
        return {"amount": total}
    debit = sum((Decimal(r.get(balance["debit"]) or 0) for r in posted), Decimal(0))
    credit = sum((Decimal(r.get(balance["credit"]) or 0) for r in posted), Decimal(0))
    if debit != credit:
        raise error(LedgerUnbalancedError, "workflow.ledger_unbalanced", chain.ctx.locale, debit=str(debit),
                    credit=str(credit))
    return {"debit": debit, "credit": credit}


def _own(ledger: EntityDef, chain: Chain, row: Mapping[str, Any]) -> dict[str, Any]:
    """A posted row's own values (what the effects show)."""
    return {"id": row["id"], **{f.name: row.get(f.name) for f in chain.ctx.catalog.value_fields(ledger)}}


def _line_name(spec: Mapping[str, Any]) -> str:
    return str(spec.get("as") or "line")


class ReverseLedger(ActionType):
    name = "reverse_ledger"
    properties = {"entity": {"$ref": "#/$defs/identifier"},
                  "swap": {"type": "array", "items": {"type": "array", "items": {"type": "string"},
                                                      "minItems": 2, "maxItems": 2}},
                  "negate": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
                  "values": _MAP}
    required_properties = ("entity",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        ledger, problems = entity_problem(checking, action["entity"], "entity", header=True)
        if ledger is None:
            return problems
        for index, pair in enumerate(action.get("swap", ())):
            for side, name in enumerate(pair):
                problems += _numeric_field(checking, ledger, name, f"swap/{index}/{side}")
        for index, name in enumerate(action.get("negate", ())):
            problems += _numeric_field(checking, ledger, name, f"negate/{index}")
        if not action.get("swap") and not action.get("negate"):
            problems.append(Problem("workflow.reverse_how", {}, at=""))
        inner = Checking(checking.catalog, checking.defs, checking.entity,
                         with_row(checking.scope, "row", ledger, checking.catalog), checking.var_types)
        return problems + check_values(inner, ledger, action.get("values", {}), "values")

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        ledger = chain.ctx.catalog.require_entity(action["entity"])
        posted = _posted(chain, frame, ledger)
        done = linked(chain.ctx, [_reverse_key(ledger, i) for i in posted])
        reversed_rows: list[dict[str, Any]] = []
        for original_id in posted:
            if _reverse_key(ledger, original_id) in done:
                continue
            original = records.get(chain.ctx, ledger.key, original_id)
            row = records.create(chain.ctx, ledger.key, _mirrored(action, frame, chain, ledger, original))
            note_link(chain.ctx, frame.entity, frame.record_id, ledger, int(row["id"]),
                      _reverse_key(ledger, original_id))
            reversed_rows.append({**_own(ledger, chain, row), "reverses": original_id})
        chain.effects.add("ledger.reversed", entity=ledger.key, source_entity=frame.entity.key,
                          source_id=frame.record_id, rows=reversed_rows)


def _posted(chain: Chain, frame: Frame, ledger: EntityDef) -> list[int]:
    """The ledger rows this record posted (not its reversals), in posting order."""
    links = created_links
    return [int(i) for i in chain.ctx.conn.execute(
        sa.select(links.c.target_id).where(links.c.source_entity == frame.entity.key,
                                           links.c.source_id == frame.record_id, links.c.target_entity == ledger.key,
                                           links.c.action_key.like(f"{POSTED}:%")).order_by(links.c.id)).scalars()]


def _reverse_key(ledger: EntityDef, original_id: int) -> str:
    return f"{REVERSED}:{ledger.key}:{original_id}"


def _mirrored(action: Mapping[str, Any], frame: Frame, chain: Chain, ledger: EntityDef,
              original: Mapping[str, Any]) -> dict[str, Any]:
    catalog = chain.ctx.catalog
    values = {f.name: original.get(f.name) for f in catalog.value_fields(ledger)
              if not (catalog.field_type(f).computed or catalog.field_type(f).numbered)}
    for first, second in action.get("swap", ()):
        values[first], values[second] = original.get(second), original.get(first)
    for name in action.get("negate", ()):
        values[name] = None if original.get(name) is None else -original[name]
    if action.get("values"):
        with row_in_scope(frame, chain, "row", ledger) as put:
            put(original)
            values.update({n: frame.value(chain, s) for n, s in action["values"].items()})
    return values


for _type in (PostLedger(), ReverseLedger()):
    ACTION_TYPES.register(_type)
