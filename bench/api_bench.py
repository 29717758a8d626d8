"""HTTP API bench: `jimu serve` against a bare FastAPI app running the same SQL on the same database.

    .venv/bin/python bench/api_bench.py                 # a temporary SQLite file
    .venv/bin/python bench/api_bench.py --all           # SQLite, then PostgreSQL (JIMU_BENCH_PG_URL)
    .venv/bin/python bench/api_bench.py --seconds 5 --rows 20000

For each database: GET one record by id, a filtered list (20 rows, city = X, by id) and a create, each
for a fixed time with 4 concurrent keep-alive clients. Prints requests/s, p50 and p99 latency, the
statements and round trips per request (counted apart, in process: wire_counts.py), and the ratio
jimu / bare of requests/s (goal: at least 0.6). Servers listen on 127.0.0.1 only, one worker.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import bare_api
import httpx
from loadgen import new_loop, run_clients
from run import database_targets, scratch_database
from wire_counts import Counts, Request, metered_url, per_request

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_api_token, create_user
from jimu.web.api import create_app

HERE = Path(__file__).resolve().parent
JIMU = Path(sys.executable).with_name("jimu")
CITIES = ["Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Chengdu", "Wuhan", "Xi'an", "Nanjing"]
GOAL = 0.6
STARTUP_SECONDS = 90
BENCH_APP = {
    "key": "api_bench", "version": "1.0.0",
    "entities": [{"key": "customer", "title_field": "name", "fields": [
        {"name": "name", "type": "text", "required": True},
        {"name": "city", "type": "select", "indexed": True, "options": [{"value": c} for c in CITIES]},
        {"name": "credit", "type": "money"},
        {"name": "active", "type": "boolean"},
    ]}],
}


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def quantile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def prepare(url: str, rows: int) -> str:
    """Install the bench app, `rows` customers and an admin; returns the admin's API token."""
    engine = create_engine(url)
    try:
        init_database(engine)
        kernel = Kernel(engine)
        kernel.apply_app(BENCH_APP)
        rng = random.Random(7)
        with kernel.unit_of_work() as ctx:
            records.create_many(ctx, "customer", ({"name": f"Customer {n}", "city": rng.choice(CITIES),
                                                   "credit": f"{rng.randint(0, 99999)}.50", "active": n % 3 > 0}
                                                  for n in range(rows)))
        with engine.begin() as conn:
            user_id = create_user(conn, "bench", password="bench-password", is_superuser=True)
            _, token = create_api_token(conn, user_id, "bench", now=kernel.clock())
        return token
    finally:
        engine.dispose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(argv: list[str], url: str, port: int) -> Iterator[str]:
    """A server process on 127.0.0.1:port, ready (GET / answers) before the block, stopped after it."""
    env = {**os.environ, "JIMU_DATABASE_URL": url}
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {process.returncode}")
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{' '.join(argv)} did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def load(base: str, request_of: Callable[[random.Random], Request], headers: dict[str, str],
         seconds: float, clients: int) -> Result:
    """`clients` keep-alive connections sending requests back to back for `seconds` (after a 1 s warm-up),
    from the lean load generator (loadgen.py), the same for both apps."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0}

    def measured(latency: float, status: int) -> None:
        latencies.append(latency)
        counts["requests"] += 1
        counts["errors"] += status >= 400

    async def run() -> float:
        await run_clients(host, int(port), request_of, headers, time.perf_counter() + 1, list(range(clients)),
                          random.Random, None)
        started = time.perf_counter()
        await run_clients(host, int(port), request_of, headers, started + seconds,
                          [100 + n for n in range(clients)], random.Random, measured)
        return time.perf_counter() - started

    loop = new_loop()
    try:
        elapsed = loop.run_until_complete(run())
    finally:
        loop.close()
    return Result(counts["requests"], elapsed, latencies, counts["errors"])


@dataclass(frozen=True)
class Scenario:
    name: str
    jimu: Callable[[random.Random], Request]
    bare: Callable[[random.Random], Request]


@dataclass(frozen=True)
class Measured:
    name: str
    jimu: Result
    bare: Result
    jimu_counts: Counts
    bare_counts: Counts


def scenarios(rows: int) -> list[Scenario]:
    listing = {c: "/api/v1/records/customer?" + urlencode(
        {"limit": 20, "sort": "id", "filter": json.dumps({"field": "city", "op": "eq", "value": c})}) for c in CITIES}

    def new_customer(rng: random.Random) -> dict[str, Any]:
        return {"name": f"New {rng.randint(1, 10**9)}", "city": rng.choice(CITIES),
                "credit": f"{rng.randint(0, 99999)}.50", "active": True}

    return [
        Scenario("GET by id", lambda r: Request("GET", f"/api/v1/records/customer/{r.randint(1, rows)}"),
                 lambda r: Request("GET", f"/customer/{r.randint(1, rows)}")),
        Scenario("list, city filter, 20", lambda r: Request("GET", listing[r.choice(CITIES)]),
                 lambda r: Request("GET", "/customer?" + urlencode({"limit": 20, "city": r.choice(CITIES)}))),
        Scenario("create", lambda r: Request("POST", "/api/v1/records/customer", new_customer(r)),
                 lambda r: Request("POST", "/customer", new_customer(r))),
    ]


def count(url: str, scenario: Scenario, auth: dict[str, str]) -> tuple[Counts, Counts]:
    """Statements and round trips per request of each side, in process (see wire_counts.py)."""
    out = []
    for side in ("jimu", "bare"):
        with metered_url(url) as (metered, meter, on_engine):
            if side == "jimu":
                engine = create_engine(metered)
                on_engine(engine)
                app = create_app(Kernel(engine))
                request_of, headers = scenario.jimu, auth
            else:
                app, engine = bare_api.create(metered, on_engine=on_engine), None
                request_of, headers = scenario.bare, {}
            try:
                out.append(per_request(app, meter, request_of, headers))
            finally:
                if engine is not None:
                    engine.dispose()
    return out[0], out[1]


def measure(url: str, rows: int, seconds: float, clients: int) -> list[Measured]:
    token = prepare(url, rows)
    jimu_port, bare_port = free_port(), free_port()
    jimu_argv = [str(JIMU), "serve", "--host", "127.0.0.1", "--port", str(jimu_port), "--log-level", "warning"]
    bare_argv = [sys.executable, str(HERE / "bare_api.py"), "--database-url", url, "--port", str(bare_port)]
    auth = {"Authorization": f"Bearer {token}"}
    out = []
    for scenario in scenarios(rows):
        with server(jimu_argv, url, jimu_port) as base:
            jimu = load(base, scenario.jimu, auth, seconds, clients)
        with server(bare_argv, url, bare_port) as base:
            bare = load(base, scenario.bare, {}, seconds, clients)
        jimu_counts, bare_counts = count(url, scenario, auth)
        out.append(Measured(scenario.name, jimu, bare, jimu_counts, bare_counts))
        print(f"  {scenario.name}: jimu {jimu.rate:,.0f} req/s, bare {bare.rate:,.0f} req/s", file=sys.stderr)
    return out


def _counts(counts: Counts) -> str:
    trips = "-" if counts.round_trips is None else f"{counts.round_trips:.1f}"
    return f"{counts.statements:>5.1f} {trips:>5}"


def print_table(results: list[tuple[str, list[Measured]]]) -> bool:
    """The table of the README; `stm`/`rt`: statements and round trips per request (rt - on SQLite)."""
    header = (f"{'database':<11} {'measurement':<22} {'jimu req/s':>10} {'p50 ms':>7} {'p99 ms':>7} "
              f"{'stm':>5} {'rt':>5} {'bare req/s':>10} {'p50 ms':>7} {'p99 ms':>7} {'stm':>5} {'rt':>5} "
              f"{'ratio':>6}  goal   met")
    print(header)
    print("-" * len(header))
    met_all = True
    for database, rows in results:
        for row in rows:
            jimu, bare = row.jimu, row.bare
            ratio = jimu.rate / bare.rate if bare.rate else float("nan")
            met = ratio >= GOAL and jimu.errors == 0 and bare.errors == 0
            met_all &= met
            errors = f"  ({jimu.errors} jimu / {bare.errors} bare errors)" if jimu.errors or bare.errors else ""
            print(f"{database:<11} {row.name:<22} {jimu.rate:>10,.0f} {jimu.quantile(0.5):>7.2f} "
                  f"{jimu.quantile(0.99):>7.2f} {_counts(row.jimu_counts)} {bare.rate:>10,.0f} "
                  f"{bare.quantile(0.5):>7.2f} {bare.quantile(0.99):>7.2f} {_counts(row.bare_counts)} {ratio:>6.2f}  "
                  f">={GOAL:<4} {'yes' if met else 'NO'}{errors}")
    return met_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--all", action="store_true",
                        help="SQLite and PostgreSQL (JIMU_BENCH_PG_URL or the local server)")
    parser.add_argument("--rows", type=int, default=10_000, help="customers in the table (default 10,000)")
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per run (default 10)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive clients (default 4)")
    args = parser.parse_args(argv)
    results = []
    for name, url in database_targets(args.all, args.database_url):
        print(f"== API bench on {name}", file=sys.stderr)
        with scratch_database(url) as scratch:
            results.append((name, measure(scratch, args.rows, args.seconds, args.clients)))
    return 0 if print_table(results) else 1


if __name__ == "__main__":
    sys.exit(main())
