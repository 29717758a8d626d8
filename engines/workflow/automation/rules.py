"""Typed views of automation rules, indexed by entity and trigger kind once per catalog.

A rule: a `trigger` (an event on a record, a cron `schedule`, or a `date` relative to a field), an
optional `condition` on the record, `vars` and `actions` — the same actions as transitions. Event rules
run `sync` (in the write's transaction; the default) or `queued` (a job after commit); schedule and date
rules always run queued, from the worker.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jimu.platform.registry.catalog import Catalog

from ..definitions import workflow_defs
from ..model import VariableDef, variables

SYNC, QUEUED = "sync", "queued"
EVENT_KINDS = frozenset({"create", "update", "delete", "field_changed", "state_entered"})
TIMED_KINDS = frozenset({"schedule", "date"})
# Triggers fired by a write that had a record before it: their rules see it as `old` (on a create that
# enters the first state, `old` has no values).
OLD_KINDS = frozenset({"update", "field_changed", "state_entered"})


@dataclass(frozen=True)
class RuleDef:
    key: str
    app: str
    entity: str
    trigger: Mapping[str, Any]
    condition: str | None
    vars: tuple[VariableDef, ...]
    actions: tuple[dict[str, Any], ...]
    mode: str
    enabled: bool
    raw: Mapping[str, Any]

    @property
    def kind(self) -> str:
        return str(self.trigger.get("on"))

    @property
    def timed(self) -> bool:
        return self.kind in TIMED_KINDS

    @property
    def sees_old(self) -> bool:
        """The rule fires on an update, so `old.x` (the record before it) is in its scope."""
        return self.kind in OLD_KINDS

    @staticmethod
    def build(raw: Mapping[str, Any]) -> RuleDef:
        trigger = dict(raw.get("trigger") or {})
        timed = str(trigger.get("on")) in TIMED_KINDS
        return RuleDef(key=str(raw["key"]), app=str(raw.get("_app", "")), entity=str(raw["entity"]), trigger=trigger,
                       condition=raw.get("condition"), vars=variables(raw.get("vars")),
                       actions=tuple(raw.get("actions", ())), mode=QUEUED if timed else str(raw.get("mode") or SYNC),
                       enabled=raw.get("enabled", True) is not False, raw=dict(raw))


@dataclass(frozen=True)
class Rules:
    """Every enabled rule of a catalog: by key, by (entity, event kind), and the timed ones."""

    by_key: Mapping[str, RuleDef]
    by_event: Mapping[tuple[str, str], tuple[RuleDef, ...]]
    timed: tuple[RuleDef, ...]
    watched: frozenset[str]  # entities with event rules

    def for_event(self, entity: str, kind: str) -> tuple[RuleDef, ...]:
        return self.by_event.get((entity, kind), ())

    def watches(self, entity: str) -> bool:
        return entity in self.watched

    @staticmethod
    def build(raws: tuple[dict[str, Any], ...]) -> Rules:
        by_key: dict[str, RuleDef] = {}
        by_event: dict[tuple[str, str], list[RuleDef]] = {}
        timed: list[RuleDef] = []
        for raw in raws:
            rule = RuleDef.build(raw)
            by_key.setdefault(rule.key, rule)
            if not rule.enabled:
                continue
            if rule.timed:
                timed.append(rule)
            else:
                by_event.setdefault((rule.entity, rule.kind), []).append(rule)
        return Rules(by_key, {k: tuple(v) for k, v in by_event.items()}, tuple(timed),
                     frozenset(entity for entity, _ in by_event))


def rules_of(catalog: Catalog) -> Rules:
    """The catalog's rules (built once, dropped with the catalog)."""
    rules: Rules = catalog.caches["engines"].get_or_build(
        "workflow.automations", lambda: Rules.build(workflow_defs(catalog).automations))
    return rules
