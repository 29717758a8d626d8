"""Forms in the browser: an order's formulas follow the typing (the server's preview), a rule's refusal
shows beside its field, visible_if and required_if apply live, lines are pasted from a spreadsheet,
reordered and walked with the keyboard, a user is picked by name, an attachment is uploaded and
previewed, the record prints, a customer's page lists its orders, a comment @mentions a colleague, and
the form works 375 px wide."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform import meta
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_role, create_user, set_permission, set_user_roles
from tests.browser.conftest import login

expect = pytest.importorskip("playwright.sync_api").expect

# a 1x1 PNG
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def shop_app() -> dict[str, Any]:
    return {
        "key": "shop", "version": "1.0.0", "label": {"en": "Shop", "zh-CN": "商店"},
        "entities": [
            {"key": "customer", "title_field": "name", "label": {"en": "Customer", "zh-CN": "客户"}, "fields": [
                {"name": "name", "type": "text", "required": True, "label": {"en": "Name", "zh-CN": "名称"}},
                {"name": "credit_limit", "type": "money", "currency": "CNY"},
                {"name": "active", "type": "boolean", "default": True}]},
            {"key": "product", "title_field": "name", "fields": [
                {"name": "name", "type": "text", "required": True, "label": {"en": "Product", "zh-CN": "产品"}}]},
            {"key": "order", "title_field": "number", "label": {"en": "Order", "zh-CN": "订单"}, "fields": [
                {"name": "number", "type": "auto_number", "series": "SO-{####}", "label": {"en": "Number", "zh-CN": "编号"}},
                {"name": "customer", "type": "link", "entity": "customer", "required": True, "filter": "active = true",
                 "label": {"en": "Customer", "zh-CN": "客户"}},
                {"name": "status", "type": "select", "default": "draft", "label": {"en": "Status", "zh-CN": "状态"},
                 "options": [{"value": "draft", "label": {"en": "Draft", "zh-CN": "草稿"}, "color": "#909399"},
                             {"value": "confirmed", "label": {"en": "Confirmed", "zh-CN": "已确认"}, "color": "green"},
                             {"value": "cancelled", "label": {"en": "Cancelled", "zh-CN": "已取消"}, "color": "#f56c6c"}]},
                {"name": "owner", "type": "user", "label": {"en": "Owner", "zh-CN": "负责人"}},
                {"name": "lines", "type": "child_table", "entity": "order_line", "label": {"en": "Lines", "zh-CN": "明细"}},
                {"name": "subtotal", "type": "rollup", "relation": "lines", "field": "amount", "function": "sum",
                 "label": {"en": "Subtotal", "zh-CN": "小计"}},
                {"name": "discount", "type": "percent"},
                {"name": "total", "type": "formula", "result_type": "money",
                 "expression": "ROUND(subtotal * (100 - COALESCE(discount, 0)) / 100, 2)",
                 "label": {"en": "Total", "zh-CN": "合计"}},
                {"name": "delivery_note", "type": "text", "visible_if": "status = 'confirmed'",
                 "label": {"en": "Delivery note", "zh-CN": "送货说明"}},
                {"name": "cancel_reason", "type": "text", "required_if": "status = 'cancelled'"},
                {"name": "scan", "type": "attachment", "label": {"en": "Scan", "zh-CN": "扫描件"}},
            ], "rules": [{"key": "cap", "expression": "total <= 5000", "fields": ["total"],
                          "message": {"en": "An order is at most 5000.", "zh-CN": "订单金额不能超过 5000。"}}],
             "layout": {"sections": [
                 {"key": "head", "columns": 2, "fields": ["number", "customer", "status", "owner", "discount",
                                                          "delivery_note", "cancel_reason", "scan"]},
                 {"key": "lines", "fields": ["lines"]},
                 {"key": "sums", "columns": 2, "fields": ["subtotal", "total"]}],
                 "list_columns": ["number", "customer", "status", "total"]}},
            {"key": "order_line", "child": True, "fields": [
                {"name": "product", "type": "link", "entity": "product", "label": {"en": "Product", "zh-CN": "产品"}},
                {"name": "qty", "type": "decimal", "scale": 2, "label": {"en": "Qty", "zh-CN": "数量"}},
                {"name": "price", "type": "money", "label": {"en": "Price", "zh-CN": "单价"}},
                {"name": "amount", "type": "formula", "result_type": "money", "expression": "ROUND(qty * price, 2)",
                 "label": {"en": "Amount", "zh-CN": "金额"}}]},
        ],
    }


def seed(kernel: Kernel) -> dict[str, int]:
    kernel.apply_app(shop_app())
    with kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import create

        acme = create(ctx, "customer", {"name": "ACME", "credit_limit": "9000"})
        create(ctx, "customer", {"name": "Gone Ltd", "active": False})
        for name in ("Bike", "Helmet", "Bell"):
            create(ctx, "product", {"name": name})
        user = create_user(ctx.conn, "lily", display_name="Lily Wang")
        create_role(ctx.conn, "clerk")
        set_permission(ctx.conn, "clerk", "order", ["read"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, user, ["clerk"])
        ctx.conn.execute(sa.update(meta.users).where(meta.users.c.id == user).values(
            password_hash=sa.select(meta.users.c.password_hash).where(meta.users.c.username == "admin")
            .scalar_subquery()))
    return {"acme": int(acme["id"]), "lily": int(user)}


def field(page: Any, name: str) -> Any:
    return page.get_by_test_id(f"field-{name}")


def cell(page: Any, row: int, name: str) -> Any:
    return page.get_by_test_id(f"cell-{row}-{name}")


def pick(page: Any, name: str, text: str, option: str | None = None) -> None:
    field(page, name).locator("input").first.click()
    field(page, name).locator("input").first.fill(text)
    page.get_by_role("option", name=option or text).first.click()


def test_an_order_computes_as_the_clerk_types(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/apps/shop/order/new")
    expect(page.get_by_test_id("value-number")).to_have_text("Assigned on save")
    expect(field(page, "delivery_note")).to_have_count(0)  # visible_if status = 'confirmed'
    pick(page, "customer", "AC", "ACME")
    field(page, "customer").locator("input").first.click()
    field(page, "customer").locator("input").first.fill("Gone")  # the link's filter: inactive customers are not offered
    expect(page.get_by_role("option", name="Gone Ltd")).to_have_count(0)
    page.keyboard.press("Escape")
    page.get_by_test_id("line-add").click()
    cell(page, 0, "product").locator("input").first.click()
    cell(page, 0, "product").locator("input").first.fill("Bik")
    page.get_by_role("option", name="Bike").click()
    cell(page, 0, "qty").locator("input").fill("2")
    cell(page, 0, "price").locator("input").fill("100")
    expect(cell(page, 0, "amount")).to_have_text("200.00")  # computed by the server while typing, nothing saved
    expect(page.get_by_test_id("value-subtotal")).to_have_text("200.00")
    field(page, "discount").locator("input").fill("10")
    expect(page.get_by_test_id("value-total")).to_have_text("180.00")
    cell(page, 0, "qty").locator("input").fill("3")
    expect(page.get_by_test_id("value-total")).to_have_text("270.00")
    with server_kernel.unit_of_work() as ctx:
        assert ctx.conn.execute(sa.text("SELECT count(*) FROM t_order")).scalar() == 0

    # a rule refuses: the message shows beside the computed field it names, before and on save
    cell(page, 0, "price").locator("input").fill("3000")
    expect(page.get_by_test_id("error-total")).to_have_text("An order is at most 5000.")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-total")).to_have_text("An order is at most 5000.")
    cell(page, 0, "price").locator("input").fill("100")
    expect(page.get_by_test_id("error-total")).to_have_count(0)

    # visible_if and required_if follow the status as it is chosen
    pick(page, "status", "Conf", "Confirmed")
    expect(field(page, "delivery_note")).to_be_visible()
    pick(page, "status", "Canc", "Cancelled")
    expect(field(page, "delivery_note")).to_have_count(0)
    expect(field(page, "cancel_reason").locator(".el-form-item__label")).to_have_text("Cancel reason")  # humanised
    expect(field(page, "cancel_reason")).to_have_class(re.compile("is-required"))
    pick(page, "status", "Dra", "Draft")
    expect(field(page, "cancel_reason")).not_to_have_class(re.compile("is-required"))

    pick(page, "owner", "wang", "Lily Wang")  # the user picker searches names
    page.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/apps/shop/order/\d+$"))
    expect(page.get_by_test_id("value-number")).to_have_text("SO-0001")
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        saved = get(ctx, "order", int(page.url.rsplit("/", 1)[1]))
    assert str(saved["total"]) == "270.00" and saved["owner"] is not None


def test_lines_are_pasted_reordered_and_walked_with_the_keyboard(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/apps/shop/order/new")
    pick(page, "customer", "AC", "ACME")
    page.get_by_test_id("line-add").click()
    rows = "Bike\t2\t100\nHelmet\t1\t25.50\nBell\t3\t3.20\n"
    cell(page, 0, "product").locator("input").first.focus()
    page.evaluate("""([selector, text]) => {
        const target = document.querySelector(selector)
        const data = new DataTransfer()
        data.setData('text/plain', text)
        target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    }""", ['[data-test="cell-0-product"] input', rows])
    expect(page.get_by_test_id("lines-lines").locator("tbody tr")).to_have_count(3)
    expect(cell(page, 1, "amount")).to_have_text("25.50")
    expect(page.get_by_test_id("value-subtotal")).to_have_text("235.10")
    expect(cell(page, 2, "product")).to_contain_text("Bell")

    # the keyboard: ArrowUp / ArrowDown keep the column, Enter on the last line adds one
    cell(page, 0, "qty").locator("input").focus()
    page.keyboard.press("ArrowDown")
    expect(cell(page, 1, "qty").locator("input")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("lines-lines").locator("tbody tr")).to_have_count(4)
    expect(cell(page, 3, "qty").locator("input")).to_be_focused()
    page.get_by_test_id("line-remove-3").click()

    # drag the last line to the top by its handle
    handle = page.get_by_test_id("line-2").get_by_test_id("line-handle")
    target = page.get_by_test_id("line-0").get_by_test_id("line-handle")
    box, goal = handle.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + (goal["y"] - box["y"]) * step / 10 + 2)
    page.mouse.up()
    expect(cell(page, 0, "product")).to_contain_text("Bell")
    expect(cell(page, 0, "amount")).to_have_text("9.60")
    page.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/apps/shop/order/\d+$"))
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        saved = get(ctx, "order", int(page.url.rsplit("/", 1)[1]))
    assert [str(line["amount"]) for line in saved["lines"]] == ["9.60", "200.00", "25.50"]


def test_an_attachment_uploads_previews_and_prints(page: Any, server_kernel: Kernel, tmp_path: Path) -> None:
    ids = seed(server_kernel)
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import create

        order = create(ctx, "order", {"customer": ids["acme"], "lines": [{"qty": "2", "price": "9.90"}]})
    login(page)
    page.goto(f"/apps/shop/order/{order['id']}")
    image = tmp_path / "receipt <b>1.png"
    image.write_bytes(PNG)
    page.get_by_test_id("attachment-input").set_input_files(str(image))
    expect(page.get_by_test_id("attachments-scan")).to_contain_text("receipt _b_1.png")  # the server cleans names
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("attachment-image")).to_be_visible()
    assert page.get_by_test_id("attachment-image").evaluate("img => img.naturalWidth") == 1
    with page.expect_download() as download:
        page.get_by_test_id("attachment-download").click()
    assert download.value.suggested_filename.endswith(".png")

    # the print view opens in a new tab: the plain layout, fields and lines, no script
    with page.context.expect_page() as opened:
        page.get_by_test_id("form-print").click()
    printed = opened.value
    printed.wait_for_load_state()
    body = printed.get_by_test_id("print-body")
    expect(body).to_contain_text("SO-0001")
    expect(body.locator("table.jm-print-lines tbody tr")).to_have_count(1)
    expect(body).to_contain_text("19.80")
    assert printed.locator("script").count() == 0
    printed.emulate_media(media="print")
    expect(printed.locator(".jm-print-hint")).to_be_hidden()
    printed.close()


def test_a_customers_page_shows_its_orders_and_a_mention_notifies(page: Any, server_kernel: Kernel) -> None:
    ids = seed(server_kernel)
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import create

        for _ in range(2):
            create(ctx, "order", {"customer": ids["acme"]})
    login(page)
    page.goto(f"/apps/shop/customer/{ids['acme']}")
    panel = page.get_by_test_id("related-order-customer")
    expect(panel).to_contain_text("2")
    panel.get_by_test_id("related-link-order-2").click()
    expect(page).to_have_url(re.compile(r"/apps/shop/order/2$"))
    expect(page.get_by_test_id("value-number")).to_have_text("SO-0002")

    box = page.get_by_test_id("comment-text")
    box.click()
    box.press_sequentially("Please check @Lil")
    page.get_by_role("option", name="Lily Wang").click()
    box.press_sequentially("thanks")
    page.get_by_test_id("comment-add").click()
    expect(page.get_by_test_id("comment").first).to_contain_text("@Lily Wang")
    expect(page.get_by_test_id("comment-mentions").first).to_contain_text("1")
    with server_kernel.unit_of_work() as ctx:
        rows = ctx.conn.execute(sa.text("SELECT user_id, title, body FROM jimu_notification")).all()
    assert [(r.user_id, r.body) for r in rows] == [(ids["lily"], "Please check @Lily Wang thanks")]


def test_the_form_works_375_px_wide(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    page.set_viewport_size({"width": 375, "height": 800})
    login(page)
    page.goto("/apps/shop/order/new")
    pick(page, "customer", "AC", "ACME")
    page.get_by_test_id("line-add").click()
    cell(page, 0, "qty").locator("input").fill("4")
    cell(page, 0, "price").locator("input").fill("2.50")
    expect(cell(page, 0, "amount")).to_have_text("10.00")
    expect(page.get_by_test_id("value-total")).to_have_text("10.00")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways: {width}px"
    page.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/apps/shop/order/\d+$"))
