"""The designer: first load (time until usable, bytes), dragging a field into a 60-field form (frame times),
and publishing a draft of a 20-entity app through the HTTP API while end users keep reading and writing
(publish time, and every end-user request's status: none may fail).

    .venv/bin/python bench/designer_bench.py                       # SQLite, browser parts with /usr/bin/chromium
    .venv/bin/python bench/designer_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x
    .venv/bin/python bench/designer_bench.py --rows 2000 --no-browser

Figures: bench/README.md.
"""
from __future__ import annotations

import argparse
import copy
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import uvicorn

from jimu.platform import meta
from jimu.platform.bootstrap import init_database
from jimu.platform.database import create_engine
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_user, hash_password

PASSWORD = "bench password 123"
CHROMIUM = Path("/usr/bin/chromium")
ENTITIES = 20


def app_of(entities: int, fields: int) -> dict[str, Any]:
    def entity(n: int) -> dict[str, Any]:
        extra = [{"name": f"f{i}", "type": ("text", "integer", "decimal", "date")[i % 4],
                  "label": {"en": f"Field {i}", "zh-CN": f"字段 {i}"}} for i in range(fields - 2)]
        return {"key": f"e{n}", "title_field": "name", "label": {"en": f"Entity {n}", "zh-CN": f"实体 {n}"},
                "fields": [{"name": "name", "type": "text", "required": True},
                           {"name": "status", "type": "select", "options": [{"value": "open"}, {"value": "done"}]},
                           *extra]}
    return {"key": "bench", "version": "1.0.0", "label": {"en": "Bench", "zh-CN": "基准"},
            "entities": [entity(n) for n in range(entities)]}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(kernel: Kernel) -> tuple[str, uvicorn.Server, threading.Thread]:
    from jimu.web.api import create_app

    port = _port()
    server = uvicorn.Server(uvicorn.Config(create_app(kernel), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def seed(kernel: Kernel, rows: int) -> None:
    kernel.apply_app(app_of(ENTITIES, 10))
    with kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(meta.users).values(password_hash=hash_password(PASSWORD)))
        for n in range(ENTITIES):
            table = sa.table(f"t_e{n}", sa.column("name"), sa.column("status"), sa.column("f0"), sa.column("f1"),
                             sa.column("_version"), sa.column("_created_at"), sa.column("_updated_at"))
            now = ctx.now()
            ctx.conn.execute(sa.insert(table), [{"name": f"r{i}", "status": "open", "f0": f"x{i}", "f1": i,
                                                  "_version": 1, "_created_at": now, "_updated_at": now}
                                                 for i in range(rows)])
    kernel.apply_app(app_of(1, 60) | {"key": "wide", "entities": [{**app_of(1, 60)["entities"][0], "key": "wide"}]})


def publish_while_used(base: str, rows: int) -> dict[str, Any]:
    """Draft: every entity gets a field with a default (filled on every row) and a renamed field; publish it
    while two end users list, read and create records of those entities."""
    admin = httpx.Client(base_url=base, timeout=120)
    token = admin.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    draft = admin.get("/api/v1/apps/bench/draft", headers=headers).json()
    definition = copy.deepcopy(draft["definition"])
    for entity in definition["entities"]:
        entity["fields"].append({"name": "priority", "type": "integer", "default": 3})
        entity["fields"][2] = {**entity["fields"][2], "name": "renamed", "key": entity["fields"][2]["name"]}
    saved = admin.put("/api/v1/apps/bench/draft", json={"definition": definition, "version": 0}, headers=headers)
    assert saved.status_code == 200, saved.text
    started = time.perf_counter()
    preview = admin.post("/api/v1/apps/bench/draft/preview", headers=headers).json()
    preview_s = time.perf_counter() - started
    statuses: list[int] = []
    latencies: list[float] = []
    stop = threading.Event()

    def end_user(seed: int) -> None:
        client = httpx.Client(base_url=base, timeout=120, headers=headers)
        i = seed
        while not stop.is_set():
            entity = f"e{i % ENTITIES}"
            t0 = time.perf_counter()
            if i % 3 == 0:
                answer = client.post(f"/api/v1/records/{entity}", json={"name": f"u{i}"})
            elif i % 3 == 1:
                answer = client.get(f"/api/v1/records/{entity}", params={"limit": 20})
            else:
                answer = client.get(f"/api/v1/records/{entity}/1")
            latencies.append(time.perf_counter() - t0)
            statuses.append(answer.status_code)
            i += 1

    users = [threading.Thread(target=end_user, args=(n,)) for n in range(2)]
    for user in users:
        user.start()
    time.sleep(0.5)
    before = len(statuses)
    started = time.perf_counter()
    published = admin.post("/api/v1/apps/bench/draft/publish", json={"version": 1}, headers=headers)
    publish_s = time.perf_counter() - started
    during = len(statuses) - before
    time.sleep(0.5)
    stop.set()
    for user in users:
        user.join()
    assert published.status_code == 200, published.text
    failed = [s for s in statuses if s >= 400]
    return {"changes": len(preview["changes"]), "preview_s": preview_s, "publish_s": publish_s,
            "user_requests": len(statuses), "during_publish": during, "failed": len(failed),
            "slowest_user_request_s": max(latencies), "rows_filled": ENTITIES * rows}


def browser_parts(base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        pw.selectors.set_test_id_attribute("data-test")
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
        login = context.request.post("/api/v1/auth/session", data={"username": "admin", "password": PASSWORD})
        csrf = login.json()["csrf_token"]
        page = context.new_page()
        page.add_init_script(f"window.localStorage.setItem('jimu.csrf', '{csrf}')")
        sizes: list[int] = []
        page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
        started = time.perf_counter()
        page.goto("/design/wide")
        page.get_by_test_id("design-field-f57").wait_for()
        out["first_load_s"] = time.perf_counter() - started
        out["first_load_kb"] = sum(sizes) / 1024
        out["first_load_requests"] = len(sizes)
        page.evaluate("""() => { window.__frames = []; let last = performance.now();
            const tick = (now) => { window.__frames.push(now - last); last = now;
                                    if (window.__frames.length < 100000) requestAnimationFrame(tick) };
            requestAnimationFrame(tick) }""")
        source = page.get_by_test_id("palette-date").bounding_box()
        target = page.get_by_test_id("design-field-f30").bounding_box()
        assert source and target
        page.evaluate("() => { window.__frames = [] }")
        page.mouse.move(source["x"] + 10, source["y"] + 8)
        page.mouse.down()
        page.mouse.move(target["x"] + 100, target["y"] + target["height"] - 3, steps=40)
        page.mouse.up()
        page.get_by_test_id("field-rows").locator("[data-drag]").nth(60).wait_for()
        page.wait_for_timeout(300)
        frames = [f for f in page.evaluate("() => window.__frames") if f > 0]
        frames.sort()
        out["drag_frames"] = len(frames)
        out["drag_frame_median_ms"] = statistics.median(frames)
        out["drag_frame_p95_ms"] = frames[int(len(frames) * 0.95) - 1]
        out["drag_frame_max_ms"] = frames[-1]
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--rows", type=int, default=5000, help="rows per entity of the 20-entity app")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        engine = create_engine(url)
        init_database(engine)
        kernel = Kernel(engine)
        with kernel.unit_of_work() as ctx:
            create_user(ctx.conn, "admin", is_superuser=True)
        seed(kernel, args.rows)
        base, server, thread = serve(kernel)
        try:
            figures = publish_while_used(base, args.rows)
            if not args.no_browser and CHROMIUM.exists() and os.environ.get("JIMU_BENCH_BROWSER", "1") == "1":
                figures |= browser_parts(base)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()
    print(f"database: {engine.dialect.name}")
    for key, value in figures.items():
        print(f"{key:28} {value:,.3f}" if isinstance(value, float) else f"{key:28} {value:,}")
    return 1 if figures["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
