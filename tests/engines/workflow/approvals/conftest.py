"""Fixtures of the approval tests: the purchasing app, its people (departments, roles) and a clock to move."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_role, set_user_roles
from jimu.platform.security.departments import create_department
from jimu.platform.security.users import create_user, set_user_departments

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "apps"


def purchasing_app() -> dict[str, Any]:
    app: dict[str, Any] = json.loads((FIXTURES / "purchasing.json").read_text(encoding="utf-8"))
    return app


@dataclass
class Clock:
    now: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Office:
    """The kernel with the purchasing app, a clock, and people by name."""

    kernel: Kernel
    clock: Clock
    people: dict[str, int] = field(default_factory=dict)

    def create(self, user: str = "erin", **values: Any) -> int:
        with self.kernel.unit_of_work(user_id=self.people[user]) as ctx:
            return int(records.create(ctx, "request", {"title": "Laptops", **values})["id"])

    def run(self, user: str, record_id: int, transition: str, **kw: Any) -> dict[str, Any]:
        with self.kernel.unit_of_work(user_id=self.people[user]) as ctx:
            return transitions.run(ctx, "request", record_id, transition, **kw)

    def record(self, record_id: int) -> dict[str, Any]:
        with self.kernel.unit_of_work() as ctx:
            return records.get(ctx, "request", record_id)


@pytest.fixture
def office(kernel: Kernel) -> Office:
    """Erin works in the Sales team (no manager) under Sales (managed by Mona); Fay, Finn and Fred are in
    finance; Dan is the director; Rita reviews; B1..B3 sit on the board."""
    clock = Clock()
    kernel.clock = clock
    kernel.apply_app(purchasing_app())
    office = Office(kernel, clock)
    with kernel.unit_of_work() as ctx:
        for role in ("finance", "director", "board"):
            create_role(ctx.conn, role)
        for name in ("erin", "mona", "fay", "finn", "fred", "dan", "rita", "b1", "b2", "b3", "otto"):
            office.people[name] = create_user(ctx.conn, name, display_name=name.capitalize())
        sales = create_department(ctx.conn, "Sales", manager_id=office.people["mona"])
        team = create_department(ctx.conn, "Sales team", parent_id=sales)
        set_user_departments(ctx.conn, office.people["erin"], [team])
        set_user_departments(ctx.conn, office.people["mona"], [sales])
        for name in ("fay", "finn", "fred"):
            set_user_roles(ctx.conn, office.people[name], ["finance"])
        set_user_roles(ctx.conn, office.people["dan"], ["director"])
        for name in ("b1", "b2", "b3"):
            set_user_roles(ctx.conn, office.people[name], ["board"])
    return office
