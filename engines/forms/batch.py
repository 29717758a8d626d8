"""One action over many selected records (a list's bulk edit, delete or transition), row by row.

Each row runs in a savepoint of its own: a row the server refuses (a rule, a permission, a stale state)
is rolled back alone and reported with its code, message and field errors, the others are kept and
commit together with the request's transaction. With `all_or_nothing`, any refusal rolls every row back
(the report still names each refused row, `rolled_back` is true).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from jimu.platform.context import Context
from jimu.platform.errors import JimuError

MAX_BATCH = 500


@dataclass(frozen=True)
class RowRefusal:
    """A row the action was refused for: the record id, the error's code and message, its field errors."""

    id: int
    code: str
    message: str
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "code": self.code, "message": self.message, "errors": self.errors}


@dataclass
class BatchReport:
    done: list[int] = field(default_factory=list)
    refused: list[RowRefusal] = field(default_factory=list)
    rolled_back: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"done": [] if self.rolled_back else self.done, "done_count": 0 if self.rolled_back else len(self.done),
                "refused": [r.as_dict() for r in self.refused], "refused_count": len(self.refused),
                "rolled_back": self.rolled_back}


def run_each(ctx: Context, ids: Sequence[int], action: Callable[[int], object], *,
             all_or_nothing: bool = False) -> BatchReport:
    """Run `action(id)` for each id (once each, in the given order), each in a savepoint; typed errors
    (JimuError) become refusals, anything else propagates and fails the whole request."""
    report = BatchReport()
    outer = ctx.conn.begin_nested() if all_or_nothing else None
    try:
        for record_id in dict.fromkeys(ids):
            savepoint = ctx.conn.begin_nested()
            try:
                action(record_id)
            except JimuError as error:
                savepoint.rollback()
                report.refused.append(_refusal(record_id, error))
                continue
            except BaseException:
                savepoint.rollback()
                raise
            savepoint.commit()
            report.done.append(record_id)
    except BaseException:
        if outer is not None and outer.is_active:
            outer.rollback()
        raise
    if outer is not None:
        if report.refused:
            outer.rollback()
            report.rolled_back = True
        else:
            outer.commit()
    return report


def _refusal(record_id: int, error: JimuError) -> RowRefusal:
    errors = []
    for detail in error.details:
        shown = detail.as_dict()
        shown["field"] = str(detail.path).lstrip("/").split("/")[0] or None
        errors.append(shown)
    return RowRefusal(record_id, error.code, error.message, errors)
