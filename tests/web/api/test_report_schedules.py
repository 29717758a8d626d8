"""Scheduled report exports: an administrator schedules a report for Monday 08:00 Shanghai time; when the
worker's clock reaches it, the report is exported as XLSX (totals last) with the saver's permissions and
e-mailed as an attachment; bad schedules are 422s naming the field, and nothing is saved."""
from __future__ import annotations

import io
import json
import random
import socket
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.engines.reports import RunOptions
from jimu.engines.reports.schedules import set_report_schedule
from jimu.platform.bootstrap import init_database
from jimu.platform.jobs import DEAD, DONE, FAILED, Worker, WorkerOptions
from jimu.platform.jobs.tables import jobs
from jimu.platform.kernel import Kernel
from jimu.platform.meta import users
from jimu.platform.security import bind_policy, create_role, load_principal, set_permission, set_user_roles
from jimu.web.assembly import assemble, job_handlers

from .conftest import FIXTURES, World

SHOP: dict[str, Any] = json.loads((FIXTURES / "shop_reports.json").read_text(encoding="utf-8"))
URL = "/api/v1/admin/report-schedules"


class Inbox:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.mails.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app(SHOP)
    kernel.apply_app(tasks_app)
    return kernel


@pytest.fixture
def shop(world: World, smtp: tuple[int, Inbox]) -> World:
    config = {"host": "127.0.0.1", "port": smtp[0], "security": "none", "from": "jimu@example.com"}
    for key, body in (("mail", {"type": "email", "config": config}),
                      ("robot", {"type": "webhook", "config": {"url": "https://example.com/hook", "secret": "s"}})):
        assert world.client.put(f"/api/v1/admin/channels/{key}", json=body,
                                headers=world.headers("admin")).status_code == 200
    with world.kernel.unit_of_work() as ctx:
        ctx.conn.execute(sa.update(users).where(users.c.id == world.users["vera"]).values(email="vera@example.com"))
        north = records.create(ctx, "customer", {"name": "N", "region": "north"})["id"]
        for amount in ("1.10", "2.20"):
            records.create(ctx, "order", {"customer": north, "amount": amount, "status": "won",
                                          "ordered_at": "2026-01-31T20:00:00Z"})
    return world


def _spec(**changes: Any) -> dict[str, Any]:
    return {"app": "shop", "report": "by_region", "cron": "0 8 * * 1", "timezone": "Asia/Shanghai",
            "format": "xlsx", "channel": "mail", "to": ["boss@example.com"], "locale": "zh-CN", **changes}


def _worker(kernel: Kernel, at: datetime) -> Worker:
    options = WorkerOptions(builtin_schedules=False, name="test-worker")
    return Worker(kernel, job_handlers(), options, clock=lambda: at, rng=random.Random(7))


def _attachment(mail: Message) -> tuple[str, bytes]:
    assert isinstance(mail, Message)
    [part] = [p for p in mail.walk() if p.get_filename()]
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return str(part.get_filename()), payload


def test_a_weekly_export_is_mailed_as_an_xlsx_attachment(shop: World, smtp: tuple[int, Inbox]) -> None:
    saved = shop.client.put(f"{URL}/weekly", json=_spec(users=[shop.users["vera"]]), headers=shop.headers("admin"))
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["key"] == "weekly" and body["owner"] == shop.users["admin"] and body["format"] == "xlsx"
    occurrence = datetime.fromisoformat(body["next_run_at"])
    assert occurrence.weekday() == 0 and (occurrence.hour, occurrence.minute) == (0, 0)  # 08:00 in Shanghai
    assert _worker(shop.kernel, occurrence - timedelta(seconds=1)).run_once() == []  # not due yet
    [attempt] = _worker(shop.kernel, occurrence + timedelta(seconds=5)).run_once()
    assert attempt.outcome == DONE
    [(recipients, mail)] = smtp[1].mails
    assert sorted(recipients) == ["boss@example.com", "vera@example.com"]
    assert str(make_header(decode_header(mail["Subject"]))) == f"各区域收入（{occurrence.date().isoformat()}）"
    name, content = _attachment(mail)
    assert name == f"by_region-{occurrence.date().isoformat()}.xlsx"
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[-1][0] == "合计" and str(rows[-1][rows[0].index("revenue")]) in ("3.3", "3.30")
    listed = shop.client.get(URL, headers=shop.headers("admin")).json()["data"]
    assert [s["key"] for s in listed] == ["weekly"] and listed[0]["last_run_at"] is not None
    assert _worker(shop.kernel, occurrence + timedelta(seconds=9)).run_once() == []  # the occurrence ran once


