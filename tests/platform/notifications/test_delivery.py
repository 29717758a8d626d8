"""Sending through each channel to loopback fakes that check the vendor's format and recompute its signature."""
from __future__ import annotations

from email.header import decode_header, make_header
from typing import Any

import pytest

from jimu.platform.notifications import (
    CHANNEL_TYPES,
    Attachment,
    Channel,
    DeliveryError,
    Link,
    Message,
    MessageInvalid,
    check_message,
    deliver,
)
from jimu.platform.notifications.network import NetworkPolicy

from .fakes import (
    DING_SECRET,
    FEISHU_SECRET,
    LOOPBACK,
    WEBHOOK_SECRET,
    WECOM_KEY,
    FakeReceivers,
    FakeSmtp,
    now,
)


def channel(kind: str, config: dict[str, Any], key: str = "robot") -> Channel:
    return Channel(key, CHANNEL_TYPES[kind], config)


def robots(url: str) -> dict[str, Channel]:
    return {"dingtalk": channel("dingtalk", {"url": f"{url}/dingtalk/robot/send?access_token=tok", "secret": DING_SECRET}),
            "wecom": channel("wecom", {"url": f"{url}/wecom/cgi-bin/webhook/send?key={WECOM_KEY}"}),
            "feishu": channel("feishu", {"url": f"{url}/feishu/open-apis/bot/v2/hook/abc", "secret": FEISHU_SECRET}),
            "webhook": channel("webhook", {"url": f"{url}/webhook/in", "secret": WEBHOOK_SECRET})}


MESSAGES = [Message("订单 SO-0001 已审批", "客户：**华东贸易**\n金额：¥1,200.00", format="markdown",
                    url="https://jimu.example/r/1"),
            Message("Order SO-0001 approved", "Customer: East Trading", format="text"),
            Message("Order SO-0001 approved", "<p>Customer: <b>East</b></p>", format="html")]


@pytest.mark.parametrize("kind", ["dingtalk", "wecom", "feishu", "webhook"])
@pytest.mark.parametrize("message", MESSAGES, ids=["markdown", "text", "html"])
def test_each_robot_accepts_the_format_and_the_signature(receivers: FakeReceivers, kind: str, message: Message) -> None:
    result = deliver(robots(receivers.url)[kind], message, delivery_id="d-1", now=now(), network=LOOPBACK)
    assert result == {"status": 200}
    [got] = receivers.received
    assert got.verdict == "ok"
    assert message.subject in got.body.decode()


def test_a_wrong_secret_is_reported_by_the_robot_and_not_retried(receivers: FakeReceivers) -> None:
    for kind, config in (("dingtalk", {"url": f"{receivers.url}/dingtalk/send?access_token=t", "secret": "wrong"}),
                         ("feishu", {"url": f"{receivers.url}/feishu/hook/x", "secret": "wrong"}),
                         ("wecom", {"url": f"{receivers.url}/wecom/send?key=wrong"})):
        with pytest.raises(DeliveryError) as caught:
            deliver(channel(kind, config), MESSAGES[1], delivery_id="d", now=now(), network=LOOPBACK)
        assert caught.value.retryable is False
        assert caught.value.code == "notifications.delivery_failed"
    assert [r.verdict for r in receivers.received] == ["sign mismatch", "sign mismatch", "key mismatch"]


def test_a_robot_rate_limit_is_retryable(receivers: FakeReceivers) -> None:
    receivers.fail_next.append((200, {"errcode": 130101, "errmsg": "send too fast"}))
    with pytest.raises(DeliveryError) as caught:
        deliver(robots(receivers.url)["dingtalk"], MESSAGES[0], delivery_id="d", now=now(), network=LOOPBACK)
    assert caught.value.retryable is True
    assert caught.value.params["reason"] == "130101 send too fast"


def test_webhook_body_headers_and_signature(receivers: FakeReceivers) -> None:
    message = Message("Order approved", "SO-1", event="order.approved", link=Link("order", 12), data={"total": "12.50"})
    deliver(robots(receivers.url)["webhook"], message, delivery_id="wf-12-3", now=now(), network=LOOPBACK)
    [got] = receivers.received
    assert got.verdict == "ok"
    assert got.headers["x-jimu-delivery"] == "wf-12-3"
    assert got.headers["x-jimu-event"] == "order.approved"
    body = got.json()
    assert body["id"] == "wf-12-3" and body["link"] == {"entity": "order", "record_id": 12}
    assert body["data"] == {"total": "12.50"} and body["event"] == "order.approved"


def test_a_failing_webhook_receiver_is_retryable_and_the_retry_carries_the_same_delivery_id(
        receivers: FakeReceivers) -> None:
    receivers.fail_next.append((503, {"error": "busy"}))
    hook = robots(receivers.url)["webhook"]
    with pytest.raises(DeliveryError) as caught:
        deliver(hook, MESSAGES[1], delivery_id="same-id", now=now(), network=LOOPBACK)
    assert caught.value.retryable is True and "503" in caught.value.params["reason"]
    deliver(hook, MESSAGES[1], delivery_id="same-id", now=now(), network=LOOPBACK)
    assert [r.headers["x-jimu-delivery"] for r in receivers.received] == ["same-id", "same-id"]


def test_a_4xx_reply_is_not_retried_and_a_429_is(receivers: FakeReceivers) -> None:
    hook = robots(receivers.url)["webhook"]
    receivers.fail_next += [(400, {}), (429, {})]
    for retryable in (False, True):
        with pytest.raises(DeliveryError) as caught:
            deliver(hook, MESSAGES[1], delivery_id="d", now=now(), network=LOOPBACK)
        assert caught.value.retryable is retryable


