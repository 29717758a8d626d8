"""The browser UI's first loads and a list's paging: time until usable and bytes transferred, cold and cached.

    .venv/bin/python bench/ui_bench.py                    # SQLite, /usr/bin/chromium headless
    .venv/bin/python bench/ui_bench.py --rows 10000 --paging-rows 100000
    .venv/bin/python bench/ui_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/x

Measured:
- the shell (the launcher at /apps, signed in) and a list of `--rows` records (/apps/bench/item, usable
  when its first page of 50 rows is on screen): cold (a new browser profile: empty cache) and cached
  (the same profile again). Bytes are what came over the network (Chromium's encodedDataLength: gzip
  bodies and headers; a file from the browser's cache counts 0).
- keyset paging over `--paging-rows` records through the list API (500 a page, walked to the end):
  the first, median and last page's time, by id and by an indexed text field, so the cost of a page
  does not depend on how deep it is.

Figures: bench/README.md and docs/ui.md.
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
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


def bench_app() -> dict[str, Any]:
    def entity(key: str) -> dict[str, Any]:
        return {"key": key, "title_field": "name", "label": {"en": key.title(), "zh-CN": key},
                "fields": [{"name": "name", "type": "text", "required": True, "label": {"en": "Name", "zh-CN": "名称"}},
                           {"name": "status", "type": "select", "label": {"en": "Status", "zh-CN": "状态"},
                            "options": [{"value": "open"}, {"value": "done"}]},
                           {"name": "amount", "type": "decimal", "scale": 2,
                            "label": {"en": "Amount", "zh-CN": "金额"}},
                           {"name": "due", "type": "date", "label": {"en": "Due", "zh-CN": "到期"}},
                           {"name": "note", "type": "text", "label": {"en": "Note", "zh-CN": "备注"}}],
                "indexes": [{"fields": ["name"]}],
                "layout": {"list_columns": ["name", "status", "amount", "due", "note"]}}
    return {"key": "bench", "version": "1.0.0", "label": {"en": "Bench", "zh-CN": "基准"},
            "entities": [entity("item"), entity("big")]}


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


def seed(kernel: Kernel, rows: int, paging_rows: int) -> None:
    kernel.apply_app(bench_app())
    with kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(meta.users).values(password_hash=hash_password(PASSWORD)))
        now, start = ctx.now(), date(2026, 1, 1)
        for key, count in (("item", rows), ("big", paging_rows)):
            table = sa.table(f"t_{key}", *(sa.column(c) for c in (
                "name", "status", "amount", "due", "note", "_version", "_created_at", "_updated_at")))
            for first in range(0, count, 5000):
                ctx.conn.execute(sa.insert(table), [
                    {"name": f"record {i:06d}", "status": ("open", "done")[i % 2], "amount": f"{i % 1000}.50",
                     "due": start + timedelta(days=i % 365), "note": f"note {i}", "_version": 1,
                     "_created_at": now, "_updated_at": now} for i in range(first, min(count, first + 5000))])


def _load(context: Any, path: str, ready: str, rows: int = 0) -> dict[str, float]:
    """Open `path` in a new tab of `context`: seconds until `ready` (a test id) shows (and `rows` table rows),
    and the KB that came over the network meanwhile."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(float(event["encodedDataLength"])))
    started = time.perf_counter()
    page.goto(path)
    page.get_by_test_id(ready).wait_for()
    if rows:
        page.get_by_test_id(ready).locator("tbody tr").nth(rows - 1).wait_for()
    usable = time.perf_counter() - started
    page.wait_for_load_state("networkidle")
    figures = {"usable_s": round(usable, 3), "kb": round(sum(received) / 1024, 1), "requests": len(received)}
    page.close()
    return figures


def browser_parts(base: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, Any] = {}
    with sync_playwright() as pw:
        pw.selectors.set_test_id_attribute("data-test")
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        for name, path, ready, rows in (("shell", "/apps", "app-bench", 0),
                                        ("list", "/apps/bench/item", "record-list", 50),
                                        ("login", "/login", "login-username", 0)):
            context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
            if name != "login":
                login = context.request.post("/api/v1/auth/session", data={"username": "admin", "password": PASSWORD})
                csrf = login.json()["csrf_token"]
                context.add_init_script(f"window.localStorage.setItem('jimu.csrf', '{csrf}')")
            out[f"{name}_cold"] = _load(context, path, ready, rows)
            out[f"{name}_cached"] = _load(context, path, ready, rows)
            context.close()
        browser.close()
    return out


def paging(base: str, entity: str) -> dict[str, Any]:
    client = httpx.Client(base_url=base, timeout=120)
    token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD}).json()["access_token"]
    client.headers["Authorization"] = f"Bearer {token}"
    out: dict[str, Any] = {}
    for sort in ("id", "name", "-name"):
        times: list[float] = []
        cursor: str | None = None
        seen = 0
        while True:
            started = time.perf_counter()
            answer = client.get(f"/api/v1/records/{entity}", params={"limit": 500, "sort": sort,
                                                                     **({"cursor": cursor} if cursor else {})})
            times.append(time.perf_counter() - started)
            body = answer.json()
            seen += len(body["data"])
            if not body["has_more"]:
                break
            cursor = body["next_cursor"]
        out[sort] = {"rows": seen, "pages": len(times), "first_ms": round(times[0] * 1000, 1),
                     "median_ms": round(statistics.median(times) * 1000, 1), "last_ms": round(times[-1] * 1000, 1),
                     "max_ms": round(max(times) * 1000, 1)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--rows", type=int, default=10_000, help="records of the list opened in the browser")
    parser.add_argument("--paging-rows", type=int, default=100_000, help="records walked with keyset paging")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        engine = create_engine(url)
        init_database(engine)
        kernel = Kernel(engine)
        with kernel.unit_of_work() as ctx:
            create_user(ctx.conn, "admin", is_superuser=True)
        seed(kernel, args.rows, args.paging_rows)
        base, server, thread = serve(kernel)
        try:
            figures: dict[str, Any] = {"database": engine.dialect.name, "rows": args.rows,
                                       "paging_rows": args.paging_rows}
            if not args.no_browser and CHROMIUM.exists():
                figures.update(browser_parts(base))
            figures["keyset_paging"] = paging(base, "big")
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            engine.dispose()
    json.dump(figures, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
