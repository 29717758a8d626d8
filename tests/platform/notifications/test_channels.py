"""Channel types one by one: wire formats, signatures (recomputed as the vendors document them), masking,
configuration checks, and the destination check (SSRF)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, unquote_plus, urlsplit

import httpx
import pytest

from jimu.platform.notifications import (
    CHANNEL_TYPES,
    Delivery,
    DestinationRefused,
    Link,
    Message,
    NetworkPolicy,
    network,
)
from jimu.platform.notifications.channels.base import HttpChannel, clip, mask_url
from jimu.platform.notifications.channels.dingtalk import dingtalk_sign
from jimu.platform.notifications.channels.feishu import feishu_sign
from jimu.platform.notifications.channels.webhook import webhook_signature
from jimu.platform.notifications.network import check_destination, post_json

AT = datetime(2026, 12, 2, 1, 0, 0, tzinfo=UTC)
DELIVERY = Delivery(id="wf-7-1", channel="robot", now=AT, network=NetworkPolicy())
MARKDOWN = Message("订单已审批", "**SO-0001**\n金额 ¥12.50", format="markdown", url="https://jimu.example/r/1")


def http(kind: str) -> HttpChannel:
    entry = CHANNEL_TYPES[kind]
    assert isinstance(entry, HttpChannel)
    return entry


def test_every_channel_type_is_one_registry_entry_with_its_schema() -> None:
    assert sorted(CHANNEL_TYPES) == ["dingtalk", "email", "feishu", "inapp", "webhook", "wecom"]
    for name, kind in CHANNEL_TYPES.items():
        assert kind.name == name and kind.config_schema["type"] == "object"
        assert set(kind.secrets) <= set(kind.config_schema["properties"])


def test_dingtalk_signature_is_in_the_query_as_documented() -> None:
    secret = "SEC-this is secret"
    outgoing = http("dingtalk").request({"url": "https://oapi.dingtalk.com/robot/send?access_token=T", "secret": secret},
                                        MARKDOWN, DELIVERY)
    query = parse_qs(urlsplit(outgoing.url).query)
    timestamp = int(AT.timestamp() * 1000)
    assert query["access_token"] == ["T"] and query["timestamp"] == [str(timestamp)]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert query["sign"] == [expected.decode()]
    assert "sign=" + dingtalk_sign(secret, timestamp).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D") \
        in outgoing.url
    assert unquote_plus(outgoing.url.split("sign=")[1]) == expected.decode()
    assert outgoing.payload() == {"msgtype": "markdown", "markdown": {
        "title": "订单已审批", "text": "#### 订单已审批\n\n**SO-0001**\n金额 ¥12.50\n\n[https://jimu.example/r/1](https://jimu.example/r/1)"}}


def test_dingtalk_without_a_secret_is_not_signed_and_text_is_text() -> None:
    outgoing = http("dingtalk").request({"url": "https://oapi.dingtalk.com/robot/send?access_token=T"},
                                        Message("Hi", "there"), DELIVERY)
    assert outgoing.url == "https://oapi.dingtalk.com/robot/send?access_token=T"
    assert outgoing.payload() == {"msgtype": "text", "text": {"content": "Hi\nthere"}}


def test_wecom_formats_and_its_byte_limits() -> None:
    wecom = http("wecom")
    config = {"url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"}
    assert wecom.request(config, MARKDOWN, DELIVERY).payload() == {"msgtype": "markdown", "markdown": {
        "content": "## 订单已审批\n**SO-0001**\n金额 ¥12.50\n[https://jimu.example/r/1](https://jimu.example/r/1)"}}
    long_text = wecom.request(config, Message("标题", "长" * 5000), DELIVERY).payload()
    assert long_text["msgtype"] == "text" and len(long_text["text"]["content"].encode()) <= 2048
    assert long_text["text"]["content"].endswith("…")


def test_feishu_signature_is_in_the_body_as_documented() -> None:
    secret = "feishu secret"
    outgoing = http("feishu").request({"url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc", "secret": secret},
                                      MARKDOWN, DELIVERY)
    body = outgoing.payload()
    timestamp = int(AT.timestamp())
    assert body["timestamp"] == str(timestamp)
    expected = base64.b64encode(hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    assert body["sign"] == expected == feishu_sign(secret, timestamp)
    assert body["msg_type"] == "post"
    assert body["content"]["post"]["zh_cn"] == {"title": "订单已审批", "content": [
        [{"tag": "text", "text": "**SO-0001**"}], [{"tag": "text", "text": "金额 ¥12.50"}],
        [{"tag": "a", "text": "https://jimu.example/r/1", "href": "https://jimu.example/r/1"}]]}


def test_webhook_signs_the_exact_body_bytes() -> None:
    outgoing = http("webhook").request({"url": "https://hooks.example/in", "secret": "k"}, MARKDOWN, DELIVERY)
    assert outgoing.headers["X-Jimu-Signature"] == "sha256=" + hmac.new(b"k", outgoing.body, hashlib.sha256).hexdigest()
    assert outgoing.headers["X-Jimu-Signature"] == webhook_signature("k", outgoing.body)
    assert outgoing.headers["X-Jimu-Delivery"] == "wf-7-1"
    assert outgoing.headers["X-Jimu-Timestamp"] == str(int(AT.timestamp()))
    assert outgoing.payload()["sent_at"] == AT.isoformat()


def test_secrets_and_url_tokens_are_masked() -> None:
    shown = CHANNEL_TYPES["dingtalk"].masked({"url": "https://oapi.dingtalk.com/robot/send?access_token=abcdef123",
                                              "secret": "SECxyz"})
    assert shown == {"url": "https://oapi.dingtalk.com/robot/send?access_token=%2A%2A%2A%2A", "secret": "********"}
    assert mask_url("https://open.feishu.cn/open-apis/bot/v2/hook/0f1e2d3c-4b5a-6978") == \
        "https://open.feishu.cn/open-apis/bot/v2/hook/0f1e****"
    assert CHANNEL_TYPES["email"].masked({"host": "smtp.example.com", "password": "p"})["password"] == "********"


@pytest.mark.parametrize("kind, config, path", [
    ("email", {"from": "a@example.com"}, "/config"),
    ("email", {"host": "smtp.example.com", "from": "a@example.com", "port": 70000}, "/config/port"),
    ("email", {"host": "smtp.example.com", "from": "not an address"}, "/config/from"),
    ("email", {"host": "smtp.example.com", "from": "a@example.com", "security": "ssl3"}, "/config/security"),
    ("dingtalk", {"url": "ftp://x"}, "/config/url"),
    ("wecom", {"url": "https://q.example/send?key=1", "secret": "x"}, "/config"),
    ("webhook", {"url": "https://hooks.example/in"}, "/config"),
])
def test_configuration_problems_name_the_setting(kind: str, config: dict[str, object], path: str) -> None:
    problems = CHANNEL_TYPES[kind].config_problems(config)
    assert problems and problems[0].path == path and problems[0].code == "notifications.config_field"


def test_message_problems() -> None:
    email = CHANNEL_TYPES["email"]
    assert [p.code for p in email.message_problems(Message("s", "b", to=("a@b.c",)))] == []
    bad = Message(" ", "b", format="rtf", event="bad event\r\n", to=("x\r\n@y",))
    assert [p.code for p in email.message_problems(bad)] == [
        "notifications.format_unknown", "notifications.event_invalid", "notifications.subject_missing",
        "notifications.address_invalid"]
    assert [p.code for p in CHANNEL_TYPES["inapp"].message_problems(Message("s", "b"))] == ["notifications.no_recipients"]
    huge = CHANNEL_TYPES["webhook"].message_problems(Message("s" * 501, "b" * 200_001))
    assert [(p.path, p.code) for p in huge] == [("/subject", "notifications.text_too_long"),
                                               ("/body", "notifications.text_too_long")]


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x", "http://localhost:8080/x", "http://10.1.2.3/", "http://192.168.0.1/", "http://172.16.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
    "http://100.64.0.1/", "http://224.0.0.1/", "file:///etc/passwd", "gopher://example.com/", "http:///nohost",
])
def test_private_and_odd_destinations_are_refused(url: str) -> None:
    with pytest.raises(DestinationRefused) as caught:
        check_destination(url, NetworkPolicy())
    assert caught.value.retryable is False


def test_public_addresses_pass_and_private_ones_pass_when_allowed() -> None:
    check_destination("https://8.8.8.8/hook", NetworkPolicy())
    check_destination("http://127.0.0.1:8080/hook", NetworkPolicy(allow_private=True))
    with pytest.raises(DestinationRefused):
        check_destination("ftp://127.0.0.1/", NetworkPolicy(allow_private=True))


def _answers(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """getaddrinfo answering each call with the next address (the last one repeats); the names asked."""
    asked: list[str] = []

    def getaddrinfo(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        asked.append(host)
        address = answers[min(len(asked), len(answers)) - 1]
        return [(None, None, None, "", (address, port))]

    monkeypatch.setattr(network.socket, "getaddrinfo", getaddrinfo)
    return asked


def test_a_name_is_pinned_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    _answers(monkeypatch, "93.184.216.34")
    plain = check_destination("http://hooks.example.test:8080/in?x=1", NetworkPolicy())
    assert (plain.url, plain.headers, plain.extensions) == (
        "http://93.184.216.34:8080/in?x=1", {"Host": "hooks.example.test:8080"}, {})
    _answers(monkeypatch, "2606:2800:220:1:248:1893:25c8:1946")
    tls = check_destination("https://hooks.example.test/in", NetworkPolicy())
    assert (tls.url, tls.headers, tls.extensions) == (
        "https://[2606:2800:220:1:248:1893:25c8:1946]/in", {"Host": "hooks.example.test"},
        {"sni_hostname": "hooks.example.test"})  # the certificate is checked against the name


def test_a_name_that_rebinds_after_the_check_cannot_redirect_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    asked = _answers(monkeypatch, "93.184.216.34", "127.0.0.1")  # public when checked, loopback afterwards
    sent: list[httpx.Request] = []
    real_client = httpx.Client

    def client(**options: object) -> httpx.Client:
        def answer(request: httpx.Request) -> httpx.Response:
            sent.append(request)
            return httpx.Response(200, json={"ok": True})
        return real_client(transport=httpx.MockTransport(answer), **options)  # type: ignore[arg-type]

    monkeypatch.setattr(network.httpx, "Client", client)
    reply = post_json("https://hooks.example.test/in", b"{}", {"X-Jimu-Delivery": "d1"}, NetworkPolicy(),
                      channel="hook")
    [request] = sent
    assert reply.status == 200 and asked == ["hooks.example.test"]  # resolved once
    assert (request.url.host, request.headers["host"], request.extensions["sni_hostname"]) == (
        "93.184.216.34", "hooks.example.test", "hooks.example.test")


def test_clip_never_cuts_a_character() -> None:
    assert clip("短", 10) == "短"
    cut = clip("长" * 10, 10)
    assert cut == "长" * 2 + "…" and len(cut.encode()) <= 10


def test_a_message_travels_as_json_and_decimals_become_text() -> None:
    message = Message("s", "b", format="html", to=("a@b.c",), users=(3,), link=Link("order", 9), url="https://x",
                      event="order.approved", data={"total": Decimal("12.50"), "when": AT})
    payload = message.as_payload()
    assert payload["data"] == {"total": "12.50", "when": str(AT)}
    assert Message.from_payload(payload) == Message(**{**message.__dict__, "data": payload["data"]})
    outgoing = http("webhook").request({"url": "https://h.example/x", "secret": "k"}, message, DELIVERY)
    assert outgoing.payload()["data"]["total"] == "12.50"
