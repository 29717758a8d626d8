"""`jimu setup` (database, template apps with demo records, admin user; idempotent) and `jimu admin create-user`."""
from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from jimu.platform.database import create_engine
from jimu.platform.meta import users
from jimu.platform.security import verify_password
from jimu.web.cli.main import main

SALES = Path(__file__).resolve().parents[2] / "fixtures" / "apps" / "sales.json"


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A template folder: the sales app with demo customers (CSV), products and an order (JSON)."""
    folder = tmp_path / "templates" / "sales"
    (folder / "demo").mkdir(parents=True)
    shutil.copy(SALES, folder / "app.json")
    (folder / "demo" / "customer.csv").write_text("name,tier,credit_limit\nAcme,gold,50000\nBolt,standard,1000\n",
                                                  encoding="utf-8")
    (folder / "demo" / "product.json").write_text(json.dumps([{"sku": "P-1", "name": "Bike", "price": "199"}]),
                                                  encoding="utf-8")
    (folder / "demo" / "sales_order.json").write_text(json.dumps(
        [{"customer": 1, "lines": [{"product": 1, "qty": 2, "price": "199"}]}]), encoding="utf-8")
    return folder.parent


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str) -> str:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.setenv("JIMU_LOCALE", "en")
    monkeypatch.delenv("JIMU_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JIMU_ADMIN_USERNAME", raising=False)
    return database_url


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:  # type: ignore[type-arg]
    status = main(["--json", *argv])
    out = capsys.readouterr().out
    assert status == 0, out
    data: dict = json.loads(out)  # type: ignore[type-arg]
    return data


def test_setup_installs_templates_with_demo_records_and_the_admin_once(
        env: str, templates: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = run_json(capsys, "setup", "--templates", str(templates))
    assert first["changed"] is True
    assert first["apps"] == [{"app": "sales", "revision": 1, "applied": True, "demo_records": 4}]
    password = first["admin"]["password"]
    engine = create_engine(env)
    try:
        with engine.connect() as conn:
            order = conn.execute(sa.text("SELECT number, total FROM t_sales_order")).one()
            assert Decimal(str(order.total)) == Decimal(398) and order.number.startswith("SO-")
            admin = conn.execute(sa.select(users).where(users.c.username == "admin")).one()
            assert admin.is_superuser and verify_password(admin.password_hash, password)
        second = run_json(capsys, "setup", "--templates", str(templates))
        assert second["changed"] is False and second["admin"] is None
        assert second["apps"][0]["applied"] is False
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM t_customer")).scalar_one() == 2
    finally:
        engine.dispose()
    assert main(["setup", "--templates", str(templates)]) == 0
    assert "Nothing changed" in capsys.readouterr().out


def test_setup_takes_the_admin_password_from_the_environment(
        env: str, templates: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JIMU_ADMIN_PASSWORD", "from-the-env-1")
    monkeypatch.setenv("JIMU_ADMIN_USERNAME", "root")
    data = run_json(capsys, "setup", "--templates", str(templates), "--no-demo")
    assert data["admin"]["username"] == "root" and "password" not in data["admin"]
    assert data["apps"][0]["demo_records"] == 0
    engine = create_engine(env)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(users.c.password_hash).where(users.c.username == "root")).one()
            assert verify_password(row.password_hash, "from-the-env-1")
    finally:
        engine.dispose()


def test_a_bad_demo_file_installs_nothing(env: str, templates: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (templates / "sales" / "demo" / "customer.csv").write_text("name,tier\nAcme,platinum\n", encoding="utf-8")
    assert main(["setup", "--templates", str(templates)]) == 2
    assert "customer.csv" in capsys.readouterr().err
    assert run_json(capsys, "app", "list") == []


def test_create_user(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "init"]) == 0
    capsys.readouterr()
    made = run_json(capsys, "admin", "create-user", "alice", "--password", "alice-secret-1", "--superuser")
    assert made["username"] == "alice" and made["superuser"] is True and "password" not in made
    generated = run_json(capsys, "admin", "create-user", "bob")
    assert len(generated["password"]) >= 16
    assert main(["admin", "create-user", "bob"]) == 2
    assert "taken" in capsys.readouterr().err
