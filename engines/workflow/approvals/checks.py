"""Checking a transition's `approval` when the app is applied (after its JSON Schema), each problem at its
JSON path: level keys, the states a rejection goes to, `n` for the modes, conditions, approver sources."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expressions.types import ExprType
from jimu.platform.errors import DefinitionError
from jimu.platform.problems import Problems

from ..actions.base import Checking
from ..model import ProcessDef
from .model import ApprovalDef, LevelDef
from .modes import COMPLETION_MODES
from .sources import source_of


def check_approval(process: ProcessDef, raw: Mapping[str, Any], checking: Checking, path: str,
                   problems: Problems[DefinitionError]) -> None:
    """Problems of `raw` (a transition's approval, at `path`)."""
    approval = ApprovalDef.build(raw)
    if approval.reject_to is not None and process.state(approval.reject_to) is None:
        problems.add(f"{path}/reject_to", "workflow.unknown_state", state=approval.reject_to)
    keys: set[str] = set()
    for level in approval.levels:
        at = f"{path}/levels/{level.index}"
        if level.key in keys:
            problems.add(f"{at}/key", "workflow.duplicate_key", key=level.key)
        keys.add(level.key)
        if level.reject_to is not None and process.state(level.reject_to) is None:
            problems.add(f"{at}/reject_to", "workflow.unknown_state", state=level.reject_to)
        _check_level(level, checking, at, problems)


def _check_level(level: LevelDef, checking: Checking, at: str, problems: Problems[DefinitionError]) -> None:
    mode = COMPLETION_MODES[level.mode]
    if mode.needs_n and level.n is None:
        problems.add(f"{at}/n", "approval.n_required", mode=level.mode)
    if level.n is not None and not mode.accepts_n:
        problems.add(f"{at}/n", "approval.n_not_used", mode=level.mode)
    if level.condition is not None:
        problems.extend(f"{at}/condition", checking.expression(level.condition, ExprType.BOOLEAN, ""))
    for name, specs in (("approvers", level.approvers), ("escalate_to", level.escalate_to)):
        for index, spec in enumerate(specs):
            problems.extend(f"{at}/{name}/{index}", source_of(spec).check(spec, checking.catalog, checking.entity))
    if (level.escalate_after is None) != (not level.escalate_to):
        problems.add(f"{at}/escalate_to" if level.escalate_after else f"{at}/escalate_after",
                     "approval.escalation_incomplete")
    if level.remind_after and level.escalate_after and level.remind_after >= level.escalate_after:
        problems.add(f"{at}/remind_after", "approval.remind_after_escalation")


def reject_targets(raw: Mapping[str, Any] | None) -> set[str]:
    """The states an approval's rejections lead to (edges of the process graph beside the transition's own)."""
    if not raw:
        return set()
    approval = ApprovalDef.build(raw)
    return {s for s in (approval.reject_to, *(level.reject_to for level in approval.levels)) if s is not None}
