"""Automation rules are checked when the app is applied: each problem at its JSON path, in both languages."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines import workflow
from jimu.platform.bootstrap import init_database
from jimu.platform.errors import DefinitionError
from jimu.platform.i18n import translate
from jimu.platform.kernel import Kernel

from .automation_support import service_app

Edit = Callable[[dict[str, Any]], None]


def _trigger(app: dict[str, Any], index: int = 3) -> dict[str, Any]:
    trigger: dict[str, Any] = app["automations"][index]["trigger"]
    return trigger


CASES: list[tuple[str, Edit, str, str]] = [
    ("bad cron", lambda a: a["automations"][3].update(trigger={"on": "schedule", "cron": "61 * * * *"}),
     "/automations/3/trigger/cron", "automation.cron_invalid"),
    ("cron with six fields", lambda a: a["automations"][3].update(trigger={"on": "schedule", "cron": "0 0 9 * * *"}),
     "/automations/3/trigger/cron", "automation.cron_invalid"),
    ("schedule without cron", lambda a: a["automations"][3].update(trigger={"on": "schedule"}),
     "/automations/3/trigger/cron", "workflow.trigger_needs"),
    ("unknown timezone", lambda a: _trigger(a).update(timezone="Mars/Olympus"),
     "/automations/3/trigger/timezone", "automation.timezone_invalid"),
    ("bad offset", lambda a: _trigger(a).update(offset="three days"),
     "/automations/3/trigger/offset", "automation.offset_invalid"),
    ("hours before a date", lambda a: _trigger(a).update(offset="-5h"),
     "/automations/3/trigger/offset", "automation.offset_whole_days"),
    ("bad time of day", lambda a: _trigger(a).update(at="25:00"), "/automations/3/trigger/at", "automation.at_invalid"),
    ("date trigger on a text field", lambda a: _trigger(a).update(field="title"),
     "/automations/3/trigger/field", "automation.trigger_field_not_date"),
    ("date trigger on an unknown field", lambda a: _trigger(a).update(field="ghost"),
     "/automations/3/trigger/field", "definition.unknown_field"),
    ("at on a date-time field", lambda a: _trigger(a).update(field="follow_up_at", offset="-1h"),
     "/automations/3/trigger/at", "automation.at_needs_date"),
    ("stray trigger property", lambda a: _trigger(a).update(every="day"),
     "/automations/3/trigger/every", "workflow.trigger_property"),
    ("sync date rule", lambda a: a["automations"][3].update(mode="sync"), "/automations/3/mode",
     "automation.mode_not_sync"),
    ("queued delete rule", lambda a: a["automations"][0].update(mode="queued", trigger={"on": "delete"}),
     "/automations/0/mode", "automation.mode_not_queued"),
    ("unknown mode", lambda a: a["automations"][0].update(mode="later"), "/automations/0/mode", "definition.schema"),
    ("condition that is not boolean", lambda a: a["automations"][3].update(condition="touches + 1"),
     "/automations/3/condition", "definition.expression_invalid"),
    ("field_changed on an unknown field", lambda a: _trigger(a, 1).update(fields=["ghost"]),
     "/automations/1/trigger/fields/0", "definition.unknown_field"),
    ("old values in a create rule", lambda a: a["automations"][0].update(condition="old.priority = 'normal'"),
     "/automations/0/condition", "definition.expression_invalid"),
    ("old values in a date rule", lambda a: a["automations"][3].update(condition="old.touches > 1"),
     "/automations/3/condition", "definition.expression_invalid"),
    ("an unknown old field", lambda a: a["automations"][1].update(condition="old.ghost = 1"),
     "/automations/1/condition", "definition.expression_invalid"),
    ("state_entered of an unknown state", lambda a: _trigger(a, 2).update(states=["lost"]),
     "/automations/2/trigger/states/0", "workflow.unknown_state"),
]


@pytest.fixture
def kernel(engine: Engine) -> Kernel:
    init_database(engine)
    return workflow.install(Kernel(engine))


@pytest.mark.parametrize(("name", "edit", "path", "code"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_rule_is_refused_at_its_path(kernel: Kernel, name: str, edit: Edit, path: str, code: str) -> None:
    app = service_app()
    edit(app)
    with pytest.raises(DefinitionError) as refused:
        kernel.apply_app(app)
    found = [(d.path, d.code) for d in refused.value.details]
    assert (path, code) in found, refused.value
    detail = next(d for d in refused.value.details if d.code == code)
    assert translate(code, "zh-CN", **detail.params) != code


def test_the_service_app_with_every_trigger_kind_is_accepted(kernel: Kernel) -> None:
    app = service_app()
    app["automations"].append({"key": "nightly", "entity": "ticket",
                               "trigger": {"on": "schedule", "cron": "@daily", "timezone": "Asia/Shanghai"},
                               "actions": [{"type": "stop"}]})
    kernel.apply_app(app)
