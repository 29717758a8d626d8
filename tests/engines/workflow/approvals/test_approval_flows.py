"""Approval stories on a purchase request: levels in sequence with a conditional second one, N-of-M, veto,
reject back, delegate, recall, add a signer; the record waits, locked, and its timeline tells every step."""
from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.engines.workflow.approvals import decisions, views
from jimu.engines.workflow.approvals.errors import (
    ApprovalClosedError,
    ApprovalInputError,
    ApprovalNotAllowedError,
    NoApproversError,
)
from jimu.engines.workflow.errors import FieldLockedError, TransitionBlockedError
from jimu.platform.meta import users
from jimu.platform.notifications import inbox

from .conftest import Office


def tasks_of(office: Office, user: str) -> list[dict[str, Any]]:
    with office.kernel.unit_of_work(user_id=office.people[user]) as ctx:
        return list(views.inbox(ctx)["items"])


def task_of(office: Office, user: str) -> int:
    found = tasks_of(office, user)
    assert len(found) == 1, found
    return int(found[0]["task"])


def act(office: Office, user: str, what: str, *args: Any, **kw: Any) -> dict[str, Any]:
    with office.kernel.unit_of_work(user_id=office.people[user]) as ctx:
        result: dict[str, Any] = getattr(decisions, what)(ctx, *args, **kw)
        return result


def timeline(office: Office, record_id: int) -> list[str]:
    with office.kernel.unit_of_work() as ctx:
        entries = records.history(ctx, "request", record_id)
    return [f"{e['action']}:{e['changes'][0].get('event') or e['changes'][0].get('transition')}"
            for e in reversed(entries) if e["action"] in ("approval", "transition")]


def test_a_small_request_needs_only_the_department_manager_found_up_the_tree(office: Office) -> None:
    request = office.create(amount="1200")
    started = office.run("erin", request, "submit", comment="for the new hires")
    assert started["pending"] is True and started["to"] == "draft"
    assert office.record(request)["state"] == "draft"
    inbox = tasks_of(office, "mona")  # the Sales team has no manager: its parent's manager approves
    assert [(i["title"], i["level"], i["submitted_by"]["name"]) for i in inbox] == [("Laptops", "lead", "Erin")]
    done = act(office, "mona", "approve", inbox[0]["task"], comment="fine")
    assert done["approval"]["status"] == "approved"
    assert (done["record"]["state"], done["record"]["approved_note"]) == ("approved", "approved: Laptops")
    assert tasks_of(office, "mona") == []
    assert timeline(office, request) == ["approval:started", "approval:level_opened", "approval:approved",
                                         "approval:completed", "transition:submit"]


def test_a_large_request_goes_on_to_finance_where_two_of_three_approve(office: Office) -> None:
    request = office.create(amount="80000")
    office.run("erin", request, "submit")
    after_lead = act(office, "mona", "approve", task_of(office, "mona"))
    assert after_lead["approval"]["status"] == "pending" and after_lead["approval"]["level"] == "finance"
    assert {p["name"] for p in after_lead["approval"]["waiting_for"]} == {"Fay", "Finn", "Fred"}
    assert office.record(request)["state"] == "draft"
    one = act(office, "fay", "approve", task_of(office, "fay"))
    assert one["approval"]["status"] == "pending"
    rejected = act(office, "finn", "reject", task_of(office, "finn"), comment="too expensive")
    assert rejected["approval"]["status"] == "pending"  # two approvals can still be reached
    two = act(office, "fred", "approve", task_of(office, "fred"))
    assert two["approval"]["status"] == "approved" and two["record"]["state"] == "approved"


def test_finance_rejects_once_two_approvals_cannot_be_reached_and_the_request_goes_back(office: Office) -> None:
    request = office.create(amount="80000")
    office.run("erin", request, "submit")
    act(office, "mona", "approve", task_of(office, "mona"))
    act(office, "fay", "reject", task_of(office, "fay"), comment="no quote")
    result = act(office, "finn", "reject", task_of(office, "finn"), comment="agree with Fay")
    assert result["approval"]["status"] == "rejected"
    assert result["record"]["state"] == "returned"
    assert tasks_of(office, "fred") == []  # the third task closed with the level
    with office.kernel.unit_of_work() as ctx:
        records.update(ctx, "request", request, {"amount": "45000"})  # editable again once rejected
    office.run("erin", request, "submit")  # and submitted again from `returned`
    assert len(tasks_of(office, "mona")) == 1


