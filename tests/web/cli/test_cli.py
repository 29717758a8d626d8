"""The `jimu` command line: database set-up, apps, import/export, and one-sentence failures (status 2)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from jimu.web.cli.main import main

SHOP: dict[str, Any] = {
    "key": "shop", "version": "1.0.0", "label": {"en": "Shop", "zh-CN": "商店"},
    "entities": [{"key": "item", "title_field": "name", "fields": [
        {"name": "name", "type": "text", "required": True, "label": {"en": "Name", "zh-CN": "名称"}},
        {"name": "note", "type": "text"},
        {"name": "qty", "type": "integer"},
    ]}],
}
ORDERS: dict[str, Any] = {  # links to shop's item: must be applied after shop
    "key": "orders", "version": "1.0.0",
    "entities": [{"key": "purchase", "fields": [
        {"name": "code", "type": "text", "required": True},
        {"name": "item", "type": "link", "entity": "item"},
    ]}],
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


@pytest.fixture
def db(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    return database_url


@pytest.fixture
def ready(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(capsys, "db", "init")[0] == 0
    return db


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
def shop(ready: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert run(capsys, "app", "apply", str(write_json(tmp_path / "shop.json", SHOP)))[0] == 0
    return ready


def test_db_init_is_idempotent_and_reports_the_revision(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "db", "init", "--json")
    assert status == 0 and json.loads(out)["revision"]
    assert run(capsys, "--json", "db", "init")[0] == 0


def test_apply_prints_the_diff_and_revision_then_lists_and_shows(ready: str, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    path = write_json(tmp_path / "shop.json", SHOP)
    status, out, _ = run(capsys, "app", "apply", str(path))
    assert status == 0
    assert "revision 1" in out and "create table t_item for entity item" in out
    status, out, _ = run(capsys, "app", "apply", str(path), "--json")
    assert json.loads(out)["apps"][0]["changes"] == []
    status, out, _ = run(capsys, "app", "list", "--json")
    assert [(a["app"], a["revision"]) for a in json.loads(out)] == [("shop", 1)]
    status, out, _ = run(capsys, "app", "show", "shop")
    assert status == 0 and "item: name:text, note:text, qty:integer" in out and "rev 1" in out


def test_dry_run_changes_nothing(ready: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "app", "apply", str(write_json(tmp_path / "shop.json", SHOP)), "--dry-run")
    assert status == 0 and "nothing was changed" in out and "create table t_item" in out
    assert json.loads(run(capsys, "app", "list", "--json")[1]) == []


def test_a_folder_is_applied_in_dependency_order(ready: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "apps"
    folder.mkdir()
    write_json(folder / "a_orders.json", ORDERS)  # sorts first, depends on shop through its link
    write_json(folder / "b_shop.json", SHOP)
    status, out, _ = run(capsys, "app", "apply", str(folder), "--dry-run", "--json")
    assert status == 0 and [a["app"] for a in json.loads(out)["apps"]] == ["shop", "orders"]
    assert json.loads(run(capsys, "app", "list", "--json")[1]) == []
    status, out, _ = run(capsys, "app", "apply", str(folder))
    assert status == 0 and out.index("App shop") < out.index("App orders")


def test_dependency_cycle_is_bad_input(ready: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "apps"
    folder.mkdir()
    write_json(folder / "x.json", {**SHOP, "depends_on": ["orders"]})
    write_json(folder / "y.json", ORDERS)
    status, _, err = run(capsys, "app", "apply", str(folder))
    assert status == 2 and "cycle" in err and err.count("\n") == 1


@pytest.mark.parametrize("content, expected", [
    ("{not json", "is not valid JSON"),
    (None, "There is no file"),
])
def test_bad_files_are_one_sentence_and_status_2(ready: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 content: str | None, expected: str) -> None:
    path = tmp_path / "app.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status, out, err = run(capsys, "app", "apply", str(path))
    assert status == 2 and expected in err and err.count("\n") == 1 and out == ""


def test_an_invalid_definition_lists_each_problem(ready: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = {"key": "bad", "version": "1", "entities": [{"key": "thing", "fields": [
        {"name": "a", "type": "no_such_type"}, {"name": "b", "type": "link", "entity": "nowhere"}]}]}
    status, _, err = run(capsys, "app", "apply", str(write_json(tmp_path / "bad.json", bad)))
    lines = err.splitlines()
    assert status == 2 and len(lines) >= 3
    assert all(": " in line for line in lines[1:]) and any("entities" in line for line in lines[1:])
    assert json.loads(run(capsys, "app", "list", "--json")[1]) == []


def test_a_refused_schema_change_changes_nothing(shop: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "items.csv"
    csv_path.write_text("name,note\nBolt,not a number\n", encoding="utf-8")
    assert run(capsys, "records", "import", "item", str(csv_path))[0] == 0
    changed = json.loads(json.dumps(SHOP))
    changed["entities"][0]["fields"][1]["type"] = "integer"
    status, _, err = run(capsys, "app", "apply", str(write_json(tmp_path / "shop2.json", changed)))
    assert status == 2 and err.strip()
    assert json.loads(run(capsys, "app", "list", "--json")[1])[0]["revision"] == 1


def test_uninitialised_database_and_bad_url(db: str, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "app", "list")
    assert status == 2 and "jimu db init" in err and err.count("\n") == 1
    monkeypatch.setenv("JIMU_DATABASE_URL", "nosuchdb://where")
    status, _, err = run(capsys, "app", "list")
    assert status == 2 and "not valid" in err and err.count("\n") == 1


def test_unknown_app_and_entity(shop: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "app", "show", "nope")
    assert status == 2 and "nope" in err
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("name\nA\n", encoding="utf-8")
    status, _, err = run(capsys, "records", "import", "nope", str(csv_path))
    assert status == 2 and "nope" in err and err.count("\n") == 1


def test_import_reports_created_and_row_errors(shop: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "items.csv"
    csv_path.write_text("名称,qty\nBolt,1\nNut,many\nWasher,3\n", encoding="utf-8")
    status, out, err = run(capsys, "records", "import", "item", str(csv_path), "--all-or-nothing")
    assert status == 2 and "Nothing was imported" in out and "row 3, column qty" in out
    status, out, _ = run(capsys, "records", "import", "item", str(csv_path), "--json")
    report = json.loads(out)
    assert status == 1 and report["created"] == 2 and report["errors"][0]["row"] == 3
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("Item,Amount\nScrew,9\n", encoding="utf-8")
    status, out, _ = run(capsys, "records", "import", "item", str(mapped), "--map", "Item=name", "--map", "Amount=qty")
    assert status == 0 and "Created 1 records" in out
    status, _, err = run(capsys, "records", "import", "item", str(mapped))
    assert status == 2 and "Item, Amount" in err


def test_export_csv_to_stdout_and_xlsx_to_a_file(shop: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    csv_path = tmp_path / "items.csv"
    csv_path.write_text("name,qty\nBolt,1\nNut,2\n", encoding="utf-8")
    assert run(capsys, "records", "import", "item", str(csv_path))[0] == 0
    status, out, _ = run(capsys, "records", "export", "item")
    assert status == 0 and sorted(out.lstrip("\ufeff").splitlines()[1:]) == ["Bolt,,1", "Nut,,2"]
    target = tmp_path / "items.xlsx"
    status, out, _ = run(capsys, "records", "export", "item", "--format", "xlsx", "-o", str(target), "--json")
    assert status == 0 and json.loads(out)["bytes"] > 0
    book = load_workbook(target, read_only=True)
    names = sorted(row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True))
    book.close()
    assert names == ["Bolt", "Nut"]
    status, _, err = run(capsys, "records", "export", "item", "--format", "xlsx")
    assert status == 2 and "-o" in err
    # a round trip: the exported file imports back
    assert run(capsys, "records", "import", "item", str(target))[0] == 0


def test_the_installed_console_script_runs(database_url: str, tmp_path: Path) -> None:
    jimu = shutil.which("jimu", path=os.path.dirname(sys.executable))
    assert jimu is not None
    env = {**os.environ, "JIMU_DATABASE_URL": database_url}
    done = subprocess.run([jimu, "db", "init"], env=env, cwd=tmp_path, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([jimu, "--json", "app", "list"], env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 0 and json.loads(done.stdout) == []
    done = subprocess.run([jimu, "app", "show", "nope"], env=env, cwd=tmp_path, capture_output=True, text=True, check=False,
                          timeout=120)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
