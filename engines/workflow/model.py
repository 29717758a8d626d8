"""Typed views of the workflow parts of an app definition (the JSON stays the source of truth).

A process gives an entity named states and transitions between them; each state belongs to a phase of
the submit/cancel lifecycle (draft, submitted, cancelled). Action lists are reusable, parameterised lists
of actions; automations are rules run on record events and schedules. Every part has a stable `key`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jimu.platform.registry.model import Label, as_label

DRAFT, SUBMITTED, CANCELLED = "draft", "submitted", "cancelled"
SUBMITTER = "submitter"  # in `allowed.manager_of`: who last moved the record into a submitted state
USER_COLUMNS = ("_created_by", "_updated_by")  # system columns naming a user


@dataclass(frozen=True)
class GuardDef:
    key: str
    condition: str
    message: Label


@dataclass(frozen=True)
class AllowedDef:
    """Who may run a transition: any of `roles`, the user a field of `users` names, a manager of the user
    `manager_of` names (a user field, `_created_by`, or SUBMITTER), or a user for whom `condition` holds."""

    roles: tuple[str, ...] = ()
    condition: str | None = None
    users: tuple[str, ...] = ()
    manager_of: str | None = None

    @property
    def anyone(self) -> bool:
        return not self.roles and self.condition is None and not self.users and self.manager_of is None


@dataclass(frozen=True)
class StateDef:
    key: str
    label: Label
    phase: str = DRAFT
    locked_fields: frozenset[str] = frozenset()
    editable_fields: frozenset[str] = frozenset()
    color: str | None = None


# What a transition does while the record waits for an approval: refused (the default), or withdrawing it.
BLOCK, WITHDRAW = "block", "withdraw"


@dataclass(frozen=True)
class TransitionDef:
    key: str
    label: Label
    sources: tuple[str, ...] | None  # None: from every state
    target: str
    allowed: AllowedDef
    guards: tuple[GuardDef, ...]
    required_fields: tuple[str, ...]
    comment: str  # none | optional | required
    actions: tuple[dict[str, Any], ...]
    approval: dict[str, Any] | None
    raw: dict[str, Any]
    pending_approval: str = BLOCK  # BLOCK | WITHDRAW: what a pending approval of the record does to it

    def leaves(self, state: str) -> bool:
        """Whether the transition may start from `state`."""
        return self.sources is None or state in self.sources


@dataclass(frozen=True)
class ProcessDef:
    key: str
    app: str
    entity: str
    label: Label
    state_field: str
    initial: str
    states: tuple[StateDef, ...]
    transitions: tuple[TransitionDef, ...]
    editable_after_submit: frozenset[str]
    amend_field: str | None
    raw: dict[str, Any]
    _states: dict[str, StateDef] = field(default_factory=dict, repr=False, compare=False)

    def state(self, key: str | None) -> StateDef | None:
        return self._states.get(key) if key is not None else None

    def transition(self, key: str) -> TransitionDef | None:
        return next((t for t in self.transitions if t.key == key), None)

    def outgoing(self, state: str) -> list[TransitionDef]:
        return [t for t in self.transitions if t.leaves(state)]

    @staticmethod
    def build(app: str, raw: Mapping[str, Any]) -> ProcessDef:
        states = tuple(_state(s) for s in raw.get("states", []))
        initial = str(raw.get("initial") or (states[0].key if states else ""))
        process = ProcessDef(
            key=raw["key"], app=app, entity=raw["entity"], label=_label(raw.get("label"), raw["key"]),
            state_field=str(raw["state_field"]), initial=initial, states=states,
            transitions=tuple(_transition(t) for t in raw.get("transitions", [])),
            editable_after_submit=frozenset(raw.get("editable_after_submit", ())),
            amend_field=(raw.get("amend") or {}).get("field"), raw=dict(raw),
        )
        process._states.update({s.key: s for s in states})
        return process


@dataclass(frozen=True)
class VariableDef:
    name: str
    type: str
    value: str | None = None


@dataclass(frozen=True)
class ActionListDef:
    key: str
    app: str
    entity: str
    params: tuple[VariableDef, ...]
    vars: tuple[VariableDef, ...]
    actions: tuple[dict[str, Any], ...]
    raw: dict[str, Any]

    @staticmethod
    def build(app: str, raw: Mapping[str, Any]) -> ActionListDef:
        return ActionListDef(key=raw["key"], app=app, entity=raw["entity"], params=variables(raw.get("params")),
                             vars=variables(raw.get("vars")), actions=tuple(raw.get("actions", ())), raw=dict(raw))


def variables(raw: Mapping[str, Any] | None) -> tuple[VariableDef, ...]:
    return tuple(VariableDef(name, str(v["type"]), v.get("value")) for name, v in (raw or {}).items())


def _label(value: Any, fallback: str) -> Label:
    label = as_label(value)
    return dict(label) if isinstance(label, dict) else {"en": fallback}


def _state(raw: Mapping[str, Any]) -> StateDef:
    key = str(raw["key"])
    return StateDef(key=key, label=_label(raw.get("label"), key), phase=str(raw.get("phase") or DRAFT),
                    locked_fields=frozenset(raw.get("locked_fields", ())),
                    editable_fields=frozenset(raw.get("editable_fields", ())), color=raw.get("color"))


def _transition(raw: Mapping[str, Any]) -> TransitionDef:
    key = str(raw["key"])
    allowed = raw.get("allowed") or {}
    sources = raw.get("from")
    return TransitionDef(
        key=key, label=_label(raw.get("label"), key),
        sources=None if sources == "*" else tuple(sources or ()), target=str(raw["to"]),
        allowed=AllowedDef(roles=tuple(allowed.get("roles", ())), condition=allowed.get("condition"),
                           users=tuple(allowed.get("users", ())), manager_of=allowed.get("manager_of")),
        guards=tuple(GuardDef(key=g.get("key") or f"guard_{n}", condition=g["condition"],
                              message=_label(g.get("message"), g["condition"]))
                     for n, g in enumerate(raw.get("guards", []), start=1)),
        required_fields=tuple(raw.get("required_fields", ())), comment=str(raw.get("comment") or "optional"),
        pending_approval=str(raw.get("pending_approval") or BLOCK),
        actions=tuple(raw.get("actions", ())), approval=raw.get("approval"), raw=dict(raw),
    )


@dataclass(frozen=True)
class WorkflowDefs:
    """Every process, action list and automation of a set of apps, indexed for the runtime."""

    processes: Mapping[str, ProcessDef]  # by entity key (one process per entity)
    action_lists: Mapping[str, ActionListDef]  # by key
    automations: tuple[dict[str, Any], ...]

    def process_of(self, entity_key: str) -> ProcessDef | None:
        return self.processes.get(entity_key)

    @staticmethod
    def build(apps: Mapping[str, Any]) -> WorkflowDefs:
        """From the apps of a catalog (AppDef by key): their `processes`, `action_lists`, `automations`."""
        processes: dict[str, ProcessDef] = {}
        lists: dict[str, ActionListDef] = {}
        automations: list[dict[str, Any]] = []
        for app in apps.values():
            for raw in app.raw.get("processes", ()):
                processes.setdefault(raw["entity"], ProcessDef.build(app.key, raw))
            for raw in app.raw.get("action_lists", ()):
                lists.setdefault(raw["key"], ActionListDef.build(app.key, raw))
            automations += [{**raw, "_app": app.key} for raw in app.raw.get("automations", ())]
        return WorkflowDefs(processes=processes, action_lists=lists, automations=tuple(automations))
