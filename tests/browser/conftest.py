"""Browser tests: a real Jimu server on a loopback port, Playwright driving Debian's headless Chromium.

Run only with JIMU_BROWSER_TESTS=1 and /usr/bin/chromium present (`.ci/run` sets both up), so
`make test` stays fast. A console error or an uncaught page error fails the test; each test leaves a
screenshot in tests/browser/artifacts/ (ignored by git).
"""
from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform import meta
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_user
from tests.web.api.conftest import PASSWORD, password_hash

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ENABLED = os.environ.get("JIMU_BROWSER_TESTS") == "1" and CHROMIUM.exists()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if not ENABLED:
                item.add_marker(pytest.mark.skip(reason="browser tests: set JIMU_BROWSER_TESTS=1 with Chromium"))


def _fails(kind: str, text: str) -> bool:
    """A console error fails the test, except the browser's own note of a refused request (4xx) the test provokes."""
    return kind == "error" and not re.match(r"Failed to load resource: the server responded with a status of 4\d\d", text)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_kernel(engine: Engine) -> Kernel:
    init_database(engine)
    kernel = Kernel(engine)
    with kernel.unit_of_work() as ctx:
        create_user(ctx.conn, "admin", is_superuser=True)
        ctx.conn.execute(sa.update(meta.users).values(password_hash=password_hash()))
    return kernel


@pytest.fixture
def base_url(server_kernel: Kernel) -> Iterator[str]:
    import uvicorn

    from jimu.web.api import create_app

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(server_kernel), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the test server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(base_url: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as pw:
        pw.selectors.set_test_id_attribute("data-test")
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        context = browser.new_context(base_url=base_url, locale="en-US", viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.on("console", lambda m: problems.append(f"console: {m.text}") if _fails(m.type, m.text) else None)
        tab.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        tab.on("dialog", on_dialog)
        tab.set_default_timeout(10_000)
        try:
            yield tab
        finally:
            ARTIFACTS.mkdir(exist_ok=True)
            tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
            browser.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert problems == [], "\n".join(problems)


def login(page: Any, username: str = "admin") -> None:
    page.goto("/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("logout").wait_for()
