"""A chain's writes: no savepoint each (the chain's one undoes them all), audit rows held and inserted together
when the chain ends (none when it fails), two statements per locked `update` of a record."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.engines.workflow.chain import Chain, Frame, run_actions
from jimu.engines.workflow.definitions import workflow_defs
from jimu.engines.workflow.errors import ActionFailedError
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel
from jimu.platform.meta import audit_log

from .action_helpers import run_on


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(" ".join(statement.split()))

    sa.event.listen(ctx.conn, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(ctx.conn, "before_cursor_execute", note)


def _invoices(kernel: Kernel) -> tuple[int, list[int]]:
    with kernel.unit_of_work() as ctx:
        made = [int(records.create(ctx, "invoice", {"number": f"I-{n}", "partner": "acme", "open": "10",
                                                    "due_on": date(2026, 1, n + 1)})["id"]) for n in range(3)]
        return int(records.create(ctx, "payment", {"partner": "acme", "amount": "4"})["id"]), made


def _trail(kernel: Kernel, invoice: int) -> list[str]:
    with kernel.unit_of_work() as ctx:
        return [entry["action"] for entry in records.history(ctx, "invoice", invoice)]


def _take(invoice: int, amount: str = "amount") -> dict[str, Any]:
    return {"type": "update", "entity": "invoice", "id": str(invoice), "values": {"open": f"row.open - {amount}"}}


def test_a_chain_inserts_its_audit_rows_together_at_its_end(trade: Kernel) -> None:
    payment, invoices = _invoices(trade)
    with trade.unit_of_work() as ctx:
        with statements(ctx) as sent:
            run_on(ctx, "payment", payment, [_take(i) for i in invoices])
    updates = [s for s in sent if s.startswith("UPDATE t_invoice")]
    assert len(updates) == 3 and all("RETURNING" in s for s in updates)
    assert sum(s.startswith("SELECT t_invoice.id") for s in sent) == 3  # one (locking) read per target
    assert sum(s.startswith("INSERT INTO jimu_audit") for s in sent) == 1
    assert sum(s.startswith("SAVEPOINT") for s in sent) == 1  # the chain's own
    assert all(_trail(trade, i) == ["update", "create"] for i in invoices)


def test_a_failing_chain_leaves_no_write_and_no_audit_row(trade: Kernel) -> None:
    payment, invoices = _invoices(trade)
    with trade.unit_of_work() as ctx:
        audit_rows = ctx.conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one()
        with pytest.raises(ActionFailedError):  # the third takes 11 of 10
            run_on(ctx, "payment", payment, [_take(invoices[0]), _take(invoices[1]), _take(invoices[2], "11")])
        assert ctx.conn.execute(sa.select(sa.func.count()).select_from(audit_log)).scalar_one() == audit_rows
        assert [records.get(ctx, "invoice", i)["open"] for i in invoices] == [Decimal("10")] * 3


def test_the_trail_read_inside_a_chain_holds_the_chains_writes(trade: Kernel) -> None:
    payment, invoices = _invoices(trade)
    with trade.unit_of_work() as ctx:
        chain = Chain.start(ctx, workflow_defs(ctx.catalog), "test")
        frame = Frame.on_record(chain, ctx.catalog.require_entity("payment"), records.get(ctx, "payment", payment))
        with ctx.conn.begin_nested():
            run_actions(chain, frame, [_take(invoices[0])], "actions")
            seen = [entry["action"] for entry in records.history(chain.ctx, "invoice", invoices[0])]
            chain.finish()
    assert seen == ["update", "create"] and _trail(trade, invoices[0]) == ["update", "create"]


def test_a_transition_writes_its_audit_rows_and_its_timeline_line_in_one_statement(trade: Kernel) -> None:
    from jimu.engines.workflow import transitions

    payment, invoices = _invoices(trade)
    with trade.unit_of_work() as ctx:
        process = workflow_defs(ctx.catalog).process_of("payment")
        assert process is not None
        with statements(ctx) as sent:
            transitions.run(ctx, "payment", payment, process.transitions[0].key)
    assert sum(s.startswith("INSERT INTO jimu_audit") for s in sent) == 1
    with trade.unit_of_work() as ctx:
        assert [e["action"] for e in records.history(ctx, "payment", payment)][:2] == ["transition", "update"]