def test_the_export_runs_with_the_savers_permissions(shop: World, smtp: tuple[int, Inbox]) -> None:
    with shop.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "analyst")
        set_permission(ctx.conn, "analyst", "order", ["read", "export"], catalog=ctx.catalog)
        set_permission(ctx.conn, "analyst", "customer", ["read"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, shop.users["nora"], ["analyst"])
        bind_policy(ctx, load_principal(ctx.conn, shop.users["nora"]))
        saved = set_report_schedule(ctx, "nora", _spec(format="csv"), owner=shop.users["nora"], options=RunOptions())
    occurrence = saved["next_run_at"]
    with shop.kernel.unit_of_work() as ctx:  # nora may no longer export orders when it runs
        set_permission(ctx.conn, "analyst", "order", ["read"], catalog=ctx.catalog)
    [attempt] = _worker(shop.kernel, occurrence).run_once()
    assert attempt.outcome == DEAD and smtp[1].mails == []
    with shop.kernel.engine.connect() as conn:
        result = conn.execute(sa.select(jobs.c.result).where(jobs.c.kind == "reports.scheduled_export")).scalar_one()
    assert result["delivered"] is False and result["code"] == "security.permission_denied"


def test_an_unreachable_mail_server_is_retried(shop: World, smtp: tuple[int, Inbox]) -> None:
    config = {"host": "127.0.0.1", "port": 1, "security": "none", "from": "jimu@example.com"}
    shop.client.put("/api/v1/admin/channels/down", json={"type": "email", "config": config},
                    headers=shop.headers("admin"))
    saved = shop.client.put(f"{URL}/csv", json=_spec(channel="down", format="csv"), headers=shop.headers("admin"))
    [attempt] = _worker(shop.kernel, datetime.fromisoformat(saved.json()["next_run_at"])).run_once()
    assert attempt.outcome == FAILED


@pytest.mark.parametrize(("changes", "status", "code"), [
    ({"cron": "every monday"}, 422, "jobs.cron_invalid"),
    ({"timezone": "Mars/Base"}, 422, "jobs.timezone_invalid"),
    ({"channel": "robot"}, 422, "reports.schedule_channel_not_email"),
    ({"channel": "nowhere"}, 404, None),
    ({"report": "nothing"}, 404, "reports.not_found"),
    ({"to": []}, 422, None),
    ({"to": ["not an address"]}, 422, None),
    ({"format": "pdf"}, 422, None),
])
def test_a_bad_schedule_is_refused_and_nothing_is_saved(shop: World, changes: dict[str, Any], status: int,
                                                        code: str | None) -> None:
    response = shop.client.put(f"{URL}/bad", json=_spec(**changes), headers=shop.headers("admin"))
    assert response.status_code == status, response.text
    if code:
        assert response.json()["code"] == code
    assert shop.client.get(f"{URL}/bad", headers=shop.headers("admin")).status_code == 404


def test_read_delete_and_only_superusers(shop: World) -> None:
    assert shop.client.put(f"{URL}/weekly", json=_spec(), headers=shop.headers("admin")).status_code == 200
    assert shop.client.get(URL, headers=shop.headers("alice")).status_code == 403
    assert shop.client.put(f"{URL}/x", json=_spec(), headers=shop.headers("alice")).status_code == 403
    assert shop.client.get(f"{URL}/weekly", headers=shop.headers("admin")).json()["cron"] == "0 8 * * 1"
    assert shop.client.delete(f"{URL}/weekly", headers=shop.headers("admin")).status_code == 204
    assert shop.client.delete(f"{URL}/weekly", headers=shop.headers("admin")).status_code == 404
    assert shop.client.get(URL, headers=shop.headers("admin")).json()["data"] == []
