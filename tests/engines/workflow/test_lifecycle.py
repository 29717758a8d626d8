"""The submit/cancel lifecycle: who may run what (roles, named users, the submitter's manager), cancels
refused while created records are submitted, amending, and records in flight keeping their version."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.engines.workflow.amend import amend
from jimu.engines.workflow.errors import TransitionBlockedError, TransitionNotAllowedError
from jimu.engines.workflow.tables import created_links
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    bind_policy,
    create_department,
    create_role,
    create_user,
    load_principal,
    set_permission,
    set_user_roles,
)
from jimu.platform.security.tables import user_departments

from .conftest import expenses_app


@pytest.fixture
def people(expenses: Kernel) -> dict[str, int]:
    """eve (employee in Sales), sam (manages Sales' parent, Company; Sales has no manager), mia (a manager)."""
    with expenses.unit_of_work() as ctx:
        found = {name: create_user(ctx.conn, name) for name in ("eve", "sam", "mia", "olga")}
        for role in ("employee", "manager"):
            create_role(ctx.conn, role)
            set_permission(ctx.conn, role, "claim", ["read", "create", "update"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, found["eve"], ["employee"])
        set_user_roles(ctx.conn, found["sam"], ["employee"])
        set_user_roles(ctx.conn, found["olga"], ["employee"])
        set_user_roles(ctx.conn, found["mia"], ["manager"])
        company = create_department(ctx.conn, "Company", manager_id=found["sam"])
        sales = create_department(ctx.conn, "Sales", parent_id=company)
        ctx.conn.execute(sa.insert(user_departments).values(user_id=found["eve"], department_id=sales))
    return found


@contextmanager
def _as(kernel: Kernel, user_id: int) -> Iterator[Context]:
    """A unit of work of a signed-in user, with their roles' access policy."""
    with kernel.unit_of_work(user_id=user_id) as ctx:
        bind_policy(ctx, load_principal(ctx.conn, user_id))
        yield ctx


def test_the_submitters_manager_is_found_up_the_tree_and_others_are_refused(expenses: Kernel,
                                                                            people: dict[str, int]) -> None:
    with _as(expenses, people["eve"]) as ctx:
        claim = records.create(ctx, "claim", {"title": "Train", "amount": "40", "owner": people["eve"]})["id"]
        transitions.run(ctx, "claim", claim, "submit")
    with _as(expenses, people["olga"]) as ctx, pytest.raises(TransitionNotAllowedError):
        transitions.run(ctx, "claim", claim, "approve")
    with _as(expenses, people["sam"]) as ctx:  # Sales has no manager: its parent's manager approves
        assert transitions.run(ctx, "claim", claim, "approve")["to"] == "approved"
    with _as(expenses, people["eve"]) as ctx:  # the owner may cancel
        assert transitions.run(ctx, "claim", claim, "cancel", comment="trip called off")["to"] == "cancelled"


def test_cancel_is_refused_while_a_record_created_from_it_is_submitted(expenses: Kernel) -> None:
    with expenses.unit_of_work() as ctx:
        source = records.create(ctx, "claim", {"title": "Fair", "amount": "100"})["id"]
        child = records.create(ctx, "claim", {"title": "Fair booth", "amount": "60"})["id"]
        for record_id in (source, child):
            transitions.run(ctx, "claim", record_id, "submit")
        ctx.conn.execute(sa.insert(created_links).values(
            source_entity="claim", source_id=source, target_entity="claim", target_id=child,
            action_key="test:booth", created_at=ctx.now()))
    with expenses.unit_of_work() as ctx:
        with pytest.raises(TransitionBlockedError) as refused:
            transitions.run(ctx, "claim", source, "cancel", comment="no")
        assert [d.code for d in refused.value.details] == ["workflow.cancel_children_first"]
        assert "Fair booth" in refused.value.details[0].message
        transitions.run(ctx, "claim", child, "cancel", comment="first the booth")
        assert transitions.run(ctx, "claim", source, "cancel", comment="then the fair")["to"] == "cancelled"


def test_a_cancelled_claim_is_amended_into_a_linked_draft_copy(expenses: Kernel) -> None:
    with expenses.unit_of_work() as ctx:
        claim = records.create(ctx, "claim", {"title": "Hotel", "amount": "90",
                                              "lines": [{"what": "night", "cost": "90"}]})["id"]
        transitions.run(ctx, "claim", claim, "submit")
        with pytest.raises(TransitionBlockedError):
            amend(ctx, "claim", claim)
        transitions.run(ctx, "claim", claim, "cancel", comment="wrong hotel")
        copy = amend(ctx, "claim", claim)
    assert (copy["state"], copy["amended_from"], copy["title"], str(copy["amount"])) == ("draft", claim, "Hotel", "90.00")
    assert [(line["what"], str(line["cost"])) for line in copy["lines"]] == [("night", "90.00")]


def test_a_record_in_flight_keeps_its_process_version(expenses: Kernel) -> None:
    with expenses.unit_of_work() as ctx:
        old = records.create(ctx, "claim", {"title": "Old", "amount": "5"})["id"]
    newer = expenses_app()
    newer["processes"][0]["transitions"][0]["guards"].append(
        {"condition": "amount >= 10", "message": {"en": "At least 10 now.", "zh-CN": "现在至少 10。"}})
    expenses.apply_app(newer)
    with expenses.unit_of_work() as ctx:
        new = records.create(ctx, "claim", {"title": "New", "amount": "5"})["id"]
        with pytest.raises(TransitionBlockedError) as refused:
            transitions.run(ctx, "claim", new, "submit")
        assert [d.message for d in refused.value.details] == ["At least 10 now."]
        assert transitions.run(ctx, "claim", old, "submit")["to"] == "submitted"
