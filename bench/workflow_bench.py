"""The workflow engine's transition with four actions on a 20-line record: latency per action and throughput.

    .venv/bin/python bench/workflow_bench.py                 # SQLite, then PostgreSQL (JIMU_BENCH_PG_URL)
    .venv/bin/python bench/workflow_bench.py --sqlite-only --docs 30
    .venv/bin/python bench/workflow_bench.py --clients 8 --docs 40

The transition `post` runs: set a field; create a linked record with its 20 lines (back-linked); for each
of the 20 lines, update its item's quantity (a locked read-modify-write with a minimum of 0); post a
balanced two-row ledger entry. Transitions `t0`..`t3` run the first 0..3 of those actions, so the cost of
each action is the difference of two medians. Throughput: `--clients` threads, each posting its own
records in its own units of work (PostgreSQL only; SQLite serialises writers). Figures: bench/README.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from run import DEFAULT_PG_URL, scratch_database

from jimu.engines import workflow
from jimu.engines.forms import records
from jimu.engines.workflow import transitions
from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel

LINES = 20
ITEMS = 400
GOAL_RECORDS_PER_S = 3 * 87  # 3 × NocoBase's 87 records/s with one synchronous rule (4 clients)
GOAL_MS_PER_ACTION = 2.0

ACTIONS: list[dict[str, Any]] = [
    {"type": "set", "values": {"note": "'posted ' & number"}},
    {"type": "create", "key": "copy", "entity": "copy", "values": {"doc": "id", "number": "number"},
     "lines": [{"from": "lines", "to": "lines", "values": {"item": "line.item", "qty": "line.qty",
                                                          "source_line": "line.id"},
                "back": {"field": "source_line", "add": {"done": "qty"}}}]},
    {"type": "for_each", "lines": "lines", "order": ["item"], "actions": [
        {"type": "update", "entity": "item", "id": "line.item", "values": {"on_hand": "row.on_hand - line.qty"}}]},
    {"type": "post_ledger", "key": "gl", "entity": "ledger", "balance": {"debit": "debit", "credit": "credit"},
     "rows": [{"values": {"account": "'stock'", "debit": "0", "credit": "total", "document": "id"}},
              {"values": {"account": "'cost'", "debit": "total", "credit": "0", "document": "id"}}]},
]


def _dec(name: str, scale: int = 2) -> dict[str, Any]:
    return {"name": name, "type": "decimal", "scale": scale}


def bench_app() -> dict[str, Any]:
    state = {"name": "state", "type": "select", "default": "draft",
             "options": [{"value": "draft"}, {"value": "done"}]}
    transitions_ = [{"key": f"t{n}", "from": ["draft"], "to": "done", "actions": ACTIONS[:n]} for n in range(4)]
    transitions_.append({"key": "post", "from": ["draft"], "to": "done", "actions": ACTIONS})
    return {"key": "wfbench", "version": "1.0.0", "label": "Workflow bench", "entities": [
        {"key": "item", "fields": [{"name": "name", "type": "text"}, _dec("on_hand", 3)]},
        {"key": "doc", "title_field": "number", "fields": [
            {"name": "number", "type": "text"}, {"name": "note", "type": "text"}, state,
            {"name": "lines", "type": "child_table", "entity": "doc_line"},
            {"name": "total", "type": "rollup", "relation": "lines", "function": "sum", "field": "amount"}]},
        {"key": "doc_line", "child": True, "fields": [
            {"name": "item", "type": "link", "entity": "item"}, _dec("qty", 3), _dec("price"), _dec("done", 3),
            {"name": "amount", "type": "formula", "expression": "ROUND(qty * price, 2)"}]},
        {"key": "copy", "fields": [{"name": "doc", "type": "link", "entity": "doc"}, {"name": "number", "type": "text"},
                                   {"name": "lines", "type": "child_table", "entity": "copy_line"}]},
        {"key": "copy_line", "child": True, "fields": [
            {"name": "item", "type": "link", "entity": "item"}, _dec("qty", 3),
            {"name": "source_line", "type": "integer"}]},
        {"key": "ledger", "fields": [{"name": "account", "type": "text"}, _dec("debit"), _dec("credit"),
                                     {"name": "document", "type": "integer"}]}],
        "processes": [{"key": "doc_flow", "entity": "doc", "state_field": "state",
                       "states": [{"key": "draft"}, {"key": "done", "phase": "submitted"}],
                       "transitions": transitions_}]}


def prepare(kernel: Kernel, docs: int) -> list[int]:
    """Items with plenty on hand and `docs` records of 20 lines each (items spread so clients rarely collide)."""
    with kernel.unit_of_work() as ctx:
        items = [int(records.create(ctx, "item", {"name": f"i{n}", "on_hand": "1000000"})["id"]) for n in range(ITEMS)]
        made = []
        for n in range(docs):
            lines = [{"item": items[(n * 7 + k * 13) % ITEMS], "qty": "1", "price": "2.50"} for k in range(LINES)]
            made.append(int(records.create(ctx, "doc", {"number": f"D{n}", "lines": lines})["id"]))
    return made


def post(kernel: Kernel, doc: int, transition: str) -> None:
    with kernel.unit_of_work() as ctx:
        transitions.run(ctx, "doc", doc, transition)


@dataclass
class Measured:
    """Medians over the records posted: wall-clock ms, this process's CPU ms, statements sent."""

    ms: float
    cpu_ms: float
    statements: float


