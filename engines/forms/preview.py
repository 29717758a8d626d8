"""A form's live preview: a draft record run through the records service's own write, then rolled back.

    result = preview(ctx, "sales_order", {"customer": 1, "lines": [{"product": 2, "qty": 3}]})
    result.record["total"], result.fields["discount"]["visible"], result.errors

The draft is converted and checked exactly as a save would (the same converters, link, attachment and
unique checks, hooks, the SQL recompute of formulas, rollups and lookups, `required_if` and rules on the
result), inside a savepoint that is always rolled back: nothing is kept, no number is taken, nothing is
audited. Unlike a save it does not stop at the first failing check: values that fail are left out (their
errors reported), the rest is written, so the computed fields show what the valid part gives. A save
checks everything again.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from jimu.platform.context import Context
from jimu.platform.errors import ErrorDetail, JimuError
from jimu.platform.registry.model import EntityDef

from .attachments import check_attachments
from .checks import check_read_only_if, check_record
from .common import header_entity, merged
from .creating import NewRecord, Preparer, insert_record
from .field_states import FieldStates, record_states
from .integrity import check_links, check_unique, check_unique_among, link_values
from .problems import Problems
from .reading import Record, child_fields, visible
from .rows import LinkCache
from .updating import load_for_write, sent_lines, write_changes
from .validation import LineInput, check_required, convert_values, line_values


@dataclass
class Preview:
    """The draft as the server computes it, each field's state, and every error a save would report."""

    record: Record
    fields: FieldStates
    lines: dict[str, list[FieldStates]]
    errors: list[ErrorDetail] = field(default_factory=list)


def preview(ctx: Context, entity_key: str, data: Any, record_id: int | None = None) -> Preview:
    """Preview a new record (`record_id` None) or a change of a stored one; nothing is kept."""
    entity = header_entity(ctx, entity_key)
    ctx.access.require(entity_key, "create" if record_id is None else "update")
    problems = Problems(ctx.locale)
    savepoint = ctx.conn.begin_nested()
    try:
        if record_id is None:
            draft, stored = _created(ctx, entity, data, problems), None
        else:
            stored = load_for_write(ctx, entity, record_id, "update", None)
            draft = _changed(ctx, entity, stored, data if isinstance(data, Mapping) else {}, problems)
        if draft.get("id") is not None:  # written: the rules and required_if on the computed record
            check_record(ctx, entity, draft, problems, LinkCache(ctx))
        fields, lines = record_states(ctx, entity, draft, stored)
        shown = visible(ctx, entity, draft)
    finally:
        savepoint.rollback()
    stored_lines = {line["id"] for f in child_fields(entity) for line in (stored or {}).get(f.name) or ()}
    _forget_ids(entity, shown, new=record_id is None, stored_lines=stored_lines)
    return Preview(shown, fields, lines, _unique(problems.details))


def _created(ctx: Context, entity: EntityDef, data: Any, problems: Problems) -> Record:
    preparer = Preparer(ctx, entity)
    record, links = preparer.prepare(data, problems)
    check_links(ctx, links, problems)
    check_attachments(ctx, entity, record.values, problems)
    preparer.check_unique(record, problems)
    failed = {d.path for d in problems.details}
    kept = NewRecord(_kept(record.values, failed, ""),
                     {name: [_kept(line, failed, f"{name}/{i}/") for i, line in enumerate(lines)]
                      for name, lines in record.lines.items()})
    unwritten: Record = {**kept.values, **kept.lines}
    return _written(ctx, problems, unwritten, lambda: insert_record(ctx, entity, kept, draft=True))


def _changed(ctx: Context, entity: EntityDef, current: Record, changes: Mapping[str, Any],
             problems: Problems) -> Record:
    """The steps of `updating.update`, collecting every problem, then its write as a draft."""
    values, children = convert_values(ctx, entity, changes, problems, current=current)
    check_attachments(ctx, entity, values, problems, record_id=current["id"], current=current)
    changed = [name for name, value in values.items() if current.get(name) != value]
    check_required(ctx, entity, values, problems, only=changed)
    check_read_only_if(ctx, entity, current, changed, problems, LinkCache(ctx))
    links = [link for link in link_values(ctx, entity, values) if link.field.name in changed]
    lines = {name: sent_lines(ctx, entity, name, rows, current, problems, links) for name, rows in children.items()}
    check_links(ctx, links, problems)
    check_unique(ctx, entity, merged(current, values), problems, exclude_id=current["id"], changed=changed)
    for name, sent in lines.items():
        child = ctx.catalog.require_related(entity.field(name))  # type: ignore[arg-type]
        rows = [line_values(line) for line in sent]
        check_unique_among(child, rows, problems, f"{name}/")
        for index, (line, row) in enumerate(zip(sent, rows)):
            check_unique(ctx, child, row, problems, prefix=f"{name}/{index}/", exclude_id=line.id)
    failed = {d.path for d in problems.details}
    values = {n: v for n, v in _kept(values, failed, "").items() if n in changed}
    lines = {name: [LineInput(line.id, _kept(line.values, failed, f"{name}/{i}/"), line.current)
                    for i, line in enumerate(sent)] for name, sent in lines.items()}
    unwritten = merged(current, {**values, **{n: [line_values(x) for x in sent] for n, sent in lines.items()}})
    return _written(ctx, problems, unwritten, lambda: write_changes(ctx, entity, current, values, lines, draft=True))


def _written(ctx: Context, problems: Problems, unwritten: Record, write: Any) -> Record:
    """The record written by `write` (in its own savepoint), or `unwritten` with the write's errors."""
    savepoint = ctx.conn.begin_nested()
    try:
        record: Record = write()
    except JimuError as error:
        savepoint.rollback()
        problems.details.extend(error.details or [ErrorDetail("", error.code, dict(error.params), error.message)])
        return {**unwritten, "id": None}
    except sa.exc.IntegrityError:
        savepoint.rollback()
        problems.add("", "records.integrity")
        return {**unwritten, "id": None}
    savepoint.commit()
    return record


def _kept(values: Mapping[str, Any], failed: set[str], prefix: str) -> dict[str, Any]:
    """Values without those at (or under) a failing path."""
    return {name: value for name, value in values.items()
            if f"{prefix}{name}" not in failed and not any(p.startswith(f"{prefix}{name}/") for p in failed)}


def _forget_ids(entity: EntityDef, record: Record, *, new: bool, stored_lines: set[int]) -> None:
    """The ids the draft's rows got are not real: a new record's, and new lines', are shown as None."""
    if new:
        for key in ("id", "_version", "_created_at", "_created_by", "_updated_at", "_updated_by"):
            if key in record:
                record[key] = None
    for f in child_fields(entity):
        for line in record.get(f.name) or ():
            if line.get("id") not in stored_lines:
                line["id"] = None


def _unique(details: list[ErrorDetail]) -> list[ErrorDetail]:
    seen: set[tuple[str, str]] = set()
    out: list[ErrorDetail] = []
    for detail in details:
        if (detail.path, detail.code) not in seen:
            seen.add((detail.path, detail.code))
            out.append(detail)
    return out
