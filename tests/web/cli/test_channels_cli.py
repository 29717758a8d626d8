"""`jimu channels list|set|remove|test`: channel configurations from the command line, secrets never shown."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from jimu.web.cli.main import main

ROBOT = {"url": "https://oapi.dingtalk.com/robot/send?access_token=tok987654321", "secret": "SECsecret"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


@pytest.fixture
def ready(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    monkeypatch.delenv("JIMU_NOTIFY_ALLOW_PRIVATE_NETWORKS", raising=False)
    assert run(capsys, "db", "init")[0] == 0
    return database_url


def test_set_list_and_remove_a_channel(ready: str, capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "robot.json"
    config.write_text(json.dumps(ROBOT), encoding="utf-8")
    status, out, _ = run(capsys, "channels", "set", "sales_robot", "--type", "dingtalk", "--config-file", str(config))
    assert status == 0 and out.strip() == "Channel sales_robot (dingtalk) saved."
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"host": "smtp.example.com", "from": "j@example.com",
                                                             "password": "pw-secret"})))
    assert run(capsys, "channels", "set", "mail", "--type", "email", "--config-file", "-", "--disabled")[0] == 0
    status, out, _ = run(capsys, "channels", "list")
    assert status == 0 and "SECsecret" not in out and "pw-secret" not in out and "tok987654321" not in out
    assert [line.split()[0] for line in out.splitlines()] == ["inapp", "mail", "sales_robot"]
    assert "(disabled)" in out.splitlines()[1]
    status, out, _ = run(capsys, "--json", "channels", "list")
    shown: list[dict[str, Any]] = json.loads(out)["data"]
    assert shown[2]["config"]["secret"] == "********"
    assert run(capsys, "channels", "remove", "mail")[1].strip() == "Channel mail removed."
    status, _, err = run(capsys, "channels", "remove", "mail")
    assert status == 2 and "mail" in err


def test_bad_input_is_exit_2_with_a_sentence(ready: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "channels", "set", "mail", "--type", "email", "--config", "{not json")
    assert status == 2 and "JSON" in err
    status, _, err = run(capsys, "channels", "set", "mail", "--type", "email", "--config", '{"host": "x"}')
    assert status == 2 and "/config" in err
    status, _, err = run(capsys, "channels", "set", "inapp", "--type", "webhook", "--config",
                         '{"url": "https://h.example/x", "secret": "s"}')
    assert status == 2 and "inapp" in err


def test_a_test_send_to_loopback_is_refused_unless_allowed(ready: str, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    run(capsys, "channels", "set", "hook", "--type", "webhook", "--config",
        '{"url": "http://127.0.0.1:9/in", "secret": "s"}')
    status, _, err = run(capsys, "channels", "test", "hook")
    assert status == 2 and "127.0.0.1" in err
    monkeypatch.setenv("JIMU_NOTIFY_ALLOW_PRIVATE_NETWORKS", "1")
    status, _, err = run(capsys, "channels", "test", "hook")
    assert status == 2 and "hook" in err  # allowed now, but nothing listens there
