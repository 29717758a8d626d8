"""Two `jimu serve` processes on one PostgreSQL database serve the same data, and a definition applied
through one is used by the other on its next request (its /openapi.json and a create with the new field).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

SALES = Path(__file__).resolve().parents[2] / "fixtures" / "apps" / "sales.json"
JIMU = Path(sys.executable).with_name("jimu")
PASSWORD = "two-servers-secret"
STARTUP_SECONDS = 90

pytestmark = pytest.mark.skipif(not os.environ.get("JIMU_TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="several servers share one database on PostgreSQL")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server at {base} exited with {process.returncode}"
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"the server at {base} did not start within {STARTUP_SECONDS} s")


@pytest.fixture
def servers(database_url: str, tmp_path: Path) -> Iterator[list[httpx.Client]]:
    env = {**os.environ, "JIMU_DATABASE_URL": database_url, "JIMU_ADMIN_PASSWORD": PASSWORD, "JIMU_LOCALE": "en"}
    templates = tmp_path / "templates" / "sales"
    templates.mkdir(parents=True)
    shutil.copy(SALES, templates / "app.json")
    subprocess.run([str(JIMU), "setup", "--templates", str(templates.parent)], env=env, check=True,
                   capture_output=True, timeout=120)
    processes: list[subprocess.Popen[bytes]] = []
    clients: list[httpx.Client] = []
    try:
        for _ in range(2):
            port = free_port()
            processes.append(subprocess.Popen(
                [str(JIMU), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                 "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            clients.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
        for client, process in zip(clients, processes):
            wait_ready(str(client.base_url).rstrip("/"), process)
            token = client.post("/api/v1/auth/token", json={"username": "admin", "password": PASSWORD})
            assert token.status_code == 200, token.text
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        yield clients
    finally:
        for client in clients:
            client.close()
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def test_a_definition_applied_through_one_server_is_used_by_the_other(servers: list[httpx.Client]) -> None:
    one, other = servers
    created = one.post("/api/v1/records/customer", json={"name": "Acme", "tier": "gold"})
    assert created.status_code == 201, created.text
    seen = other.get(f"/api/v1/records/customer/{created.json()['id']}")
    assert seen.status_code == 200 and seen.json()["tier"] == "gold"
    openapi = other.get("/api/v1/openapi.json").json()  # the other server has built its document
    assert "vat_number" not in openapi["components"]["schemas"]["customer"]["properties"]

    changed = json.loads(SALES.read_text(encoding="utf-8"))
    changed["version"] = "1.1.0"
    changed["entities"][0]["fields"].append({"name": "vat_number", "type": "text", "max_length": 20})
    applied = one.put("/api/v1/apps/sales", json=changed)
    assert applied.status_code == 200 and applied.json()["applied"] is True, applied.text

    schema = other.get("/api/v1/openapi.json").json()["components"]["schemas"]["customer_write"]
    assert schema["properties"]["vat_number"]["maxLength"] == 20
    made = other.post("/api/v1/records/customer", json={"name": "Bolt", "vat_number": "DE123"})
    assert made.status_code == 201, made.text
    assert one.get(f"/api/v1/records/customer/{made.json()['id']}").json()["vat_number"] == "DE123"
