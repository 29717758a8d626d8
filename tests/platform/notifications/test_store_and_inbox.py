"""Channel configurations (validated, secrets kept and masked, audited) and the per-user inbox, on a real database."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.platform.notifications import (
    INAPP,
    ChannelConfigInvalid,
    ChannelNotFound,
    Link,
    Message,
    MessageInvalid,
    NotificationNotFound,
    deliver,
    inbox,
    list_channels,
    load_channel,
    remove_channel,
    set_channel,
    with_user_addresses,
)
from jimu.platform.notifications.network import NetworkPolicy
from jimu.platform.notifications.tables import channels
from jimu.platform.registry.catalog import Catalog
from jimu.platform.security import create_user
from jimu.platform.security.admin import CLI_ACTOR, AdminScope
from jimu.platform.security.tables import security_audit

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
ROBOT = {"url": "https://oapi.dingtalk.com/robot/send?access_token=tok123456", "secret": "SECabc"}


def scope(conn: sa.Connection) -> AdminScope:
    return AdminScope(conn, Catalog([]), CLI_ACTOR, NOW)


def test_a_channel_is_validated_stored_masked_and_audited(db: Engine) -> None:
    with db.begin() as conn:
        set_channel(scope(conn), "sales_robot", "dingtalk", ROBOT)
    with db.begin() as conn:
        channel = load_channel(conn, "sales_robot")
        assert channel.config == ROBOT and channel.enabled
        shown = {c["key"]: c for c in list_channels(conn)}
        assert shown[INAPP]["builtin"] is True
        assert shown["sales_robot"]["config"]["secret"] == "********"
        assert "tok123456" not in str(shown)
        audit = conn.execute(sa.select(security_audit.c.action, security_audit.c.changes)).all()
        assert [a.action for a in audit] == ["channel.set"] and "SECabc" not in str(audit)


def test_an_update_without_the_secret_or_with_it_masked_keeps_it(db: Engine) -> None:
    with db.begin() as conn:
        set_channel(scope(conn), "robot", "dingtalk", ROBOT)
        set_channel(scope(conn), "robot", "dingtalk", {"url": ROBOT["url"]}, enabled=False)
        assert load_channel(conn, "robot").config["secret"] == "SECabc"
        set_channel(scope(conn), "robot", "dingtalk", {"url": ROBOT["url"], "secret": "********"})
        assert load_channel(conn, "robot").config["secret"] == "SECabc"
        set_channel(scope(conn), "robot", "dingtalk", {"url": ROBOT["url"], "secret": "SECnew"})
        assert load_channel(conn, "robot").config["secret"] == "SECnew"


@pytest.mark.parametrize("key, kind, config, paths", [
    ("Bad Key", "dingtalk", ROBOT, ["/key"]),
    ("inapp", "dingtalk", ROBOT, ["/key"]),
    ("ok", "fax", {}, ["/type"]),
    ("ok", "inapp", {}, ["/type"]),
    ("ok", "email", [], ["/config"]),
    ("ok", "email", {"host": "smtp.example.com", "from": "x@example.com", "port": "25"}, ["/config/port"]),
])
def test_bad_channels_are_refused_naming_the_part(db: Engine, key: str, kind: str, config: object,
                                                 paths: list[str]) -> None:
    with db.begin() as conn, pytest.raises(ChannelConfigInvalid) as caught:
        set_channel(scope(conn), key, kind, config)
    assert [d.path for d in caught.value.details] == paths
    with db.begin() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(channels)) == 0


def test_removing_and_missing_channels(db: Engine) -> None:
    with db.begin() as conn:
        set_channel(scope(conn), "robot", "wecom", {"url": "https://q.example/send?key=k"})
        remove_channel(scope(conn), "robot")
        with pytest.raises(ChannelNotFound):
            load_channel(conn, "robot")
        with pytest.raises(ChannelNotFound):
            remove_channel(scope(conn), "robot")
        assert load_channel(conn, INAPP).kind.name == "inapp"


def users_of(conn: sa.Connection) -> tuple[int, int]:
    return (create_user(conn, "amy", email="amy@example.com", now=NOW), create_user(conn, "bo", now=NOW))


def test_inbox_messages_are_per_user_paged_and_marked_read(db: Engine) -> None:
    with db.begin() as conn:
        amy, bo = users_of(conn)
        for number in range(5):
            inbox.deliver(conn, Message(f"SO-{number} approved", "ok", users=(amy,), link=Link("order", number + 1)),
                          now=NOW + timedelta(minutes=number))
        [bo_note] = inbox.deliver(conn, Message("Only for Bo", "x", users=(bo,)), now=NOW)
    with db.begin() as conn:
        first = inbox.list_notifications(conn, user_id=amy, limit=2)
        assert [n["title"] for n in first.data] == ["SO-4 approved", "SO-3 approved"]
        assert first.unread == 5 and first.next_cursor is not None
        rest = inbox.list_notifications(conn, user_id=amy, cursor=first.next_cursor, limit=10)
        assert [n["link"]["record_id"] for n in rest.data] == [3, 2, 1] and rest.next_cursor is None
        read = inbox.mark_read(conn, user_id=amy, notification_id=first.data[0]["id"], now=NOW)
        assert read["read_at"] == NOW.isoformat()
        with pytest.raises(NotificationNotFound):
            inbox.mark_read(conn, user_id=amy, notification_id=bo_note, now=NOW)
        unread = inbox.list_notifications(conn, user_id=amy, unread_only=True)
        assert len(unread.data) == 4 and unread.unread == 4
        assert inbox.mark_all_read(conn, user_id=amy, now=NOW) == 4
        assert inbox.list_notifications(conn, user_id=amy).unread == 0
        assert inbox.list_notifications(conn, user_id=bo).unread == 1


def test_inbox_refuses_unknown_users_and_bad_cursors(db: Engine) -> None:
    with db.begin() as conn:
        amy, _ = users_of(conn)
        with pytest.raises(MessageInvalid) as caught:
            inbox.deliver(conn, Message("x", "y", users=(amy, 999)), now=NOW)
        assert caught.value.details[0].params == {"users": [999]}
        for bad in ("abc", "-1", "9" * 30):
            with pytest.raises(Exception) as refused:
                inbox.list_notifications(conn, user_id=amy, cursor=bad)
            assert getattr(refused.value, "code", "") == "notifications.cursor_invalid"


def test_the_inapp_channel_writes_in_the_callers_transaction(db: Engine) -> None:
    with db.begin() as conn:
        amy, bo = users_of(conn)
    with pytest.raises(RuntimeError), db.begin() as conn:
        result = deliver(load_channel(conn, INAPP), Message("Hi", "there", users=(amy, bo)), delivery_id="d",
                         now=NOW, network=NetworkPolicy(), conn=conn)
        assert len(result["notifications"]) == 2
        raise RuntimeError("the caller's transaction fails")
    with db.begin() as conn:
        assert inbox.list_notifications(conn, user_id=amy).data == []


def test_users_get_their_email_addresses(db: Engine) -> None:
    with db.begin() as conn:
        amy, bo = users_of(conn)
        message = with_user_addresses(conn, Message("s", "b", to=("boss@example.com",), users=(amy, bo)))
        assert message.to == ("boss@example.com", "amy@example.com")
