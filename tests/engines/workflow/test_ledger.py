"""post_ledger and reverse_ledger: rows per line, balanced Decimal-exact or refused, posted once per run,
reversed once by mirrored rows (swapped or negated), never deleted."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from jimu.engines.forms import records
from jimu.engines.workflow.errors import ActionFailedError
from jimu.platform.context import Context
from jimu.platform.kernel import Kernel

from .action_helpers import all_of, run_on

POST = {"type": "post_ledger", "entity": "journal", "balance": {"debit": "debit", "credit": "credit"}, "rows": [
    {"values": {"account": "'receivable'", "debit": "SUM(lines.amount)", "credit": "0", "document": "id"}},
    {"lines": "lines", "where": "line.amount > 0",
     "values": {"account": "'revenue'", "debit": "0", "credit": "line.amount", "document": "id"}}]}


def _order(ctx: Context, *prices: str) -> int:
    lines = [{"qty": "3", "price": p} for p in prices]
    return int(records.create(ctx, "order", {"number": "SO-L", "lines": lines})["id"])


def _rows(ctx: Context) -> list[tuple[Any, ...]]:
    return [(r["account"], r["debit"], r["credit"], r["memo"]) for r in all_of(ctx, "journal")]


def test_rows_per_line_balance_and_post_once_per_run(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "0.10", "0", "0.23")
        for _ in range(2):  # a retry of the same run posts nothing twice
            chain = run_on(ctx, "order", order, [POST], run_key="post-1")
        assert _rows(ctx) == [("receivable", Decimal("0.99"), Decimal("0"), None),
                              ("revenue", Decimal("0"), Decimal("0.30"), None),
                              ("revenue", Decimal("0"), Decimal("0.69"), None)]
    posted = [e for e in chain.effects.items if e["kind"] == "ledger.posted"][0]
    assert (posted["debit"], posted["credit"], [r["account"] for r in posted["rows"]]) == (
        Decimal("0.99"), Decimal("0.99"), ["receivable", "revenue", "revenue"])


def test_an_unbalanced_entry_is_refused(trade: Kernel) -> None:
    bad = {**POST, "rows": [{**POST["rows"][0], "values": {**POST["rows"][0]["values"], "debit": "1"}},
                            POST["rows"][1]]}
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "0.10")
        with pytest.raises(ActionFailedError) as refused:
            run_on(ctx, "order", order, [bad])
    assert refused.value.details[0].code == "workflow.ledger_unbalanced"
    assert "debits 1.00, credits 0.30" in refused.value.message


@pytest.mark.parametrize("how", [{"swap": [["debit", "credit"]]}, {"negate": ["debit", "credit"]}])
def test_reversal_mirrors_each_posted_row_once(trade: Kernel, how: dict[str, Any]) -> None:
    reverse = {"type": "reverse_ledger", "entity": "journal", **how, "values": {"memo": "'undo ' & row.account"}}
    with trade.unit_of_work() as ctx:
        order = _order(ctx, "1")
        run_on(ctx, "order", order, [POST])
        run_on(ctx, "order", order, [reverse], run_key="cancel-1")
        run_on(ctx, "order", order, [reverse], run_key="cancel-2")  # reversed rows are not reversed again
        rows = _rows(ctx)
    assert len(rows) == 4 and rows[:2] == [("receivable", Decimal("3.00"), Decimal("0"), None),
                                           ("revenue", Decimal("0"), Decimal("3.00"), None)]
    if "swap" in how:
        assert rows[2:] == [("receivable", Decimal("0"), Decimal("3.00"), "undo receivable"),
                            ("revenue", Decimal("3.00"), Decimal("0"), "undo revenue")]
    else:
        assert rows[2:] == [("receivable", Decimal("-3.00"), Decimal("0"), "undo receivable"),
                            ("revenue", Decimal("0"), Decimal("-3.00"), "undo revenue")]
    assert sum(r[1] - r[2] for r in rows) == 0
