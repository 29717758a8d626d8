"""Reading ahead: a request's read sent in the same statement as its credential check (one round trip, one
execution instead of two).

    rider = Rider(plan.by_id, {"record_id": 7})              # a ready statement the request will run
    combined = riding(token_query, rider.statement)           # token query LEFT JOIN (rider) ON true
    ready.put(rider, rows)                                    # its row(s), as the plain statement returns them
    rows = ready.take(plan.by_id, {"record_id": 7})           # later: the same statement object and parameters

Safety does not hang on guessing right: the ready rows are handed out only to the very statement object
they were read by, with equal parameters, once. A statement without a reader's row condition returns the
same rows whoever asks, so the caller's permission checks (made after authentication, as always) decide
whether the rows are used at all; a caller whose policy adds a condition runs another statement and the
ready rows go unused. The rider is read in the same statement as the credential and the stamps, so it is
as consistent as the request's first statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

FOUND = "jimu_rider_found"


@dataclass(frozen=True)
class Rider:
    """A SELECT of at most one row (e.g. a record by primary key) to read along another statement."""

    statement: sa.Select[Any]
    params: dict[str, Any]


@dataclass(frozen=True)
class Riding:
    """A query with a rider LEFT JOINed to it: the rider's columns come back under `labels`."""

    query: sa.Select[Any]
    labels: tuple[str, ...]

    def rider_rows(self, row: Any) -> list[tuple[Any, ...]]:
        """The rider's row, as the plain statement would return it (none when it found nothing)."""
        mapping = row._mapping
        if mapping[FOUND] is None:
            return []
        return [tuple(mapping[label] for label in self.labels)]


def riding(query: sa.Select[Any], rider: sa.Select[Any]) -> Riding:
    """`query` (one row at most) with `rider` (one row at most) LEFT JOINed on true: one statement."""
    marked = rider.add_columns(sa.literal_column("1").label(FOUND))
    sub = marked.subquery("jimu_rider")
    columns = list(sub.c)
    labels = tuple(f"jimu_rider_{n}" for n in range(len(columns) - 1))
    combined = query.add_columns(*(c.label(label) for c, label in zip(columns, labels)), sub.c[FOUND]) \
        .outerjoin(sub, sa.true())
    return Riding(combined, labels)


class ReadyRows:
    """Rows read ahead for a unit of work: each handed out once, to the same statement with equal parameters."""

    def __init__(self) -> None:
        self._entries: list[tuple[sa.Select[Any], dict[str, Any], list[tuple[Any, ...]]]] = []

    def put(self, rider: Rider, rows: list[tuple[Any, ...]]) -> None:
        self._entries.append((rider.statement, dict(rider.params), rows))

    def take(self, statement: sa.Select[Any], params: dict[str, Any] | None) -> list[tuple[Any, ...]] | None:
        """The rows read ahead for this statement object and parameters (removed), None when there are none."""
        for n, (ready, ready_params, rows) in enumerate(self._entries):
            if ready is statement and ready_params == (params or {}):
                del self._entries[n]
                return rows
        return None

    def __len__(self) -> int:
        return len(self._entries)
