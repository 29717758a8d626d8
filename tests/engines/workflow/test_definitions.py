"""Process definitions are checked when the app is applied: each problem at its JSON path, nothing stored."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jimu.platform.errors import DefinitionError
from jimu.platform.kernel import Kernel

from .conftest import expenses_app

Edit = Callable[[dict[str, Any]], None]


def _process(app: dict[str, Any]) -> dict[str, Any]:
    process: dict[str, Any] = app["processes"][0]
    return process


CASES: list[tuple[str, Edit, str, str]] = [
    ("transition to an unknown state", lambda a: _process(a)["transitions"][0].update(to="limbo"),
     "/processes/0/transitions/0/to", "workflow.unknown_state"),
    ("transition from an unknown state", lambda a: _process(a)["transitions"][0].update({"from": ["nowhere"]}),
     "/processes/0/transitions/0/from/0", "workflow.unknown_state"),
    ("unreachable state", lambda a: _process(a)["transitions"].pop(3),
     "/processes/0/states/4", "workflow.unreachable_state"),
    ("guard that is not boolean", lambda a: _process(a)["transitions"][0]["guards"][0].update(condition="amount + 1"),
     "/processes/0/transitions/0/guards/0/condition", "definition.expression_invalid"),
    ("guard reading an unknown field", lambda a: _process(a)["transitions"][0]["guards"][0].update(condition="x > 1"),
     "/processes/0/transitions/0/guards/0/condition", "definition.expression_invalid"),
    ("set of an unknown field", lambda a: _process(a)["transitions"][2]["actions"][0]["values"].update(nope="1"),
     "/processes/0/transitions/2/actions/0/values/nope", "definition.unknown_field"),
    ("set with a value of the wrong type", lambda a: _process(a)["transitions"][2]["actions"][0].update(
        values={"paid_on": "'soon' & title"}), "/processes/0/transitions/2/actions/0/values/paid_on",
     "definition.expression_invalid"),
    ("unknown action type", lambda a: _process(a)["transitions"][2]["actions"].append({"type": "teleport"}),
     "/processes/0/transitions/2/actions/1/type", "workflow.unknown_action"),
    ("action with a stray property", lambda a: _process(a)["transitions"][2]["actions"][0].update(colour="red"),
     "/processes/0/transitions/2/actions/0", "definition.schema"),
    ("state that is not an option", lambda a: _process(a)["states"].append({"key": "lost"}),
     "/processes/0/states/5/key", "workflow.state_not_option"),
    ("process on an unknown entity", lambda a: _process(a).update(entity="ghost"),
     "/processes/0/entity", "workflow.unknown_entity"),
    ("state field without the initial default", lambda a: a["entities"][0]["fields"][4].pop("default"),
     "/processes/0/state_field", "workflow.state_field_default"),
    ("locked field that does not exist", lambda a: _process(a)["states"][0].update(locked_fields=["ghost"]),
     "/processes/0/states/0/locked_fields/0", "definition.unknown_field"),
    ("required field that does not exist", lambda a: _process(a)["transitions"][0].update(required_fields=["ghost"]),
     "/processes/0/transitions/0/required_fields/0", "definition.unknown_field"),
    ("duplicate transition key", lambda a: _process(a)["transitions"].append(dict(_process(a)["transitions"][0])),
     "/processes/0/transitions/4/key", "workflow.duplicate_key"),
]


@pytest.mark.parametrize(("name", "edit", "path", "code"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_process_is_refused_at_its_path(kernel: Kernel, name: str, edit: Edit, path: str, code: str) -> None:
    app = expenses_app()
    edit(app)
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(app)
    assert (path, code) in [(d.path, d.code) for d in refused.value.details], refused.value
    assert all(d.message for d in refused.value.details)


def test_a_kernel_without_the_workflow_engine_refuses_processes(engine: Any) -> None:
    from jimu.platform.bootstrap import init_database

    init_database(engine)
    with pytest.raises(DefinitionError) as refused:
        Kernel(engine).apply_app(expenses_app())
    assert [(d.path, d.code) for d in refused.value.details] == [("/processes", "definition.section_unsupported")]


def test_the_sample_process_is_accepted_and_versioned(kernel: Kernel) -> None:
    first = kernel.apply_app(expenses_app())
    app = expenses_app()
    _process(app)["transitions"][0]["label"] = {"en": "Send", "zh-CN": "提交"}
    second = kernel.apply_app(app)
    assert (first.applied, second.applied, second.revision) == (True, True, first.revision + 1)


def test_the_apply_diff_names_each_changed_part_by_its_key(kernel: Kernel) -> None:
    assert [c["details"] for c in kernel.apply_app(expenses_app()).as_dict()["changes"]
            if c["kind"] == "definition"] == [{"section": "processes", "key": "claim_flow", "change": "added"}]
    app = expenses_app()
    process = _process(app)
    process["transitions"][0]["label"] = {"en": "Send"}
    process["transitions"].append({"key": "reopen", "from": ["cancelled"], "to": "draft"})
    result = kernel.apply_app(app).as_dict()
    assert [c for c in result["changes"] if c["kind"] == "definition"] == [{
        "kind": "definition", "entity": "",
        "details": {"section": "processes", "key": "claim_flow", "change": "changed",
                    "changed": ["transitions.submit.label", "transitions.reopen added"]}}]
    assert "changed processes claim_flow: transitions.submit.label, transitions.reopen added" in result["summary"]