def test_a_slow_receiver_times_out(receivers: FakeReceivers) -> None:
    receivers.delay = 1.5
    with pytest.raises(DeliveryError) as caught:
        deliver(robots(receivers.url)["webhook"], MESSAGES[1], delivery_id="d", now=now(),
                network=NetworkPolicy(timeout=0.5, allow_private=True))
    assert caught.value.retryable is True


def test_an_unreachable_receiver_is_a_retryable_failure() -> None:
    hook = channel("webhook", {"url": "http://127.0.0.1:9/in", "secret": "s"})
    with pytest.raises(DeliveryError) as caught:
        deliver(hook, MESSAGES[1], delivery_id="d", now=now(), network=LOOPBACK)
    assert caught.value.retryable is True


def test_loopback_is_refused_unless_allowed(receivers: FakeReceivers) -> None:
    with pytest.raises(DeliveryError) as caught:
        deliver(robots(receivers.url)["webhook"], MESSAGES[1], delivery_id="d", now=now(), network=NetworkPolicy())
    assert caught.value.code == "notifications.destination_refused" and caught.value.retryable is False
    assert receivers.received == []


def test_a_disabled_channel_sends_nothing(receivers: FakeReceivers) -> None:
    hook = Channel("hook", CHANNEL_TYPES["webhook"], {"url": f"{receivers.url}/webhook", "secret": "s"}, enabled=False)
    with pytest.raises(DeliveryError) as caught:
        deliver(hook, MESSAGES[1], delivery_id="d", now=now(), network=LOOPBACK)
    assert caught.value.code == "notifications.channel_disabled"
    assert receivers.received == []


def smtp_channel(smtp: FakeSmtp, **extra: Any) -> Channel:
    return channel("email", {"host": smtp.host, "port": smtp.port, "security": "none", "from": "jimu@example.com",
                             "from_name": "积木 Jimu", **extra}, key="mail")


def test_email_is_sent_as_text_with_a_stable_message_id(smtp_server: FakeSmtp) -> None:
    message = Message("订单 SO-0001 已审批", "金额 ¥1,200.00", to=("amy@example.com", "bo@example.com"))
    result = deliver(smtp_channel(smtp_server), message, delivery_id="wf-1-2", now=now(), network=LOOPBACK)
    assert result == {"recipients": 2, "refused": []}
    [(sender, recipients, mail)] = smtp_server.messages
    assert sender == "jimu@example.com" and recipients == ["amy@example.com", "bo@example.com"]
    assert mail.get_content_type() == "text/plain"
    assert str(mail["Message-ID"]) == "<wf-1-2@example.com>"
    assert str(make_header(decode_header(mail["Subject"]))) == "订单 SO-0001 已审批"
    assert "¥1,200.00" in mail.get_payload(decode=True).decode()


def test_html_email_has_a_text_alternative_and_logs_in(smtp_server: FakeSmtp) -> None:
    message = Message("Approved", "<p>Total <b>12</b></p>", format="html", to=("amy@example.com",))
    deliver(smtp_channel(smtp_server, username="jimu", password="s3cret"), message, delivery_id="d", now=now(),
            network=LOOPBACK)
    [(_, _, mail)] = smtp_server.messages
    assert mail.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in mail.get_payload()] == ["text/plain", "text/html"]
    assert [login for login, _ in smtp_server.logins] == ["jimu"]


def test_email_failures(smtp_server: FakeSmtp) -> None:
    refused = Message("x", "y", to=("nobody@refused.example",))
    with pytest.raises(DeliveryError) as caught:
        deliver(smtp_channel(smtp_server), refused, delivery_id="d", now=now(), network=LOOPBACK)
    assert caught.value.retryable is False
    with pytest.raises(DeliveryError) as caught:
        deliver(smtp_channel(smtp_server, username="jimu", password="wrong"), Message(
            "x", "y", to=("a@example.com",)), delivery_id="d", now=now(), network=LOOPBACK)
    assert caught.value.retryable is False  # 535 authentication failed
    with pytest.raises(MessageInvalid) as invalid:
        deliver(smtp_channel(smtp_server), Message("x", "y"), delivery_id="d", now=now(), network=LOOPBACK)
    assert invalid.value.details[0].code == "notifications.no_recipients"
    assert smtp_server.messages == []


def test_a_header_injection_in_the_subject_stays_one_line(smtp_server: FakeSmtp) -> None:
    message = Message("Hi\r\nBcc: evil@example.com", "body", to=("amy@example.com",))
    deliver(smtp_channel(smtp_server), message, delivery_id="d", now=now(), network=LOOPBACK)
    [(_, recipients, mail)] = smtp_server.messages
    assert recipients == ["amy@example.com"] and mail["Bcc"] is None
    assert mail["Subject"] == "Hi Bcc: evil@example.com"


def test_email_carries_attachments_and_other_channels_refuse_them(smtp_server: FakeSmtp) -> None:
    sheet = Attachment("报表.csv", "text/csv", "区域,收入\r\n北区,3.30\r\n".encode())
    message = Message("Report", "Attached.", to=("amy@example.com",), attachments=(sheet,))
    assert Message.from_payload(message.as_payload()) == message  # queued jobs carry them (base64)
    deliver(smtp_channel(smtp_server), message, delivery_id="d", now=now(), network=LOOPBACK)
    [(_, _, mail)] = smtp_server.messages
    assert mail.get_content_type() == "multipart/mixed"
    [part] = [p for p in mail.walk() if p.get_filename()]
    assert part.get_filename() == "报表.csv" and part.get_payload(decode=True) == sheet.content
    with pytest.raises(MessageInvalid) as invalid:
        check_message(channel("webhook", {"url": "https://example.com/h", "secret": "s"}), message)
    assert invalid.value.details[0].code == "notifications.attachments_unsupported"
