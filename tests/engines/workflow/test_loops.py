"""for_each: over lines (in an order, with a condition) and over a query of another entity, carrying vars and
stopping early: allocating a payment across open invoices, spreading freight with the remainder on the last."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from jimu.engines.expressions.types import ExprType
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.platform.kernel import Kernel

from .action_helpers import all_of, run_on


def _invoices(kernel: Kernel, rows: list[tuple[str, str, str, str]]) -> None:
    with kernel.unit_of_work() as ctx:
        for number, partner, due, amount in rows:
            records.create(ctx, "invoice", {"number": number, "partner": partner,
                                            "due_on": date.fromisoformat(due), "open": amount})


def test_a_payment_is_allocated_to_the_partners_open_invoices_oldest_due_first(trade: Kernel) -> None:
    _invoices(trade, [("I-3", "acme", "2026-03-01", "50"), ("I-1", "acme", "2026-01-01", "100"),
                      ("I-2", "acme", "2026-02-01", "80"), ("I-9", "other", "2025-12-01", "70")])
    with trade.unit_of_work() as ctx:
        payment = records.create(ctx, "payment", {"partner": "acme", "amount": "150"})
        posted = transitions.run(ctx, "payment", int(payment["id"]), "post")
        open_now = {r["number"]: r["open"] for r in all_of(ctx, "invoice")}
    assert open_now == {"I-1": Decimal("0"), "I-2": Decimal("30"), "I-3": Decimal("50"), "I-9": Decimal("70")}
    assert posted["record"]["unapplied"] == Decimal("0")
    with trade.unit_of_work() as ctx:
        second = records.create(ctx, "payment", {"partner": "acme", "amount": "100"})
        assert transitions.run(ctx, "payment", int(second["id"]), "post")["record"]["unapplied"] == Decimal("20")
        assert {r["number"]: r["open"] for r in all_of(ctx, "invoice")}["I-3"] == Decimal("0")


SPREAD = [
    {"type": "let", "vars": {"left": "freight", "n": "COUNT(lines)", "total": "SUM(lines.amount)"}},
    {"type": "for_each", "lines": "lines", "order": ["amount"], "actions": [
        {"type": "let", "vars": {"share": "IF(vars.n = 1, vars.left, ROUND(freight * line.amount / vars.total, 2))"}},
        {"type": "update", "entity": "order_line", "id": "line.id", "values": {"freight_share": "vars.share"}},
        {"type": "let", "vars": {"left": "vars.left - vars.share", "n": "vars.n - 1"}}]},
]
SPREAD_VARS = {"left": ExprType.DECIMAL, "n": ExprType.INTEGER, "total": ExprType.DECIMAL, "share": ExprType.DECIMAL}


def test_freight_is_spread_over_the_lines_with_the_rounding_remainder_on_the_last(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        order = records.create(ctx, "order", {"number": "SO-F", "freight": "10.00", "lines": [
            {"qty": "1", "price": "1"}, {"qty": "1", "price": "1"}, {"qty": "1", "price": "1.5"}]})
        run_on(ctx, "order", int(order["id"]), SPREAD, var_types=SPREAD_VARS)
        shares = [line["freight_share"] for line in records.get(ctx, "order", int(order["id"]))["lines"]]
    # 10 × 1/3.5 = 2.857… → 2.86, twice; the last (largest, ordered last) takes what is left: 4.28
    assert shares == [Decimal("2.86"), Decimal("2.86"), Decimal("4.28")]
    assert sum(shares) == Decimal("10.00")


def test_lines_where_and_stop_and_vars_carried(trade: Kernel) -> None:
    actions = [{"type": "for_each", "lines": "lines", "where": "l.qty > 1", "order": ["-qty"], "as": "l",
                "actions": [{"type": "let", "vars": {"seen": "vars.seen + 1", "last": "l.qty"}},
                            {"type": "stop", "when": "vars.seen = 2"}]},
               {"type": "let", "vars": {"after": "vars.seen * 10"}}]
    with trade.unit_of_work() as ctx:
        order = records.create(ctx, "order", {"number": "SO-W", "lines": [
            {"qty": q, "price": "1"} for q in ("1", "5", "3", "7", "2")]})
        chain = run_on(ctx, "order", int(order["id"]),
                       [{"type": "let", "vars": {"seen": "0"}}, *actions],
                       var_types={"seen": ExprType.INTEGER, "last": ExprType.DECIMAL, "after": ExprType.INTEGER})
        frame = chain.ctx.extras["test.frame"]
    # qty > 1, largest first: 7, 5 — then stop ends the loop, not the list after it
    assert (frame.vars["seen"], frame.vars["last"], frame.vars["after"]) == (2, Decimal("5"), 20)


def test_a_query_reads_the_record_and_link_paths_of_the_row(trade: Kernel) -> None:
    with trade.unit_of_work() as ctx:
        bolt = int(records.create(ctx, "item", {"name": "Bolt"})["id"])
        nut = int(records.create(ctx, "item", {"name": "Nut"})["id"])
        for item, qty in ((bolt, "1"), (nut, "2"), (bolt, "3"), (bolt, "0")):
            records.create(ctx, "layer", {"item": item, "remaining": qty})
        res = int(records.create(ctx, "reservation", {"item": bolt, "qty": "1"})["id"])
        chain = run_on(ctx, "reservation", res, [
            {"type": "let", "vars": {"sum": "0"}},
            {"type": "for_each", "entity": "layer", "where": "row.item.name = 'Bolt' and row.remaining > qty - 1 "
                                                            "and row.item = item", "limit": 5,
             "order": ["-remaining"], "actions": [{"type": "let", "vars": {"sum": "vars.sum * 10 + row.remaining"}}]}],
            var_types={"sum": ExprType.DECIMAL})
    assert chain.ctx.extras["test.frame"].vars["sum"] == Decimal("31")  # 3 then 1; the empty layer and the nut skipped
