"""Instructions per request of Jimu's app and of the bare app, counted by callgrind: the same on any load.

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/ci.%p \\
        .venv/bin/python bench/request_instructions.py --all --requests 200

Each app is driven in process through its ASGI interface, as `request_cpu.py` does (after a warm-up);
callgrind counts only the measured requests of each scenario: instrumentation is switched on and off
around them by callgrind's client requests (a tiny C shim built here with `cc` from valgrind's
callgrind.h), and the counter is read back from the dump callgrind writes at the end of each run.
Without valgrind it still runs (the counts are then absent): a quick check that the scenarios work.
"""
from __future__ import annotations

import argparse
import asyncio
import ctypes
import glob
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bare_api
from api_bench import prepare, scenarios
from request_cpu import WARM_UP, _call
from run import database_targets, scratch_database
from wire_counts import Request

from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.web.api import create_app

SHIM = """#include <valgrind/callgrind.h>
void jimu_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void jimu_stop(const char *name) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT(name); }
"""


def _shim() -> Any:
    folder = Path(tempfile.mkdtemp(prefix="jimu-callgrind-"))
    (folder / "shim.c").write_text(SHIM)
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", "-o", str(folder / "shim.so"), str(folder / "shim.c")],
                   check=True)
    return ctypes.CDLL(str(folder / "shim.so"))


async def _drive(app: Any, request_of: Callable[[random.Random], Request], headers: dict[str, str], n: int,
                 shim: Any, label: str) -> None:
    rng = random.Random(5)
    for _ in range(WARM_UP):
        status = await _call(app, request_of(rng), headers)
        if status >= 400:
            raise RuntimeError(f"{label}: status {status}")
    shim.jimu_start()
    for _ in range(n):
        await _call(app, request_of(rng), headers)
    shim.jimu_stop(label.encode())


def _totals(pattern: str) -> dict[str, int]:
    """Instructions of each dump, by its label ('desc: Trigger: Client Request: LABEL' ... 'totals: N')."""
    found: dict[str, int] = {}
    for path in sorted(glob.glob(pattern)):
        label, total = None, None
        for line in Path(path).read_text(errors="replace").splitlines():
            if line.startswith("desc: Trigger: Client Request: "):
                label = line.removeprefix("desc: Trigger: Client Request: ")
            elif line.startswith(("totals: ", "summary: ")):
                total = int(line.split()[1])
        if label is not None and total is not None:
            found[label] = total
    return found


def measure(name: str, url: str, rows: int, n: int, only: str | None) -> list[str]:
    shim = _shim()
    token = prepare(url, rows)
    auth = {"Authorization": f"Bearer {token}"}
    engine = create_engine(url)
    jimu_app = create_app(Kernel(engine))
    bare_app = bare_api.create(url)
    labels = []
    try:
        for scenario in scenarios(rows):
            if only and not scenario.name.startswith(only):
                continue
            for side, app, request_of, headers in (("jimu", jimu_app, scenario.jimu, auth),
                                                   ("bare", bare_app, scenario.bare, {})):
                label = f"{name}|{scenario.name}|{side}"
                asyncio.run(_drive(app, request_of, headers, n, shim, label))
                labels.append(label)
    finally:
        engine.dispose()
    return labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--all", action="store_true",
                        help="SQLite and PostgreSQL (JIMU_BENCH_PG_URL or the local server)")
    parser.add_argument("--rows", type=int, default=2_000, help="customers in the table (default 2,000)")
    parser.add_argument("--requests", type=int, default=200, help="counted requests per app (default 200)")
    parser.add_argument("--only", metavar="NAME", help="only the scenario starting with NAME (GET, list, create)")
    parser.add_argument("--out", default=f"/tmp/jimu-ci.{os.getpid()}.*",
                        help="glob of callgrind's dumps (--callgrind-out-file=/tmp/jimu-ci.%%p: the default)")
    args = parser.parse_args(argv)
    labels = []
    for name, url in database_targets(args.all, args.database_url):
        with scratch_database(url) as scratch:
            labels += measure(name, scratch, args.rows, args.requests, args.only)
    totals = _totals(args.out)
    print(f"{'database':<11} {'measurement':<22} {'jimu M instr':>12} {'bare M instr':>12} {'bare/jimu':>9}")
    done = set()
    for label in labels:
        name, scenario, _side = label.split("|")
        if (name, scenario) in done:
            continue
        done.add((name, scenario))
        jimu, bare = totals.get(f"{name}|{scenario}|jimu"), totals.get(f"{name}|{scenario}|bare")
        if jimu is None or bare is None:
            print(f"{name:<11} {scenario:<22} {'-':>12} {'-':>12} (not under callgrind, or no dump at {args.out})")
            continue
        per_jimu, per_bare = jimu / args.requests / 1e6, bare / args.requests / 1e6
        print(f"{name:<11} {scenario:<22} {per_jimu:>12.2f} {per_bare:>12.2f} {per_bare / per_jimu:>9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