def measure(kernel: Kernel, docs: list[int], transition: str) -> Measured:
    """Each record posted in its own unit of work; CPU is the process's (the database server's is not
    in it on PostgreSQL), statements are counted as the driver sends them (an executemany counts once)."""
    sent = [0]

    def count(*_: Any) -> None:
        sent[0] += 1

    sa.event.listen(kernel.engine, "before_cursor_execute", count)
    times, cpus, counts = [], [], []
    try:
        for doc in docs:
            sent[0] = 0
            start, cpu = time.perf_counter(), time.process_time()
            post(kernel, doc, transition)
            times.append((time.perf_counter() - start) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            counts.append(sent[0])
    finally:
        sa.event.remove(kernel.engine, "before_cursor_execute", count)
    return Measured(statistics.median(times), statistics.median(cpus), statistics.median(counts))


def throughput(kernel: Kernel, docs: list[int], clients: int) -> float:
    """Records posted per second by `clients` threads (each record: its copy with 20 lines, 20 updates, 2 rows)."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        list(pool.map(lambda d: post(kernel, d, "post"), docs))
    return len(docs) / (time.perf_counter() - start)


def run_database(url: str, docs: int, clients: int, concurrent: bool, out: Callable[[str], None]) -> bool:
    engine = create_engine(url)
    try:
        init_database(engine)
        kernel = workflow.install(Kernel(engine))
        kernel.apply_app(bench_app())
        made = prepare(kernel, docs * 5 + (docs * 2 if concurrent else 0) + 1)
        name = engine.dialect.name
        post(kernel, made[-1], "t0")  # warm: the first unit of work builds the plans and compiles the SQL
        found = [measure(kernel, made[n * docs:(n + 1) * docs], t)
                 for n, t in enumerate(("t0", "t1", "t2", "t3", "post"))]
        medians = [m.ms for m in found]
        labels = ["transition alone (state change)", "+ set", "+ create with 20 lines",
                  "+ 20 quantity updates", "+ balanced ledger entry"]
        for n, (label, value) in enumerate(zip(labels, found, strict=True)):
            extra = "" if n == 0 else f"  (+{value.ms - found[n - 1].ms:.2f} ms)"
            out(f"{name:<11} {label:<34} {value.ms:8.2f} ms median{extra:<16} cpu {value.cpu_ms:6.2f} ms"
                f"  {value.statements:4.0f} statements")
        per_action = (medians[4] - medians[0]) / (1 + 1 + LINES + 1)
        cpu_per_action = (found[4].cpu_ms - found[0].cpu_ms) / (1 + 1 + LINES + 1)
        out(f"{name:<11} {'per action (23 actions)':<34} {per_action:8.2f} ms"
            f"  goal < {GOAL_MS_PER_ACTION} ms: {'yes' if per_action < GOAL_MS_PER_ACTION else 'no'}"
            f"  (cpu {cpu_per_action:.2f} ms, {(found[4].statements - found[0].statements) / 23:.1f} statements)")
        met = per_action < GOAL_MS_PER_ACTION
        if concurrent:
            rate = throughput(kernel, made[docs * 5:-1], clients)
            out(f"{name:<11} {f'throughput, {clients} clients':<34} {rate:8.1f} records/s"
                f"  goal >= {GOAL_RECORDS_PER_S}: {'yes' if rate >= GOAL_RECORDS_PER_S else 'no'}")
            met = met and rate >= GOAL_RECORDS_PER_S
        return met
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=30, help="records per measured transition (default 30)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--pg-url", default=None,
                        help=f"PostgreSQL server (default $JIMU_BENCH_PG_URL or {DEFAULT_PG_URL})")
    args = parser.parse_args(argv)

    ok = True
    with scratch_database(None) as url:
        ok = run_database(url, args.docs, args.clients, False, print) and ok
    if not args.sqlite_only:
        with scratch_database(args.pg_url or os.environ.get("JIMU_BENCH_PG_URL", DEFAULT_PG_URL)) as url:
            ok = run_database(url, args.docs, args.clients, True, print) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
