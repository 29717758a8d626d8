"""`jimu app apply` names what it changes: the app of an app-level change, and the rows a new default fills."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from jimu.web.cli.main import main

SHOP: dict[str, Any] = {"key": "shop", "version": "1.0.0", "entities": [{"key": "item", "title_field": "name", "fields": [
    {"name": "name", "type": "text", "required": True}]}]}


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out


@pytest.fixture
def shop(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    assert _run(capsys, "db", "init")[0] == 0
    path = tmp_path / "shop.json"
    path.write_text(json.dumps(SHOP), encoding="utf-8")
    assert _run(capsys, "app", "apply", str(path))[0] == 0
    items = tmp_path / "items.csv"
    items.write_text("name\nA\nB\n", encoding="utf-8")
    assert _run(capsys, "records", "import", "item", str(items))[0] == 0
    return path


def test_a_dry_run_names_the_app_and_the_rows_a_default_fills(shop: Path, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    changed = copy.deepcopy(SHOP)
    changed["version"] = "1.1.0"
    changed["entities"][0]["fields"].append({"name": "kind", "type": "text", "default": "x"})
    path = tmp_path / "shop2.json"
    path.write_text(json.dumps(changed), encoding="utf-8")
    status, out = _run(capsys, "app", "apply", str(path), "--dry-run")
    assert status == 0
    assert "metadata of app shop: version" in out
    assert "set default 'x' on 2 existing rows of t_item" in out
    assert "metadata of :" not in out
