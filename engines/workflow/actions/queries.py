"""Finding records of any entity from an action: a `where` in the action's own scope with the row under a
name (`row.customer = customer and row.open > 0`), an `order` and a `limit`, compiled to one SQL query.

What the condition reads of the record the actions run on, of `vars`, `params` and loop rows is the same
for every candidate row: those parts are evaluated first and bound as values; what it reads of the row
becomes SQL over the entity's table (link paths as semi-joins), so only matching rows are read.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import CheckedExpression, evaluate, to_sql_predicate
from jimu.engines.expressions.typed import TCall, TField, TInList, TLiteral, TNode
from jimu.engines.expressions.types import ExprType
from jimu.engines.forms.reading import eval_env
from jimu.platform.fields.base import Problem
from jimu.platform.registry.model import EntityDef
from jimu.platform.storage.bindings import EntityBinding

from ..expressions import compiled
from .base import Checking

if TYPE_CHECKING:
    from ..chain import Chain, Frame

MAX_ROWS = 10_000  # rows one query of an action reads at most (without a smaller `limit`)
ORDER = {"type": "array", "items": {"type": "string", "pattern": "^-?[a-z_][a-z0-9_]*$"}, "maxItems": 8}


def order_problems(entity: EntityDef, order: Sequence[str], at: str) -> list[Problem]:
    return [Problem("definition.unknown_field", {"field": name.lstrip("-"), "entity": entity.key}, at=f"{at}/{n}")
            for n, name in enumerate(order) if name.lstrip("-") != "id" and entity.field(name.lstrip("-")) is None]


def where_problems(checking: Checking, source: Any, at: str) -> list[Problem]:
    return checking.expression(source, ExprType.BOOLEAN, at)


def query_ids(chain: Chain, frame: Frame, entity: EntityDef, name: str, where: str | None,
              order: Sequence[str] = (), limit: int | None = None, *, lock: bool = False) -> list[int]:
    """Ids of the live records of `entity` for which `where` holds (the row under `name`), in `order`.

    With `lock`, the rows are locked (PostgreSQL FOR UPDATE) in id order, the one order every action
    takes them in, so two chains locking overlapping rows never deadlock."""
    ctx = chain.ctx
    table = ctx.tables[entity.key]
    binding = EntityBinding(ctx.catalog, ctx.tables, entity, eval_env(ctx), ctx.dialect, table)
    conditions: list[ColumnElement[bool]] = []
    if "_deleted_at" in table.c:
        conditions.append(table.c._deleted_at.is_(None))
    if where is not None:
        conditions.append(_predicate(chain, frame, name, where, binding))
    keys = [_order_key(binding, item) for item in order] + [table.c.id]
    statement = sa.select(table.c.id).where(*conditions).order_by(*keys).limit(min(limit or MAX_ROWS, MAX_ROWS))
    ids = [int(i) for i in ctx.conn.execute(statement).scalars()]
    if lock and ids and ctx.dialect == "postgresql" and not entity.is_child:
        ctx.conn.execute(sa.select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update())
    return ids


def lock_rows(chain: Chain, entity: EntityDef, ids: Sequence[int]) -> None:
    """Lock records of `entity` for a read-modify-write (PostgreSQL FOR UPDATE, in id order; SQLite's write
    transaction already serialises writers)."""
    ctx = chain.ctx
    if ids and ctx.dialect == "postgresql":
        table = ctx.tables[entity.key]
        ctx.conn.execute(sa.select(table.c.id).where(table.c.id.in_(sorted(set(ids))))
                         .order_by(table.c.id).with_for_update())


def _order_key(binding: EntityBinding, item: str) -> ColumnElement[Any]:
    column = binding.column(item.lstrip("-"))
    return column.desc() if item.startswith("-") else column.asc()


def _predicate(chain: Chain, frame: Frame, name: str, where: str, binding: EntityBinding) -> ColumnElement[bool]:
    checked = compiled(chain.ctx.catalog, frame.scope, where, ExprType.BOOLEAN)
    row = frame.row(chain)
    env = chain.env()

    def outer(node: TNode) -> Any:
        return evaluate(CheckedExpression(where, node.type, node, frozenset(), False), row, env)

    tree = bound(checked.tree, name, outer)
    rebound = CheckedExpression(where, checked.type, tree, frozenset(), checked.uses_now)
    return to_sql_predicate(rebound, binding, env, chain.ctx.dialect)


def bound(node: TNode, name: str, outer: Any) -> TNode:
    """The tree with every part not reading the row `name` replaced by its value, and `name.x` by `x`."""
    if not mentions(node, name):
        return node if isinstance(node, TLiteral) else TLiteral(outer(node), node.type)
    if isinstance(node, TField):
        return replace(node, path=node.path[1:] or ("id",))
    if isinstance(node, TCall):
        return replace(node, args=tuple(bound(arg, name, outer) for arg in node.args))
    assert isinstance(node, TInList)
    return replace(node, operand=bound(node.operand, name, outer),
                   items=tuple(bound(item, name, outer) for item in node.items))


def mentions(node: TNode, name: str) -> bool:
    """Whether the tree reads the row `name` (aggregates read the record's own lines, never the row)."""
    if isinstance(node, TField):
        return not node.in_child and node.path[0] == name
    if isinstance(node, TCall):
        return any(mentions(arg, name) for arg in node.args)
    if isinstance(node, TInList):
        return mentions(node.operand, name) or any(mentions(item, name) for item in node.items)
    return False


def sorted_lines(lines: Sequence[Mapping[str, Any]], order: Sequence[str]) -> list[Mapping[str, Any]]:
    """Lines in `order` (each `field` or `-field`; blanks last), else as they are."""
    result = list(lines)
    for item in reversed(order):
        name = item.lstrip("-")
        descending = item.startswith("-")
        present = [line for line in result if line.get(name) is not None]
        blank = [line for line in result if line.get(name) is None]
        present.sort(key=lambda line: line[name], reverse=descending)
        result = present + blank
    return result
