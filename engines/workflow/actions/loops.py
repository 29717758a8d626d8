"""`for_each`: a body of actions for each line of the record, or for each record of a query of any entity.

    {"type": "for_each", "lines": "lines", "where": "line.qty > 0", "order": ["-qty"], "actions": [...]}
    {"type": "for_each", "entity": "stock_layer", "as": "layer",
     "where": "layer.item = vars.item and layer.remaining > 0", "order": ["received_on"], "limit": 50,
     "actions": [{"type": "let", "vars": {"take": "MIN(vars.left, layer.remaining)"}}, ...,
                 {"type": "stop", "when": "vars.left = 0"}]}

The row is in scope under `as` (default `line` for lines, `row` for a query). The frame's `vars` carry
from one row to the next (a running remainder); `stop` ends the loop. A query's rows are read when the
loop starts; each row is read as it is when its turn comes (an earlier turn may have changed it).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jimu.engines.forms import records
from jimu.engines.forms.rows import LinkCache, RecordRow
from jimu.platform.fields.base import Problem
from jimu.platform.registry.model import EntityDef

from ..chain import Chain, Frame, run_actions
from .base import ActionType, Checking
from .queries import ORDER, order_problems, query_ids, sorted_lines, where_problems
from .registry import ACTION_TYPES
from .support import check_body, entity_problem, with_row


class ForEach(ActionType):
    name = "for_each"
    properties = {
        "lines": {"type": "string", "description": "A child table of the record: its lines, in their order."},
        "entity": {"$ref": "#/$defs/identifier", "description": "Or: the records of this entity (a query)."},
        "as": {"$ref": "#/$defs/identifier"},
        "where": {"$ref": "#/$defs/expression"},
        "order": ORDER,
        "limit": {"type": "integer", "minimum": 1, "maximum": 10_000},
        "actions": {"$ref": "#/$defs/actions"},
    }
    required_properties = ("actions",)

    def check(self, action: Mapping[str, Any], checking: Checking) -> list[Problem]:
        entity, problems = self._row_entity(action, checking)
        if entity is None:
            return problems
        name = _row_name(action)
        inner = Checking(checking.catalog, checking.defs, checking.entity,
                         with_row(checking.scope, name, entity, checking.catalog), dict(checking.var_types))
        if action.get("where") is not None:
            problems += where_problems(inner, action["where"], "where")
        problems += order_problems(entity, action.get("order", ()), "order")
        return problems + check_body(action["actions"], inner, "actions")

    def _row_entity(self, action: Mapping[str, Any], checking: Checking) -> tuple[EntityDef | None, list[Problem]]:
        if ("lines" in action) == ("entity" in action):
            return None, [Problem("workflow.loop_source", {}, at="")]
        if "entity" in action:
            return entity_problem(checking, action["entity"], "entity")
        field = checking.entity.field(action["lines"])
        if field is None or not checking.catalog.field_type(field).owns_rows:
            return None, [Problem("workflow.not_lines", {"field": str(action["lines"]), "entity": checking.entity.key},
                                  at="lines")]
        return checking.catalog.require_related(field), []

    def run(self, action: Mapping[str, Any], frame: Frame, chain: Chain) -> None:
        name, at = _row_name(action), frame.at
        scope, trail, outer = frame.scope, frame.trail, frame.rows.get(name)
        if "lines" in action:
            field = frame.entity.field(action["lines"])
            assert field is not None
            entity = chain.ctx.catalog.require_related(field)
        else:
            entity = chain.ctx.catalog.require_entity(action["entity"])
        frame.scope = with_row(scope, name, entity, chain.ctx.catalog)
        try:
            if "lines" in action:
                self._over_lines(action, frame, chain, entity, name, at)
            else:
                self._over_query(action, frame, chain, entity, name, at)
        finally:
            frame.scope, frame.trail, frame.stopped = scope, trail, False
            frame.rows.pop(name, None)
            if outer is not None:
                frame.rows[name] = outer

    def _over_lines(self, action: Mapping[str, Any], frame: Frame, chain: Chain, entity: EntityDef, name: str,
                    at: str) -> None:
        cache = LinkCache(chain.ctx)
        lines: Sequence[Mapping[str, Any]] = frame.record.get(action["lines"]) or ()
        for line in sorted_lines(lines, action.get("order", ())):
            frame.rows[name] = RecordRow(cache, entity, line)
            if not frame.holds(chain, action.get("where")):
                continue
            if not _turn(action, frame, chain, name, line, at):
                return

    def _over_query(self, action: Mapping[str, Any], frame: Frame, chain: Chain, entity: EntityDef, name: str,
                    at: str) -> None:
        frame.rows.pop(name, None)
        ids = query_ids(chain, frame, entity, name, action.get("where"), action.get("order", ()), action.get("limit"))
        cache = LinkCache(chain.ctx)
        for record_id in ids:
            row = records.get(chain.ctx, entity.key, record_id)
            frame.rows[name] = RecordRow(cache, entity, row)
            if not _turn(action, frame, chain, name, row, at):
                return


def _turn(action: Mapping[str, Any], frame: Frame, chain: Chain, name: str, row: Mapping[str, Any],
          at: str) -> bool:
    """Run the body for one row; False when a `stop` ended the loop."""
    base = frame.trail
    frame.trail = f"{base}{at}#{name}={row.get('id')};"
    run_actions(chain, frame, action["actions"], f"{at}/actions")
    frame.trail = base
    return not frame.stopped


def _row_name(action: Mapping[str, Any]) -> str:
    return str(action.get("as") or ("line" if "lines" in action else "row"))


ACTION_TYPES.register(ForEach())
