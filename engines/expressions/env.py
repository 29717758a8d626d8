"""The evaluation environment: who is asking, what time it is, and how to run an aggregate over a query."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .typed import TQuery

QueryRunner = Callable[["TQuery"], Any]
"""Runs an aggregate over a query (`SUM(invoice.total WHERE ...)`) whose references to the current record
are already replaced by their values, and returns its value: Python cannot read other records, the
platform runs the same compiled subquery."""


@dataclass(frozen=True)
class EvalEnv:
    current_user: int | None
    now: datetime  # aware; naive values are taken as UTC
    query_aggregate: QueryRunner | None = field(default=None, compare=False)

    @property
    def now_utc(self) -> datetime:
        if self.now.tzinfo is None:
            return self.now.replace(tzinfo=UTC)
        return self.now.astimezone(UTC)

    @property
    def today(self) -> date:
        return self.now_utc.date()
