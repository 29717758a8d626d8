"""Which occurrences of the time-based rules are due, and queueing each of them once.

Each schedule or date rule has a clock (`jimu_wf_rule_clock`): the moment up to which it was looked at.
A check at `now` looks at (clock, now]:
- a `schedule` rule is due at its latest cron occurrence in that window (missed occurrences are
  coalesced, as a worker that was down runs the rule once, not once per missed minute); it runs over
  every record of its entity for which its `condition` holds, one run per record;
- a `date` rule is due for each record whose field, moved by the offset (and at `at` in the rule's
  timezone for a date field), falls in the window and for which its condition holds.
A rule's first check starts its clock (nothing before it is due); changing its trigger restarts it.
Every occurrence has a key, rule + record + moment, kept unique in the history: computing the same window
twice, or two workers at once, queues each occurrence once.

    due_rules(ctx, now)          # what is due, nothing written
    queue_due_rules(ctx, now)    # queue each due occurrence once and move the clocks to now
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms.listing import build_plan, iter_pages
from jimu.engines.forms.query import ListQuery
from jimu.platform.context import Context
from jimu.platform.errors import JimuError

from . import history
from .queue import enqueue_run
from .rules import RuleDef, rules_of
from .runner import Firing
from .tables import rule_clocks
from .timing import Cron, DateTiming, Offset, time_of_day

MAX_RECORDS = 10_000  # records one occurrence runs over (a schedule) or one window finds (a date rule)
PAGE = 500


@dataclass(frozen=True)
class Occurrence:
    rule: RuleDef
    record_id: int
    moment: datetime  # UTC

    @property
    def key(self) -> str:
        return f"rule:{self.rule.key}:{self.record_id}:{self.moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}"

    def firing(self) -> Firing:
        return Firing(self.rule, self.record_id, self.rule.kind, {"occurrence": self.moment.isoformat()})


def signature(rule: RuleDef) -> str:
    return json.dumps([rule.entity, rule.trigger, rule.condition], sort_keys=True, default=str)[:400]


def _clocks(ctx: Context) -> dict[str, tuple[str, datetime]]:
    rows = ctx.conn.execute(sa.select(rule_clocks.c.rule, rule_clocks.c.signature, rule_clocks.c.checked_until))
    return {row.rule: (row.signature, row.checked_until) for row in rows}


def due_rules(ctx: Context, now: datetime) -> list[Occurrence]:
    """Every occurrence of the enabled time-based rules due in (their clock, now] (nothing is written)."""
    clocks = _clocks(ctx)
    found: list[Occurrence] = []
    for rule in rules_of(ctx.catalog).timed:
        clock = clocks.get(rule.key)
        if clock is None or clock[0] != signature(rule) or clock[1] >= now:
            continue
        found += _schedule_due(ctx, rule, clock[1], now) if rule.kind == "schedule" else \
            _date_due(ctx, rule, clock[1], now)
    return found


def queue_due_rules(ctx: Context, now: datetime) -> list[int]:
    """Queue every due occurrence not queued before (in the caller's transaction); the history row ids.
    The clocks move to `now` (a rule seen for the first time, or with a changed trigger, starts there)."""
    queued = [enqueue_run(ctx, o.firing(), occurrence_key=o.key) for o in due_rules(ctx, now)
              if not history.occurrence_taken(ctx, o.key)]
    _advance(ctx, now)
    return queued


def _advance(ctx: Context, now: datetime) -> None:
    clocks = _clocks(ctx)
    for rule in rules_of(ctx.catalog).timed:
        values = {"app": rule.app, "signature": signature(rule), "checked_until": now}
        if rule.key not in clocks:
            ctx.conn.execute(sa.insert(rule_clocks).values(rule=rule.key, **values))
        elif clocks[rule.key][1] < now or clocks[rule.key][0] != values["signature"]:
            ctx.conn.execute(sa.update(rule_clocks).where(rule_clocks.c.rule == rule.key).values(**values))


def _schedule_due(ctx: Context, rule: RuleDef, start: datetime, now: datetime) -> list[Occurrence]:
    cron = Cron.parse(str(rule.trigger["cron"]), str(rule.trigger.get("timezone", "UTC")))
    moments = list(cron.between(start, now))
    if not moments:
        return []
    latest = moments[-1]
    return [Occurrence(rule, int(row["id"]), latest) for row in _matching(ctx, rule, None, ())]


def _date_due(ctx: Context, rule: RuleDef, start: datetime, now: datetime) -> list[Occurrence]:
    name = str(rule.trigger["field"])
    entity = ctx.catalog.require_entity(rule.entity)
    field = entity.field(name)
    if field is None:
        return []
    timing = DateTiming(Offset.parse(rule.trigger.get("offset")), time_of_day(rule.trigger.get("at")),
                        str(rule.trigger.get("timezone", "UTC")))
    if ctx.catalog.field_expr_type(field) is ExprType.DATE:
        low, high = timing.dates_between(start, now)
        if low > high:
            return []
        window: list[dict[str, Any]] = [{"field": name, "op": "between", "value": [low.isoformat(), high.isoformat()]}]
    else:
        after, until = timing.instants_between(start, now)
        window = [{"field": name, "op": "gt", "value": after.isoformat()},
                  {"field": name, "op": "lte", "value": until.isoformat()}]
    found = []
    for row in _matching(ctx, rule, window, (name,)):
        value = row.get(name)
        if isinstance(value, (date, datetime)):
            found.append(Occurrence(rule, int(row["id"]), timing.moment(value)))
    return found


def _matching(ctx: Context, rule: RuleDef, window: list[dict[str, Any]] | None,
              fields: tuple[str, ...]) -> Iterator[dict[str, Any]]:
    """The records of the rule's entity in the window for which its condition holds (checked in SQL when it
    compiles there; a condition reading the rule's variables is checked when each run starts)."""
    try:
        plan = build_plan(ctx, rule.entity, ListQuery(filters=window, expression=rule.condition, sort="id",
                                                      fields=fields, limit=PAGE))
    except JimuError:
        plan = build_plan(ctx, rule.entity, ListQuery(filters=window, sort="id", fields=fields, limit=PAGE))
    seen = 0
    for page, _ in iter_pages(ctx, plan, PAGE):
        for row in page.rows:
            if seen >= MAX_RECORDS:
                return
            seen += 1
            yield row
