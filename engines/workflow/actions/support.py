"""What several action types share: bodies checked in a wider scope, field maps, the scope of another
entity's row, idempotency keys and the links noted for them, record titles."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from jimu.engines.expressions import ScopeField
from jimu.engines.expressions.types import ExprType
from jimu.engines.forms.rows import LinkCache, RecordRow
from jimu.platform.context import Context
from jimu.platform.errors import DefinitionError
from jimu.platform.fields.base import Problem
from jimu.platform.i18n import label
from jimu.platform.problems import Problems
from jimu.platform.registry.catalog import Catalog
from jimu.platform.registry.model import EntityDef

from ..expressions import field_value_type
from ..scope import ActionScope
from ..tables import created_links
from .base import Checking

if TYPE_CHECKING:
    from ..chain import Chain, Frame



class _Collected(Problems[DefinitionError]):
    error_kind = DefinitionError
    error_code = "definition.invalid"


def check_body(actions: Sequence[Mapping[str, Any]], checking: Checking, at: str) -> list[Problem]:
    """Problems of a nested action list (a loop's body) checked with `checking`, at paths below `at`."""
    from ..validation import check_actions

    collected = _Collected("en")
    check_actions(actions, checking, at, collected)
    return [Problem(d.code, d.params, at=d.path.lstrip("/")) for d in collected.details]


def entity_problem(checking: Checking, key: Any, at: str, *, header: bool = False) -> tuple[EntityDef | None,
                                                                                             list[Problem]]:
    """The entity `key` names, or the problem saying it is unknown (or a line entity where a header is needed)."""
    entity = checking.catalog.entity(key) if isinstance(key, str) else None
    if entity is None:
        return None, [Problem("workflow.unknown_entity", {"entity": str(key)}, at=at)]
    if header and entity.is_child:
        return None, [Problem("workflow.line_entity", {"entity": entity.key}, at=at)]
    return entity, []


def check_values(checking: Checking, entity: EntityDef, values: Mapping[str, Any], at: str) -> list[Problem]:
    """A field map (field → expression) for `entity`: known, writable fields, expressions of their types."""
    problems: list[Problem] = []
    for name, source in values.items():
        field = entity.field(name)
        where = f"{at}/{name}"
        if field is None:
            problems.append(Problem("definition.unknown_field", {"field": name, "entity": entity.key}, at=where))
            continue
        field_type = checking.catalog.field_type(field)
        if field_type.computed or field_type.owns_rows:
            problems.append(Problem("workflow.field_not_writable", {"field": name}, at=where))
            continue
        problems += checking.expression(source, field_value_type(checking.catalog, field), where)
    return problems


def check_into(checking: Checking, action: Mapping[str, Any]) -> list[Problem]:
    """`into` must name a declared integer variable (it receives a record id)."""
    name = action.get("into")
    if name is None or checking.var_types.get(name) is ExprType.INTEGER:
        return []
    return [Problem("workflow.into_variable", {"name": str(name)}, at="into")]


def with_row(scope: ActionScope, name: str, entity: EntityDef, catalog: Catalog) -> ActionScope:
    """`scope` with a row of `entity` under `name` (`line.qty`, `row.remaining`)."""
    return scope.with_names(**{name: ScopeField(name, ExprType.INTEGER, link=catalog.scope(entity.key))})


@contextmanager
def row_in_scope(frame: Frame, chain: Chain, name: str, entity: EntityDef) -> Iterator[Callable[[Mapping[str, Any]],
                                                                                               None]]:
    """A row of `entity` in scope under `name` while the block runs (`put(values)` sets which); the frame's
    scope and rows as they were afterwards (an outer row of the same name comes back)."""
    scope, outer = frame.scope, frame.rows.get(name)
    frame.scope = with_row(scope, name, entity, chain.ctx.catalog)
    cache = LinkCache(chain.ctx)

    def put(values: Mapping[str, Any]) -> None:
        frame.rows[name] = RecordRow(cache, entity, values)

    try:
        yield put
    finally:
        frame.scope = scope
        frame.rows.pop(name, None)
        if outer is not None:
            frame.rows[name] = outer


def action_key(chain: Chain, frame: Frame, action: Mapping[str, Any], kind: str, part: str = "") -> str:
    """The idempotency key of what an action creates or posts: the run's key, the record and where the frame
    is (loops, calls), the action's key (else its path), and a part (a row of it) — the same on every retry."""
    where = action.get("key") or frame.at
    text = f"{chain.run_key}|{frame.entity.key}:{frame.record_id}|{frame.trail}|{where}|{part}"
    digest = hashlib.sha256(text.encode()).hexdigest()[:48]
    return f"{kind}:{digest}"


def linked(ctx: Context, keys: Sequence[str]) -> dict[str, int]:
    """The records already created under these keys (key → target id)."""
    if not keys:
        return {}
    rows = ctx.conn.execute(sa.select(created_links.c.action_key, created_links.c.target_id)
                            .where(created_links.c.action_key.in_(list(keys)))).all()
    return {str(k): int(t) for k, t in rows}


def note_link(ctx: Context, source: EntityDef, source_id: int, target: EntityDef, target_id: int, key: str) -> None:
    ctx.conn.execute(sa.insert(created_links).values(source_entity=source.key, source_id=source_id,
                                                     target_entity=target.key, target_id=target_id,
                                                     action_key=key, created_at=ctx.now()))


def title_of(ctx: Context, entity: EntityDef, record: Mapping[str, Any]) -> str:
    """How a record is named in messages: its title field, else #id."""
    name = entity.title_field
    value = record.get(name) if name else None
    return str(value) if value not in (None, "") else f"#{record.get('id')}"


def entity_label(ctx: Context, entity: EntityDef) -> str:
    return label(entity.label, ctx.locale) or entity.key
