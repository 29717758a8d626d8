"""Boards, calendars, inboxes and dashboards in the browser: a card dragged to another state runs the
transition (dry run first), a refused move snaps back with the guard's message, a move needing approval
starts it; the calendar shows a record on its day; the approver approves from the inbox (at 375 px, in
Chinese); notifications are marked read; a dashboard's chart element and KPI drill down to their records."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform import meta
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_user
from tests.browser.conftest import login
from tests.web.api.conftest import FIXTURES, password_hash

expect = pytest.importorskip("playwright.sync_api").expect


def deals_app() -> dict[str, Any]:
    return {
        "key": "deals", "version": "1.0.0", "label": {"en": "Deals", "zh-CN": "商机"},
        "entities": [{
            "key": "deal", "title_field": "title", "label": {"en": "Deal", "zh-CN": "商机"},
            "fields": [
                {"name": "title", "type": "text", "required": True, "label": {"en": "Title", "zh-CN": "标题"}},
                {"name": "amount", "type": "money", "label": {"en": "Amount", "zh-CN": "金额"}},
                {"name": "priority", "type": "select", "label": {"en": "Priority", "zh-CN": "优先级"},
                 "options": [{"value": "low", "label": {"en": "Low", "zh-CN": "低"}},
                             {"value": "high", "label": {"en": "High", "zh-CN": "高"}}]},
                {"name": "stage", "type": "select", "default": "lead",
                 "options": [{"value": "lead"}, {"value": "qualified"}, {"value": "won"}, {"value": "lost"}]},
                {"name": "due", "type": "date", "label": {"en": "Due", "zh-CN": "截止日期"}},
                {"name": "reviewer", "type": "user"},
            ],
            "layout": {"list_columns": ["title", "amount", "priority", "stage"],
                       "board": {"field": "stage", "card_fields": ["amount", "priority"]},
                       "calendar": {"field": "due"}},
        }],
        "processes": [{
            "key": "deal_flow", "entity": "deal", "state_field": "stage",
            "states": [{"key": "lead", "label": {"en": "Lead", "zh-CN": "线索"}},
                       {"key": "qualified", "label": {"en": "Qualified", "zh-CN": "已确认"}},
                       {"key": "won", "phase": "submitted", "label": {"en": "Won", "zh-CN": "赢单"}},
                       {"key": "lost", "label": {"en": "Lost", "zh-CN": "输单"}}],
            "transitions": [
                {"key": "qualify", "from": ["lead"], "to": "qualified", "label": {"en": "Qualify", "zh-CN": "确认"},
                 "guards": [{"condition": "amount > 0",
                             "message": {"en": "A deal needs an amount.", "zh-CN": "商机必须有金额。"}}]},
                {"key": "win", "from": ["qualified"], "to": "won", "label": {"en": "Win", "zh-CN": "赢单"},
                 "approval": {"levels": [{"key": "review", "label": {"en": "Review", "zh-CN": "复核"},
                                          "approvers": [{"field": "reviewer"}]}]}},
                {"key": "lose", "from": ["lead", "qualified"], "to": "lost", "label": {"en": "Lose", "zh-CN": "输单"}},
            ],
        }],
    }


def seed_deals(kernel: Kernel) -> dict[str, int]:
    """Alpha (100) and Zero (no amount) are leads, Beta is qualified; admin reviews Gamma, which a clerk
    submitted for approval; each a deal due today."""
    from jimu.engines.forms.records import create
    from jimu.engines.workflow.transitions import run

    kernel.apply_app(deals_app())
    ids: dict[str, int] = {}
    with kernel.unit_of_work() as ctx:
        clerk = create_user(ctx.conn, "clerk", is_superuser=True)
        ctx.conn.execute(sa.update(meta.users).values(password_hash=password_hash()))
        admin = int(ctx.conn.scalar(sa.select(meta.users.c.id).where(meta.users.c.username == "admin")))
        today = date.today().isoformat()
        for title, amount in (("Alpha", "100.00"), ("Zero", None), ("Beta", "50.00"), ("Gamma", "70.00")):
            reviewer = admin if title == "Gamma" else clerk
            ids[title] = int(create(ctx, "deal", {"title": title, "amount": amount, "due": today, "priority": "low",
                                                   "reviewer": reviewer})["id"])
        ids["admin"], ids["clerk"] = admin, clerk
    with kernel.unit_of_work(user_id=clerk) as ctx:
        for title in ("Beta", "Gamma"):
            run(ctx, "deal", ids[title], "qualify")
        run(ctx, "deal", ids["Gamma"], "win")
    return ids


def cards(page: Any, column: str) -> Any:
    return page.get_by_test_id(f"column-{column}").locator(".jm-card")


def drag(page: Any, card: Any, column: str) -> None:
    """Press on the card, move in steps onto the column's cards, rest there, release (as a hand would)."""
    expect(page.locator(".el-overlay:visible")).to_have_count(0)  # a closing dialog covers the page as it fades
    start = card.bounding_box()
    end = page.get_by_test_id(f"column-{column}").locator(".jm-cards").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 20, steps=12)
    page.wait_for_timeout(120)  # SortableJS's pointer mode looks for the list under the pointer every 50 ms
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 24, steps=2)
    page.wait_for_timeout(120)
    page.mouse.up()


