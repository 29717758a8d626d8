"""What a newcomer reads: the password's minimum length, which file a relative SQLite URL names, a taken port."""
from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from jimu.platform.security.passwords import MIN_LENGTH
from jimu.web.cli.main import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return status, out, err


@pytest.fixture
def ready(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("JIMU_DATABASE_URL", database_url)
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    assert _run(capsys, "db", "init")[0] == 0
    return database_url


@pytest.mark.parametrize(("locale", "expected"), [("en", f"at least {MIN_LENGTH} characters"),
                                                  ("zh-CN", f"至少需要 {MIN_LENGTH} 个字符")])
def test_a_short_password_is_refused_with_the_minimum_length(ready: str, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str], locale: str,
                                                             expected: str) -> None:
    monkeypatch.setenv("JIMU_LOCALE", locale)
    status, out, err = _run(capsys, "admin", "create-user", "bob", "--password", "short")
    assert status == 2 and out == ""
    assert expected in err and err.count(expected) == 1, err


def test_a_relative_sqlite_url_is_named_with_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JIMU_DATABASE_URL", "sqlite:///jimu.db")
    monkeypatch.delenv("JIMU_LOCALE", raising=False)
    status, _, err = _run(capsys, "app", "list")
    assert status == 2
    assert f"sqlite:///jimu.db (a file relative to the current folder: {tmp_path.resolve() / 'jimu.db'})" in err
    assert not (tmp_path / "jimu.db").exists()
    monkeypatch.setenv("JIMU_DATABASE_URL", f"sqlite:///{tmp_path / 'abs.db'}")
    status, _, err = _run(capsys, "app", "list")
    assert status == 2 and "current folder" not in err and str(tmp_path / "abs.db") in err


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield int(listener.getsockname()[1])


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_a_taken_port_is_said_before_serving(ready: str, taken_port: int, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str], locale: str) -> None:
    monkeypatch.setenv("JIMU_LOCALE", locale)
    status, out, err = _run(capsys, "serve", "--port", str(taken_port))
    assert status == 2
    assert "Serving Jimu" not in out and out == ""
    assert f"127.0.0.1:{taken_port}" in err
    assert ("already in use" if locale == "en" else "端口已被占用") in err


def test_an_address_not_of_this_machine_is_said_before_serving(ready: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _run(capsys, "serve", "--host", "192.0.2.1", "--port", "8000")  # TEST-NET-1
    assert status == 2 and out == "" and "Cannot listen on 192.0.2.1:8000" in err
