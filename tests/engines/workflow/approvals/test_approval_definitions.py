"""An approval definition is checked when the app is applied, each problem at its JSON path; the docs'
example is a valid app; the schema's modes are the registry's."""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.workflow.approvals.model import duration
from jimu.engines.workflow.approvals.modes import COMPLETION_MODES, Tally
from jimu.engines.workflow.approvals.sources import APPROVER_SOURCES
from jimu.engines.workflow.validation import workflow_schema
from jimu.platform.errors import DefinitionError
from jimu.platform.kernel import Kernel

from .conftest import purchasing_app

Edit = Callable[[dict[str, Any]], None]
ROOT = Path(__file__).resolve().parents[4]


def _approval(app: dict[str, Any], transition: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = app["processes"][0]["transitions"][transition]["approval"]
    return found


def _level(app: dict[str, Any], index: int) -> dict[str, Any]:
    found: dict[str, Any] = _approval(app)["levels"][index]
    return found


P = "/processes/0/transitions/0/approval"
CASES: list[tuple[str, Edit, str, str]] = [
    ("reject to an unknown state", lambda a: _approval(a).update(reject_to="limbo"), f"{P}/reject_to",
     "workflow.unknown_state"),
    ("level reject to an unknown state", lambda a: _level(a, 0).update(reject_to="limbo"),
     f"{P}/levels/0/reject_to", "workflow.unknown_state"),
    ("duplicate level key", lambda a: _level(a, 1).update(key="lead"), f"{P}/levels/1/key", "workflow.duplicate_key"),
    ("n_of_m without n", lambda a: _level(a, 1).pop("n"), f"{P}/levels/1/n", "approval.n_required"),
    ("n on an all level", lambda a: _level(a, 0).update(n=2), f"{P}/levels/0/n", "approval.n_not_used"),
    ("a condition that is not boolean", lambda a: _level(a, 1).update(condition="amount + 1"),
     f"{P}/levels/1/condition", "definition.expression_invalid"),
    ("a condition on an unknown field", lambda a: _level(a, 1).update(condition="ghost > 1"),
     f"{P}/levels/1/condition", "definition.expression_invalid"),
    ("an approver field that is unknown", lambda a: _level(a, 0).update(approvers=[{"field": "ghost"}]),
     f"{P}/levels/0/approvers/0/field", "definition.unknown_field"),
    ("an approver field that is no user", lambda a: _level(a, 0).update(approvers=[{"field": "title"}]),
     f"{P}/levels/0/approvers/0/field", "approval.not_user_field"),
    ("the manager of a field that is no user", lambda a: _level(a, 0).update(escalate_to=[{"manager": "amount"}]),
     f"{P}/levels/0/escalate_to/0/manager", "approval.not_user_field"),
    ("escalation without a target", lambda a: _level(a, 0).pop("escalate_to"), f"{P}/levels/0/escalate_to",
     "approval.escalation_incomplete"),
    ("reminder after the escalation", lambda a: _level(a, 0).update(remind_after="4d"),
     f"{P}/levels/0/remind_after", "approval.remind_after_escalation"),
    ("an unknown mode", lambda a: _level(a, 0).update(mode="majority"), f"{P}/levels/0/mode", "definition.schema"),
    ("a bad duration", lambda a: _level(a, 0).update(remind_after="1 day"), f"{P}/levels/0/remind_after",
     "definition.schema"),
    ("an approver of two kinds", lambda a: _level(a, 0).update(approvers=[{"role": "x", "field": "reviewer"}]),
     f"{P}/levels/0/approvers/0", "definition.schema"),
    ("no levels", lambda a: _approval(a).update(levels=[]), f"{P}/levels", "definition.schema"),
]


@pytest.mark.parametrize(("name", "edit", "path", "code"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_approval_is_refused_at_its_path(kernel: Kernel, name: str, edit: Edit, path: str, code: str) -> None:
    app = purchasing_app()
    edit(app)
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(app)
    assert (path, code) in [(d.path, d.code) for d in refused.value.details], refused.value
    assert all(d.message for d in refused.value.details)


def test_a_state_reached_only_by_rejection_is_reachable(kernel: Kernel) -> None:
    assert kernel.apply_app(purchasing_app()).applied  # `returned` is reached only through reject_to


def test_the_docs_example_applies(kernel: Kernel) -> None:
    page = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    section = page[page.index("## Approvals"):]
    found = re.search(r"```json\n(.*?)```", section, re.S)
    assert found is not None
    assert kernel.apply_app(json.loads(found.group(1))).applied


def test_the_schema_names_exactly_the_registered_modes_and_sources() -> None:
    defs = workflow_schema()["$defs"]
    assert set(defs["approval_level"]["properties"]["mode"]["enum"]) == set(COMPLETION_MODES)
    assert {next(iter(o["required"])) for o in defs["approver"]["oneOf"]} == set(APPROVER_SOURCES)


@pytest.mark.parametrize(("mode", "n", "tally", "outcome"), [
    ("all", None, Tally(2, 0, 1), None), ("all", None, Tally(3, 0, 0), "approved"),
    ("all", None, Tally(2, 1, 0), "rejected"), ("any", None, Tally(0, 2, 1), None),
    ("any", None, Tally(1, 2, 0), "approved"), ("any", None, Tally(0, 3, 0), "rejected"),
    ("n_of_m", 2, Tally(1, 1, 1), None), ("n_of_m", 2, Tally(2, 1, 0), "approved"),
    ("n_of_m", 2, Tally(1, 2, 0), "rejected"), ("n_of_m", 5, Tally(2, 0, 0), "approved"),
    ("veto", 2, Tally(1, 0, 2), None), ("veto", 2, Tally(2, 0, 1), "approved"),
    ("veto", 2, Tally(1, 1, 1), "rejected"), ("veto", None, Tally(2, 0, 1), None),
])
def test_completion_modes(mode: str, n: int | None, tally: Tally, outcome: str | None) -> None:
    assert COMPLETION_MODES[mode].outcome(tally, n) == outcome


def test_durations() -> None:
    assert [duration(t) for t in ("30m", "4h", "2d", "1w")] == [timedelta(minutes=30), timedelta(hours=4),
                                                              timedelta(days=2), timedelta(weeks=1)]
    assert duration(None) is None
    with pytest.raises(ValueError):
        duration("2y")
