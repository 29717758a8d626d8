"""`jimu report run`: a report's rows and totals as a table, CSV or JSON; a bad parameter is exit 2 with a sentence."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from jimu.engines.reports import RunOptions
from jimu.engines.reports.schedules import set_report_schedule
from jimu.platform.settings import Settings
from jimu.web.cli.main import main
from jimu.web.cli.runtime import open_kernel

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


def test_report_schedules_lists_the_scheduled_exports(shop: None, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    status, out, _ = _run(capsys, "report", "schedules")
    assert status == 0 and out.strip() == "No report schedules."
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"host": "smtp.example.com", "from": "j@example.com"})))
    assert _run(capsys, "channels", "set", "mail", "--type", "email", "--config-file", "-")[0] == 0
    with open_kernel(Settings.from_env()) as kernel, kernel.unit_of_work() as ctx:
        set_report_schedule(ctx, "weekly", {"app": "shop", "report": "by_region", "cron": "0 8 * * 1",
                                            "timezone": "Asia/Shanghai", "format": "csv", "channel": "mail",
                                            "to": ["boss@example.com"]}, owner=0, options=RunOptions())
    status, out, _ = _run(capsys, "report", "schedules")
    assert status == 0
    assert out.splitlines() == [out.strip()]
    assert out.startswith("weekly: shop/by_region as csv, cron '0 8 * * 1' (Asia/Shanghai), via mail to "
                          "boss@example.com; next ")
    status, out, _ = _run(capsys, "--json", "report", "schedules")
    listed = json.loads(out)
    assert status == 0 and [(s["key"], s["report"], s["cron"]) for s in listed] == [("weekly", "by_region", "0 8 * * 1")]
    monkeypatch.setenv("JIMU_LOCALE", "zh-CN")
    status, out, _ = _run(capsys, "report", "schedules")
    assert status == 0 and "经 mail 发送给 boss@example.com" in out