def test_dragging_cards_runs_transitions_and_refusals_snap_back(page: Any, server_kernel: Kernel) -> None:
    ids = seed_deals(server_kernel)
    login(page)
    page.goto("/apps/deals/deal")
    page.get_by_test_id("view-board").click()
    page.get_by_test_id("board").wait_for()
    heads = page.locator(".jm-column-head")
    expect(heads).to_have_count(4)
    assert [h.split("\n")[0].strip() for h in heads.all_inner_texts()][:4] == ["Lead", "Qualified", "Won", "Lost"]
    expect(cards(page, "lead")).to_have_count(2)
    expect(page.get_by_test_id(f"card-{ids['Alpha']}")).to_contain_text("100.00")

    # a refused move (the guard) snaps back with the guard's message, and nothing ran
    drag(page, page.get_by_test_id(f"card-{ids['Zero']}"), "qualified")
    expect(page.get_by_test_id("board-refusal")).to_contain_text("A deal needs an amount.")
    expect(page.get_by_test_id("column-lead").get_by_test_id(f"card-{ids['Zero']}")).to_be_visible()
    expect(cards(page, "qualified")).to_have_count(2)

    # an allowed one: the dry run's preview, then the transition runs and the card moves
    drag(page, page.get_by_test_id(f"card-{ids['Alpha']}"), "qualified")
    page.get_by_test_id("board-effects").wait_for()
    page.get_by_test_id("board-run").click()
    expect(page.get_by_test_id("column-qualified").get_by_test_id(f"card-{ids['Alpha']}")).to_be_visible()
    expect(cards(page, "lead")).to_have_count(1)
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        assert get(ctx, "deal", ids["Alpha"])["stage"] == "qualified"

    # cancelling the preview leaves the card where it was
    drag(page, page.get_by_test_id(f"card-{ids['Beta']}"), "lost")
    page.get_by_test_id("board-cancel").click()
    expect(page.get_by_test_id("column-qualified").get_by_test_id(f"card-{ids['Beta']}")).to_be_visible()

    # a transition with an approval starts it: the card waits where it is
    drag(page, page.get_by_test_id(f"card-{ids['Beta']}"), "won")
    page.get_by_test_id("board-approval-note").wait_for()
    page.get_by_test_id("board-run").click()
    expect(page.get_by_test_id("board-notice")).to_contain_text("Beta")
    expect(page.get_by_test_id(f"card-{ids['Beta']}").get_by_test_id("card-awaiting")).to_be_visible()

    # no transition leads back from qualified to lead
    drag(page, page.get_by_test_id(f"card-{ids['Alpha']}"), "lead")
    expect(page.get_by_test_id("board-refusal")).to_contain_text("No transition leads from Qualified to Lead")

    # grouped by a select field instead: the drop updates the field
    page.get_by_test_id("board-field").click()
    page.get_by_role("option", name="Priority").click()
    expect(cards(page, "low")).to_have_count(4)
    drag(page, page.get_by_test_id(f"card-{ids['Zero']}"), "high")
    expect(page.get_by_test_id("column-high").get_by_test_id(f"card-{ids['Zero']}")).to_be_visible()
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        assert get(ctx, "deal", ids["Zero"])["priority"] == "high"


def test_the_calendar_shows_a_record_on_its_day_and_opens_it(page: Any, server_kernel: Kernel) -> None:
    ids = seed_deals(server_kernel)
    login(page)
    page.goto("/apps/deals/deal/calendar")
    event = page.get_by_test_id(f"event-{ids['Alpha']}")
    expect(event).to_have_text("Alpha")
    cell = page.locator(".el-calendar-table td", has=event)
    expect(cell.locator(".jm-day-number")).to_have_text(str(date.today().day))
    event.click()
    page.wait_for_url(f"**/apps/deals/deal/{ids['Alpha']}")


