"""Loopback fakes of the receivers: an SMTP server (aiosmtpd) and one HTTP server playing the DingTalk,
WeCom and Feishu robots and a webhook receiver, each checking the message format AND recomputing the
signature the way the vendor documents it, answering as the vendor answers."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jimu.platform.notifications import NetworkPolicy

DING_SECRET = "SECdingtalk-secret-值"
FEISHU_SECRET = "feishu-secret"
WEBHOOK_SECRET = "webhook-secret"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
LOOPBACK = NetworkPolicy(timeout=5.0, allow_private=True)


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    verdict: str  # "ok" or why the fake refused it

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeReceivers:
    url: str
    received: list[Received] = field(default_factory=list)
    fail_next: list[tuple[int, Any]] = field(default_factory=list)  # (status, JSON reply) served first
    delay: float = 0.0

    def of(self, prefix: str) -> list[Received]:
        return [r for r in self.received if r.path.startswith(prefix)]


def _dingtalk(query: dict[str, list[str]], body: Any) -> str:
    if body.get("msgtype") == "text":
        if not isinstance(body.get("text", {}).get("content"), str):
            return "text.content missing"
    elif body.get("msgtype") == "markdown":
        markdown = body.get("markdown", {})
        if not (isinstance(markdown.get("title"), str) and isinstance(markdown.get("text"), str)):
            return "markdown.title/text missing"
    else:
        return "unknown msgtype"
    if "access_token" not in query:
        return "access_token missing"
    timestamp, sign = query.get("timestamp", [""])[0], query.get("sign", [""])[0]
    if not timestamp or abs(int(timestamp) - time.time() * 1000) > 3600_000:
        return "timestamp missing or out of range"
    digest = hmac.new(DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256).digest()
    return "ok" if hmac.compare_digest(base64.b64encode(digest).decode(), sign) else "sign mismatch"


def _wecom(query: dict[str, list[str]], body: Any) -> str:
    if query.get("key") != [WECOM_KEY]:
        return "key mismatch"
    kind = body.get("msgtype")
    content = body.get(kind, {}).get("content") if kind in ("text", "markdown") else None
    if not isinstance(content, str):
        return "content missing"
    limit = 2048 if kind == "text" else 4096
    return "ok" if len(content.encode()) <= limit else "content too long"


def _feishu(body: Any) -> str:
    kind, content = body.get("msg_type"), body.get("content", {})
    if kind == "text":
        if not isinstance(content.get("text"), str):
            return "content.text missing"
    elif kind == "post":
        post = content.get("post", {}).get("zh_cn", {})
        paragraphs = post.get("content")
        if not isinstance(post.get("title"), str) or not isinstance(paragraphs, list) or not all(
                isinstance(p, list) and all(isinstance(t, dict) and t.get("tag") in ("text", "a") for t in p)
                for p in paragraphs):
            return "post malformed"
    else:
        return "unknown msg_type"
    timestamp, sign = body.get("timestamp"), body.get("sign")
    if not isinstance(timestamp, str) or abs(int(timestamp) - time.time()) > 3600:
        return "timestamp missing or out of range"
    digest = hmac.new(f"{timestamp}\n{FEISHU_SECRET}".encode(), b"", hashlib.sha256).digest()
    return "ok" if hmac.compare_digest(base64.b64encode(digest).decode(), str(sign)) else "sign mismatch"


def _webhook(headers: dict[str, str], raw: bytes) -> str:
    expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(headers.get("x-jimu-signature", ""), expected):
        return "signature mismatch"
    if not headers.get("x-jimu-delivery") or not headers.get("x-jimu-timestamp", "").isdigit():
        return "delivery or timestamp header missing"
    return "ok"


REFUSALS = {"/dingtalk": (200, {"errcode": 310000, "errmsg": "sign not match"}),
            "/wecom": (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
            "/feishu": (200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"}),
            "/webhook": (401, {"error": "bad signature"})}
SUCCESS = {"/dingtalk": {"errcode": 0, "errmsg": "ok"}, "/wecom": {"errcode": 0, "errmsg": "ok"},
           "/feishu": {"code": 0, "msg": "success", "data": {}}, "/webhook": {"ok": True}}


def _verdict(path: str, query: dict[str, list[str]], headers: dict[str, str], raw: bytes) -> str:
    try:
        body = json.loads(raw)
    except ValueError:
        return "not JSON"
    if path.startswith("/dingtalk"):
        return _dingtalk(query, body)
    if path.startswith("/wecom"):
        return _wecom(query, body)
    if path.startswith("/feishu"):
        return _feishu(body)
    return _webhook(headers, raw)


def _handler(fake: FakeReceivers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            verdict = _verdict(parts.path, parse_qs(parts.query), headers, raw)
            fake.received.append(Received(parts.path, parse_qs(parts.query), headers, raw, verdict))
            time.sleep(fake.delay)
            prefix = "/" + parts.path.strip("/").split("/")[0]
            if fake.fail_next:
                status, reply = fake.fail_next.pop(0)
            elif verdict != "ok":
                status, reply = REFUSALS[prefix]
            else:
                status, reply = 200, SUCCESS[prefix]
            data = json.dumps(reply).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def run_receivers() -> Iterator[FakeReceivers]:
    fake = FakeReceivers(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass
class FakeSmtp:
    host: str
    port: int
    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)


class _Collect:
    def __init__(self, fake: FakeSmtp) -> None:
        self.fake = fake

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:  # noqa: N802
        if address.endswith("@refused.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.fake.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def run_smtp_server() -> Iterator[FakeSmtp]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    with socket.socket() as probe:  # the controller checks it is up by connecting: it needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fake = FakeSmtp("127.0.0.1", port)

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"jimu", b"s3cret")
        if ok:
            fake.logins.append((data.login.decode(), mechanism))
        return AuthResult(success=ok, handled=False)

    controller = Controller(_Collect(fake), hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_require_tls=False)
    controller.start()
    try:
        yield fake
    finally:
        controller.stop()


def now() -> datetime:
    return datetime.now(UTC)
