"""CPU time per request of Jimu's app and of the bare app, in process: stable on a loaded machine.

    .venv/bin/python bench/request_cpu.py                       # a temporary SQLite file
    .venv/bin/python bench/request_cpu.py --all --requests 2000 # SQLite, then PostgreSQL
    .venv/bin/python bench/request_cpu.py --all --profile get   # and a cProfile of Jimu's GET by id
    SORT=tottime TOP=40 .venv/bin/python bench/request_cpu.py --profile get --only get

Each app is driven through its ASGI interface by a minimal in-process server (no sockets, no HTTP
parsing: that part is the same uvicorn for both), one request at a time on one asyncio loop, as
uvicorn runs it. `time.process_time()` counts this process's CPU only, its worker threads included,
never the database server's: requests/s moves with the machine's load, CPU per request much less.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import sys
import time
from collections.abc import Callable
from typing import Any

import bare_api
from api_bench import Scenario, prepare, scenarios
from run import database_targets, scratch_database
from wire_counts import Request

from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.web.api import create_app

WARM_UP = 200


async def _call(app: Any, request: Request, headers: dict[str, str]) -> int:
    path, _, query = request.path.partition("?")
    body = b"" if request.body is None else json.dumps(request.body).encode()
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"host", b"127.0.0.1"), (b"content-length", str(len(body)).encode())]
    if body:
        raw.append((b"content-type", b"application/json"))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": request.method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": raw, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    sent = [False]
    status = [0]
    done = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if not sent[0]:
            sent[0] = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]
        elif not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    return status[0]


async def _drive(app: Any, request_of: Callable[[random.Random], Request], headers: dict[str, str],
                 n: int, profile: cProfile.Profile | None) -> float:
    rng = random.Random(5)
    for _ in range(WARM_UP):
        status = await _call(app, request_of(rng), headers)
        if status >= 400:
            raise RuntimeError(f"status {status}")
    if profile is not None:
        profile.enable()
    started = time.process_time()
    for _ in range(n):
        await _call(app, request_of(rng), headers)
    spent = time.process_time() - started
    if profile is not None:
        profile.disable()
    return spent / n


def cpu_per_request(app: Any, request_of: Callable[[random.Random], Request], headers: dict[str, str], n: int,
                    profile: cProfile.Profile | None = None) -> float:
    """Seconds of this process's CPU per request, over `n` requests after a warm-up (lifespan not run).

    A profiled run does the endpoint's work on the loop's thread (cProfile sees one thread only)."""
    if profile is None:
        return asyncio.run(_drive(app, request_of, headers, n, profile))
    import jimu.web.api.disconnect as disconnect

    async def inline(work: Callable[[], Any]) -> Any:
        return work()

    threadpool, disconnect.run_in_threadpool = disconnect.run_in_threadpool, inline  # type: ignore[assignment]
    try:
        return asyncio.run(_drive(app, request_of, headers, n, profile))
    finally:
        disconnect.run_in_threadpool = threadpool  # type: ignore[assignment]


def measure(url: str, rows: int, n: int, profile: str | None, only: str | None = None,
            repeats: int = 3) -> list[tuple[str, float, float]]:
    token = prepare(url, rows)
    auth = {"Authorization": f"Bearer {token}"}
    out = []
    engine = create_engine(url)
    jimu_app = create_app(Kernel(engine))
    bare_app = bare_api.create(url)
    try:
        scenario: Scenario
        for scenario in scenarios(rows):
            if only and not scenario.name.startswith(only):
                continue
            profiler = cProfile.Profile(time.process_time) if profile and scenario.name.startswith(profile) else None
            jimu = bare = float("inf")
            for _ in range(1 if profiler else repeats):  # the least CPU of a few runs: the least disturbed
                jimu = min(jimu, cpu_per_request(jimu_app, scenario.jimu, auth, n, profiler))
                bare = min(bare, cpu_per_request(bare_app, scenario.bare, {}, n))
            out.append((scenario.name, jimu, bare))
            if profiler is not None:
                stats = pstats.Stats(profiler, stream=sys.stderr).sort_stats(os.environ.get("SORT", "cumulative"))
                stats.print_stats(int(os.environ.get("TOP", "60")))
    finally:
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--all", action="store_true",
                        help="SQLite and PostgreSQL (JIMU_BENCH_PG_URL or the local server)")
    parser.add_argument("--rows", type=int, default=2_000, help="customers in the table (default 2,000)")
    parser.add_argument("--requests", type=int, default=1_000, help="measured requests per app (default 1,000)")
    parser.add_argument("--profile", metavar="NAME", help="cProfile Jimu's scenario starting with NAME (e.g. get)")
    parser.add_argument("--only", metavar="NAME", help="only the scenario starting with NAME (get, list, create)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each app per scenario; the least CPU is kept")
    args = parser.parse_args(argv)
    names = {"get": "GET", "list": "list", "create": "create"}
    profile = names.get(args.profile or "", args.profile)
    only = names.get(args.only or "", args.only)
    print(f"{'database':<11} {'measurement':<22} {'jimu ms CPU':>11} {'bare ms CPU':>11} {'ratio':>6}")
    for name, url in database_targets(args.all, args.database_url):
        with scratch_database(url) as scratch:
            for scenario, jimu, bare in measure(scratch, args.rows, args.requests, profile, only, args.repeats):
                print(f"{name:<11} {scenario:<22} {jimu * 1000:>11.3f} {bare * 1000:>11.3f} {bare / jimu:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