def test_the_approver_approves_from_the_inbox_on_a_phone_in_chinese(page: Any, server_kernel: Kernel) -> None:
    from jimu.platform.notifications.inbox import deliver
    from jimu.platform.notifications.message import Link, Message

    ids = seed_deals(server_kernel)
    with server_kernel.unit_of_work() as ctx:
        deliver(ctx.conn, Message(subject="Ops says hello", body="<b>not html</b>", users=(ids["admin"],),
                                  link=Link("deal", ids["Gamma"])), now=datetime.now(UTC))
    page.set_viewport_size({"width": 375, "height": 780})
    page.goto("/login")
    page.evaluate("window.localStorage.setItem('jimu.locale', 'zh-CN')")
    login(page)
    # the approval's own notice and ours
    expect(page.get_by_test_id("unread-badge").locator("sup")).to_have_text("2")
    page.get_by_test_id("nav-approvals").click()
    task = page.locator(".jm-task").filter(has_text="Gamma")
    expect(task).to_contain_text("赢单")
    expect(task).to_contain_text("复核")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # a rejection needs a comment, shown beside its field
    task.get_by_role("button", name="驳回").click()
    page.get_by_test_id("decision-confirm").click()
    expect(page.get_by_test_id("decision").locator(".el-form-item__error")).to_be_visible()
    page.get_by_role("button", name="取消").click()

    task.get_by_role("button", name="同意").click()
    page.get_by_test_id("decision-effects").wait_for()
    page.get_by_test_id("decision-comment").fill("好的")
    page.get_by_test_id("decision-confirm").click()
    expect(page.get_by_test_id("approvals-empty")).to_be_visible()
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        assert get(ctx, "deal", ids["Gamma"])["stage"] == "won"

    # the notification: its body as text, marked read, the badge gone
    page.get_by_test_id("nav-notifications").click()
    note = page.locator(".jm-task").filter(has_text="Ops says hello")
    expect(note).to_contain_text("<b>not html</b>")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    note.get_by_role("button", name="标为已读").click()
    expect(page.get_by_test_id("unread-badge").locator("sup")).to_have_text("1")
    page.get_by_test_id("read-all").click()
    expect(page.get_by_test_id("unread-badge").locator("sup")).to_be_hidden()
    page.get_by_test_id("unread-only").click()
    expect(page.get_by_test_id("notifications-empty")).to_be_visible()


def shop_with_every_chart() -> dict[str, Any]:
    shop = json.loads((FIXTURES / "shop_reports.json").read_text(encoding="utf-8"))
    extra = [
        {"key": "trend", "report": "by_month", "chart": {"type": "line", "x": "month", "y": ["orders", "revenue"]}},
        {"key": "stacked", "report": "by_month", "chart": {"type": "area", "x": "month", "y": ["revenue"], "stacked": True}},
        {"key": "ring", "report": "by_region", "chart": {"type": "donut", "x": "region", "y": ["orders"]}},
        {"key": "steps", "report": "by_region", "chart": {"type": "funnel", "x": "region", "y": ["orders"]}},
        {"key": "spread", "report": "by_region", "chart": {"type": "scatter", "y": ["orders", "revenue"]}},
        {"key": "dial", "report": "summary", "chart": {"type": "gauge", "y": ["orders"], "max": 10}},
    ]
    shop["dashboards"][0]["widgets"] += [{**w, "x": (n % 3) * 4, "y": 12 + (n // 3) * 4, "w": 4, "h": 4}
                                         for n, w in enumerate(extra)]
    return shop


def test_a_dashboard_renders_every_chart_and_drills_down(page: Any, server_kernel: Kernel) -> None:
    from jimu.engines.forms.records import create

    server_kernel.apply_app(shop_with_every_chart())
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    with server_kernel.unit_of_work() as ctx:
        north = create(ctx, "customer", {"name": "Northwind", "region": "north"})["id"]
        for amount, status in (("10.00", "won"), ("20.00", "open"), ("30.00", "won")):
            create(ctx, "order", {"customer": north, "amount": amount, "status": status, "ordered_at": now})
    login(page)
    page.goto("/apps/shop/order")
    page.get_by_test_id("nav-dashboard-home").click()
    page.get_by_test_id("dashboard").wait_for()
    for key in ("monthly", "regions", "trend", "stacked", "ring", "steps", "spread", "dial", "best"):
        expect(page.get_by_test_id(f"widget-{key}").locator("canvas")).to_have_count(1)
    expect(page.get_by_test_id("widget-kpi").get_by_test_id("kpi")).to_have_text("60.00")
    expect(page.get_by_test_id("widget-quarters").get_by_test_id("widget-table")).to_be_visible()

    # the one slice of the pie (every order is in the north) lists its three orders
    box = page.get_by_test_id("widget-regions").locator("canvas").bounding_box()
    count = page.get_by_test_id("drill-count")
    for _ in range(10):  # the pie grows in with an animation: click until it is drawn under the pointer
        page.mouse.click(box["x"] + box["width"] / 2 + 5, box["y"] + box["height"] / 2 + 5)
        try:
            count.wait_for(timeout=1500)
            break
        except Exception:  # noqa: BLE001 (not drawn yet: the click hit nothing)
            continue
    expect(count).to_have_text("3 records")
    expect(page.get_by_test_id("drill-list").locator("tbody tr")).to_have_count(3)
    page.keyboard.press("Escape")

    # a table row: the won orders of this quarter
    page.get_by_test_id("widget-quarters").locator("tbody tr").filter(has_text="won").first.click()
    expect(page.get_by_test_id("drill-count")).to_have_text("2 records")
    page.get_by_test_id("drill-list").locator("tbody tr").first.click()
    page.wait_for_url("**/apps/shop/order/*")
