"""The inbox API (each caller's own messages only) and the administration of notification channels
(superusers only, secrets never returned, bad settings named, test sends)."""
from __future__ import annotations

from jimu.platform.notifications import Link, Message, inbox, load_channel

from .conftest import World

N = "/api/v1/notifications"
C = "/api/v1/admin/channels"
ROBOT = {"type": "dingtalk", "config": {"url": "https://oapi.dingtalk.com/robot/send?access_token=tok987654321",
                                        "secret": "SECsecret"}}


def give(world: World, user: str, *titles: str) -> list[int]:
    with world.kernel.unit_of_work() as ctx:
        return [inbox.deliver(ctx.conn, Message(title, "body", users=(world.users[user],), link=Link("task", 1)),
                              now=ctx.now())[0] for title in titles]


def test_the_inbox_shows_only_the_callers_own_messages(world: World) -> None:
    give(world, "alice", "one", "two", "three")
    [bobs] = give(world, "bob", "for bob")
    c = world.client
    page = c.get(N, params={"limit": 2}, headers=world.headers("alice")).json()
    assert [n["title"] for n in page["data"]] == ["three", "two"]
    assert page["unread"] == 3 and page["has_more"] is True
    assert page["data"][0]["link"] == {"entity": "task", "record_id": 1}
    rest = c.get(N, params={"cursor": page["next_cursor"]}, headers=world.headers("alice")).json()
    assert [n["title"] for n in rest["data"]] == ["one"] and rest["next_cursor"] is None
    assert c.get(N, headers=world.headers("admin")).json()["data"] == []  # not even administrators see others'
    stolen = c.post(f"{N}/{bobs}/read", headers=world.headers("alice"))
    assert stolen.status_code == 404 and stolen.json()["code"] == "notifications.not_found"
    assert c.get(N, headers=world.headers("bob")).json()["unread"] == 1
    assert c.get(N).status_code == 401


def test_marking_one_and_all_read(world: World) -> None:
    first, _ = give(world, "alice", "one", "two")
    c, me = world.client, world.headers("alice")
    read = c.post(f"{N}/{first}/read", headers=me)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unread = c.get(N, params={"unread": "true"}, headers=me).json()
    assert [n["title"] for n in unread["data"]] == ["two"] and unread["unread"] == 1
    assert c.post(f"{N}/read-all", headers=me).json() == {"marked": 1}
    assert c.get(N, headers=me).json()["unread"] == 0
    assert c.get(N, params={"cursor": "x"}, headers=me).status_code == 422
    assert c.get(N, params={"limit": 1000}, headers=me).status_code == 422
    assert c.post(f"{N}/0/read", headers=me).status_code == 422


def test_channels_are_administered_by_superusers_with_secrets_masked(world: World, admin: dict[str, str]) -> None:
    c = world.client
    for user in ("alice", "dora"):
        assert c.get(C, headers=world.headers(user)).status_code == 403
        assert c.put(f"{C}/robot", json=ROBOT, headers=world.headers(user)).status_code == 403
    saved = c.put(f"{C}/sales_robot", json=ROBOT, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["config"]["secret"] == "********"
    listed = c.get(C, headers=admin)
    assert "SECsecret" not in listed.text and "tok987654321" not in listed.text
    assert [ch["key"] for ch in listed.json()["data"]] == ["inapp", "sales_robot"]
    shown = c.get(f"{C}/sales_robot", headers=admin).json()
    again = c.put(f"{C}/sales_robot", json={"type": "dingtalk", "config": {**shown["config"],
                                                                           "url": ROBOT["config"]["url"]}},
                  headers=admin)
    assert again.status_code == 200  # the masked secret given back keeps the stored one
    with world.kernel.unit_of_work() as ctx:
        assert load_channel(ctx.conn, "sales_robot").config["secret"] == "SECsecret"
    assert c.delete(f"{C}/sales_robot", headers=admin).status_code == 204
    assert c.get(f"{C}/sales_robot", headers=admin).status_code == 404
    types = c.get("/api/v1/admin/channel-types", headers=admin).json()["data"]
    assert sorted(types) == ["dingtalk", "email", "feishu", "webhook", "wecom"]
    assert types["email"]["secrets"] == ["password"]


def test_bad_channels_are_422_naming_the_setting(world: World, admin: dict[str, str]) -> None:
    c = world.client
    bad_port = c.put(f"{C}/mail", json={"type": "email", "config": {"host": "smtp.example.com", "from": "a@b.cn",
                                                                   "port": 0}}, headers=admin)
    assert bad_port.status_code == 422
    assert bad_port.json()["code"] == "notifications.channel_invalid"
    assert [e["path"] for e in bad_port.json()["errors"]] == ["/config/port"]
    bad_type = c.put(f"{C}/mail", json={"type": "fax", "config": {}}, headers=admin)
    assert bad_type.status_code == 422 and "dingtalk" in bad_type.text
    assert c.put(f"{C}/Bad-Key", json=ROBOT, headers=admin).status_code == 422
    assert c.put(f"{C}/mail", json={"type": "email", "config": {}, "extra": 1}, headers=admin).status_code == 422


def test_test_send_to_the_inbox_and_a_refused_loopback_webhook(world: World, admin: dict[str, str]) -> None:
    c = world.client
    sent = c.post(f"{C}/inapp/test", headers=admin)
    assert sent.status_code == 200, sent.text
    assert [n["title"] for n in c.get(N, headers=admin).json()["data"]] == ["Jimu test message"]
    c.put(f"{C}/hook", json={"type": "webhook", "config": {"url": "http://127.0.0.1:9/in", "secret": "k"}},
          headers=admin)
    refused = c.post(f"{C}/hook/test", headers=admin, json={"subject": "hello"})
    assert refused.status_code == 422 and refused.json()["code"] == "notifications.destination_refused"
    assert c.post(f"{C}/nothing/test", headers=admin).status_code == 404
    c.put(f"{C}/mail", json={"type": "email", "config": {"host": "127.0.0.1", "port": 9, "from": "a@b.cn",
                                                          "security": "none"}}, headers=admin)
    no_address = c.post(f"{C}/mail/test", headers=admin)  # admin has no e-mail address
    assert no_address.status_code == 422 and no_address.json()["code"] == "notifications.message_invalid"
    unreachable = c.post(f"{C}/mail/test", headers=admin, json={"to": ["ops@example.com"]})
    assert unreachable.status_code == 502 and unreachable.json()["code"] == "notifications.delivery_failed"