def test_a_rejection_needs_a_comment_and_goes_back_to_the_source_state_by_default(office: Office) -> None:
    request = office.create(amount="10", reviewer=None)
    with office.kernel.unit_of_work() as ctx:
        records.update(ctx, "request", request, {"reviewer": office.people["rita"]})
    office.run("erin", request, "fast")
    task = task_of(office, "rita")
    with pytest.raises(ApprovalInputError) as missing:
        act(office, "rita", "reject", task, comment="  ")
    assert [d.path for d in missing.value.details] == ["comment"]
    result = act(office, "rita", "reject", task, comment="wrong vendor")
    assert (result["approval"]["status"], result["record"]["state"]) == ("rejected", "draft")


def test_a_pending_request_is_locked_refuses_a_second_start_and_shows_who_it_waits_for(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    with pytest.raises(TransitionBlockedError) as again:
        office.run("erin", request, "submit")
    assert [d.code for d in again.value.details] == ["approval.pending"]
    with office.kernel.unit_of_work() as ctx:
        shown = transitions_listing(ctx, request)
        records.update(ctx, "request", request, {"note": "urgent"})  # editable after submit
    assert shown["pending_approval"]["level"] == "lead"
    assert [p["name"] for p in shown["pending_approval"]["waiting_for"]] == ["Mona"]
    assert all(not t["allowed"] for t in shown["transitions"])
    with office.kernel.unit_of_work() as ctx, pytest.raises(FieldLockedError) as locked:
        records.update(ctx, "request", request, {"amount": "1"})
    assert locked.value.code == "approval.record_locked"
    with office.kernel.unit_of_work() as ctx, pytest.raises(FieldLockedError):
        records.delete(ctx, "request", request)


def transitions_listing(ctx: Any, request: int) -> dict[str, Any]:
    from jimu.engines.workflow import transitions

    return transitions.available(ctx, "request", request)


def test_only_the_assignee_acts_and_a_decided_task_is_closed(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    task = task_of(office, "mona")
    with pytest.raises(ApprovalNotAllowedError):
        act(office, "erin", "approve", task)
    act(office, "mona", "approve", task)
    with pytest.raises(ApprovalClosedError):
        act(office, "mona", "approve", task)


def test_delegate_hands_the_task_to_someone_who_then_approves(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    task = task_of(office, "mona")
    with pytest.raises(ApprovalInputError):
        act(office, "mona", "delegate", task, office.people["mona"])
    handed = act(office, "mona", "delegate", task, office.people["otto"], comment="on leave")
    assert [p["name"] for p in handed["approval"]["waiting_for"]] == ["Otto"]
    assert tasks_of(office, "mona") == []
    with pytest.raises(ApprovalClosedError):
        act(office, "mona", "approve", task)
    done = act(office, "otto", "approve", task_of(office, "otto"))
    assert done["record"]["state"] == "approved"
    assert "approval:delegated" in timeline(office, request)


def test_the_submitter_recalls_a_pending_request_and_may_edit_it_again(office: Office) -> None:
    request = office.create(amount="300")
    started = office.run("erin", request, "submit")
    with pytest.raises(ApprovalNotAllowedError):
        act(office, "mona", "recall", started["approval"])
    recalled = act(office, "erin", "recall", started["approval"], comment="wrong amount")
    assert recalled["approval"]["status"] == "recalled"
    assert tasks_of(office, "mona") == []
    with office.kernel.unit_of_work() as ctx:
        assert records.update(ctx, "request", request, {"amount": "250"})["state"] == "draft"
    with pytest.raises(ApprovalClosedError):
        act(office, "erin", "recall", started["approval"])


def test_an_added_signer_must_also_approve_an_all_level(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    task = task_of(office, "mona")
    added = act(office, "mona", "add_signer", task, office.people["dan"], comment="please co-sign")
    assert {p["name"] for p in added["approval"]["waiting_for"]} == {"Mona", "Dan"}
    assert act(office, "mona", "approve", task)["approval"]["status"] == "pending"
    with pytest.raises(ApprovalInputError):
        act(office, "dan", "add_signer", task_of(office, "dan"), office.people["mona"])
    assert act(office, "dan", "approve", task_of(office, "dan"))["record"]["state"] == "approved"


def test_veto_one_rejection_ends_the_board_level(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "panel")
    assert act(office, "b1", "approve", task_of(office, "b1"))["approval"]["status"] == "pending"
    vetoed = act(office, "b2", "reject", task_of(office, "b2"), comment="veto")
    assert vetoed["approval"]["status"] == "rejected"
    assert tasks_of(office, "b3") == []


def test_veto_n_approvals_approve(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "panel")
    act(office, "b1", "approve", task_of(office, "b1"))
    assert act(office, "b3", "approve", task_of(office, "b3"))["record"]["state"] == "approved"


def test_a_level_naming_nobody_refuses_the_start_and_writes_nothing(office: Office) -> None:
    request = office.create(amount="300")  # no reviewer set
    with pytest.raises(NoApproversError):
        office.run("erin", request, "fast")
    assert timeline(office, request) == []
    with office.kernel.unit_of_work() as ctx:
        assert transitions_listing(ctx, request)["pending_approval"] is None


def test_dry_run_of_the_last_approval_reports_the_actions_and_commits_nothing(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    task = task_of(office, "mona")
    dry = act(office, "mona", "approve", task, dry_run=True)
    assert dry["dry_run"] is True
    kinds = [e["kind"] for e in dry["effects"]]
    assert kinds[:2] == ["approval.approved", "approval.completed"] and "record.updated" in kinds
    assert office.record(request)["state"] == "draft" and task_of(office, "mona") == task
    real = act(office, "mona", "approve", task)
    strip = [{k: v for k, v in e.items() if k != "approval"} for e in real["effects"]]
    assert strip == [{k: v for k, v in e.items() if k != "approval"} for e in dry["effects"]]


def test_a_dry_run_start_leaves_no_approval(office: Office) -> None:
    request = office.create(amount="300")
    dry = office.run("erin", request, "submit", dry_run=True)
    assert [e["kind"] for e in dry["effects"]] == ["approval.started", "approval.level_opened", "notification.queued"]
    assert dry["effects"][2]["users"] == [office.people["mona"]]
    assert tasks_of(office, "mona") == [] and timeline(office, request) == [] and notices(office, "mona") == []


def notices(office: Office, user: str) -> list[str]:
    with office.kernel.unit_of_work() as ctx:
        page = inbox.list_notifications(ctx.conn, user_id=office.people[user])
    return [n["title"] for n in page.data]


def test_approvers_get_a_notice_in_their_language(office: Office) -> None:
    with office.kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(users).where(users.c.id == office.people["otto"]).values(locale="zh-CN"))
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    assert notices(office, "mona") == ["Purchase request Laptops waits for your approval (Department manager)."]
    act(office, "mona", "delegate", task_of(office, "mona"), office.people["otto"])
    assert notices(office, "otto") == ["采购申请“Laptops”等待您审批（部门负责人）。"]


def test_guards_still_hold_at_the_start(office: Office) -> None:
    request = office.create(amount="0")
    with pytest.raises(TransitionBlockedError):
        office.run("erin", request, "submit")
    assert tasks_of(office, "mona") == []


def test_an_idempotency_key_makes_a_retried_start_return_the_first(office: Office) -> None:
    request = office.create(amount="300")
    first = office.run("erin", request, "submit", idempotency_key="k-1")
    again = office.run("erin", request, "submit", idempotency_key="k-1")
    assert again["repeated"] is True and again["approval"] == first["approval"]
    assert len(tasks_of(office, "mona")) == 1


def test_a_manager_is_not_their_own_approver(office: Office) -> None:
    request = office.create("mona", amount="300")  # Mona manages Sales, the top of the tree
    with pytest.raises(NoApproversError) as nobody:
        office.run("mona", request, "submit")
    assert "Department manager" in nobody.value.message


def test_the_last_approval_is_refused_when_a_guard_no_longer_holds(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    with office.kernel.unit_of_work() as ctx:  # the engine's own chains write past the pending lock
        from jimu.engines.workflow.chain import Chain
        from jimu.engines.workflow.definitions import workflow_defs

        chain = Chain.start(ctx, workflow_defs(ctx.catalog), "test")
        records.update(chain.ctx, "request", request, {"amount": "0"})
        chain.finish()
    task = task_of(office, "mona")
    with pytest.raises(TransitionBlockedError):
        act(office, "mona", "approve", task)
    assert task_of(office, "mona") == task and office.record(request)["state"] == "draft"


def _cancel_withdraws(office: Office) -> None:
    from .conftest import purchasing_app

    app = purchasing_app()
    cancel = next(t for t in app["processes"][0]["transitions"] if t["key"] == "cancel")
    cancel["pending_approval"] = "withdraw"
    office.kernel.apply_app(app)


def test_a_transition_that_withdraws_a_pending_approval_runs_while_the_others_stay_blocked(office: Office) -> None:
    _cancel_withdraws(office)
    request = office.create(amount="300")
    started = office.run("erin", request, "submit")
    with office.kernel.unit_of_work() as ctx:
        shown = {t["key"]: t["allowed"] for t in transitions_listing(ctx, request)["transitions"]}
    assert shown["cancel"] is True and shown["fast"] is False  # only the withdrawing one is offered
    dry = office.run("erin", request, "cancel", comment="not needed", dry_run=True)
    assert dry["effects"][0]["kind"] == "approval.withdrawn" and tasks_of(office, "mona") != []
    done = office.run("erin", request, "cancel", comment="not needed")
    assert done["record"]["state"] == "cancelled"
    assert (done["effects"][0]["kind"], done["effects"][0]["by"]) == ("approval.withdrawn", "cancel")
    assert tasks_of(office, "mona") == []  # the approver's task is closed with it
    with pytest.raises(ApprovalClosedError):
        act(office, "erin", "recall", started["approval"])  # withdrawn: nothing left to recall
    assert timeline(office, request)[-2:] == ["approval:withdrawn", "transition:cancel"]


def test_without_withdraw_a_pending_approval_still_blocks_cancel(office: Office) -> None:
    request = office.create(amount="300")
    office.run("erin", request, "submit")
    with pytest.raises(TransitionBlockedError) as blocked:
        office.run("erin", request, "cancel")
    assert [d.code for d in blocked.value.details] == ["approval.pending"]


def test_an_approval_with_a_mail_channel_also_mails_its_task_notices(office: Office) -> None:
    from jimu.platform.jobs.tables import jobs
    from jimu.platform.meta import users as user_table
    from jimu.platform.notifications import NOTIFY_KIND, set_channel
    from jimu.platform.security.admin import Actor, AdminScope

    from .conftest import purchasing_app

    app = purchasing_app()
    submit = next(t for t in app["processes"][0]["transitions"] if t["key"] == "submit")
    submit["approval"]["channels"] = ["office_mail", "inapp"]
    office.kernel.apply_app(app)
    with office.kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(user_table).where(user_table.c.id == office.people["mona"]).values(
            email="mona@example.com", locale="zh-CN"))
        set_channel(AdminScope(ctx.conn, ctx.catalog, Actor(None, "cli"), ctx.now()), "office_mail", "email",
                    {"host": "smtp.example.com", "from": "office@example.com"})
    request = office.create(amount="300")
    dry = office.run("erin", request, "submit", dry_run=True)
    assert [e["channel"] for e in dry["effects"] if e["kind"] == "notification.queued"] == ["inapp", "office_mail"]
    office.run("erin", request, "submit")
    with office.kernel.unit_of_work() as ctx:
        payloads = [p for p in ctx.conn.execute(sa.select(jobs.c.payload).where(jobs.c.kind == NOTIFY_KIND)).scalars()]
    [mail] = payloads  # once, and the in-app channel is not delivered twice
    assert (mail["channel"], mail["message"]["to"]) == ("office_mail", ["mona@example.com"])
    assert "Laptops" in mail["message"]["subject"]
    with office.kernel.engine.connect() as conn:
        assert len(inbox.list_notifications(conn, user_id=office.people["mona"]).data) == 1
