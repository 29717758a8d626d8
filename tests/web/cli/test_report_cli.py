"""`jimu report run`: a report's rows and totals as a table, CSV or JSON; a bad parameter is exit 2 with a sentence."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jimu.web.cli.main import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "apps"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


@pytest.fixture
def shop(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.setenv("JIMU_TIMEZONE", "Asia/Shanghai")
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    assert _run(capsys, "db", "init")[0] == 0
    assert _run(capsys, "app", "apply", str(FIXTURES / "shop_reports.json"))[0] == 0
    orders = tmp_path / "orders.csv"
    orders.write_text("amount,status,ordered_at\n10.10,won,2026-01-31T20:00:00Z\n0.20,open,2026-01-15T10:00:00Z\n",
                      encoding="utf-8")
    assert _run(capsys, "records", "import", "order", str(orders))[0] == 0


def test_report_run_as_a_table_csv_and_json(shop: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(capsys, "report", "run", "shop", "by_month")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["month", "status", "orders", "revenue"]
    assert lines[1].split() == ["2026-01-01", "open", "1", "0.20"]
    assert lines[2].split() == ["2026-02-01", "won", "1", "10.10"]  # 20:00 UTC on 31 January is February in Beijing
    assert lines[-1].split() == ["Total", "2", "10.30"]
    status, out, _ = _run(capsys, "report", "run", "shop", "by_month", "--param", "status=won", "--format", "csv")
    assert status == 0 and out.splitlines()[1] == "2026-02-01,won,1,10.10"
    status, out, _ = _run(capsys, "report", "run", "shop", "by_month", "--param", 'status=["won","open"]',
                          "--format", "json")
    assert status == 0 and json.loads(out)["totals"] == {"orders": 2, "revenue": "10.30"}


def test_a_bad_parameter_is_exit_2_with_a_sentence(shop: None, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "report", "run", "shop", "by_month", "--param", "period=someday")
    assert status == 2
    assert "someday" in err
    status, _, err = _run(capsys, "report", "run", "shop", "by_month", "--param", "nonsense")
    assert status == 2 and "KEY=VALUE" in err
    status, _, err = _run(capsys, "report", "run", "shop", "ghost")
    assert status == 2 and "ghost" in err
