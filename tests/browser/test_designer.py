"""A designer in the browser: add a field to a draft, publish it after the plain-words preview and see it
in the runtime form; change a type while rows hold values it refuses and see the refusal naming them; the
version history, restore, and a second designer's save shown as a conflict."""
from __future__ import annotations

import re
from typing import Any

import pytest

from jimu.platform.kernel import Kernel
from tests.browser.conftest import login

expect = pytest.importorskip("playwright.sync_api").expect


def shop_app() -> dict[str, Any]:
    return {
        "key": "shop", "version": "1.0.0", "label": {"en": "Shop", "zh-CN": "商店"},
        "entities": [{"key": "customer", "title_field": "name", "label": {"en": "Customer", "zh-CN": "客户"},
                      "fields": [
                          {"name": "name", "type": "text", "required": True, "label": {"en": "Name", "zh-CN": "名称"}},
                          {"name": "code", "type": "text", "label": {"en": "Code", "zh-CN": "编码"}},
                      ]}],
    }


def seed(kernel: Kernel) -> list[int]:
    kernel.apply_app(shop_app())
    with kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import create

        return [create(ctx, "customer", {"name": n, "code": c})["id"]
                for n, c in (("Ann", "12"), ("Bo", "B-7"), ("Cy", "x9"), ("Di", None))]


def saved(page: Any) -> None:
    expect(page.get_by_test_id("draft-status")).to_have_text(re.compile(r"Draft saved \(version [1-9]"))


def test_add_a_field_publish_and_see_it_in_the_form(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.get_by_test_id("nav-design").click()
    page.get_by_test_id("design-app-shop").get_by_role("link").click()
    page.get_by_test_id("design-field-code").wait_for()
    page.get_by_test_id("field-add").click()
    panel = page.get_by_test_id("field-properties")
    panel.get_by_test_id("prop-name").fill("phone_no")
    panel.get_by_test_id("prop-label-en").fill("Phone")
    panel.get_by_test_id("prop-label-zh").fill("电话")
    page.get_by_test_id("design-field-phone_no").wait_for()
    saved(page)
    # nothing is published yet: the runtime form has no such field
    with server_kernel.unit_of_work() as ctx:
        assert ctx.catalog.entities["customer"].field("phone_no") is None
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog.get_by_test_id("change-add_field")).to_contain_text("New field “Phone” (Text) in “Customer”.")
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    page.get_by_test_id("history-open").click()
    drawer = page.get_by_test_id("history-drawer")
    expect(drawer.get_by_test_id("history-2")).to_contain_text("New field “Phone”")
    page.goto("/apps/shop/customer/new")
    expect(page.get_by_test_id("field-phone_no")).to_contain_text("Phone")
    page.get_by_test_id("field-phone_no").locator("input").fill("555-0100")
    page.get_by_test_id("field-name").locator("input").fill("Eve")
    page.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/apps/shop/customer/\d+$"))
    # and in Chinese, the designer's words are Chinese
    page.goto("/design/shop")
    page.get_by_test_id("language").click()
    page.get_by_role("option", name="中文").click()
    page.get_by_test_id("history-open").click()
    expect(page.get_by_test_id("history-drawer").get_by_test_id("history-2")).to_contain_text("新增字段“电话”")


def test_a_type_change_refused_by_rows_names_them(page: Any, server_kernel: Kernel) -> None:
    ids = seed(server_kernel)
    login(page)
    page.goto("/design/shop")
    page.get_by_test_id("design-field-code").click()
    page.get_by_test_id("field-properties").get_by_test_id("prop-type").click()
    page.get_by_test_id("type-integer").click()
    expect(page.get_by_test_id("design-field-code")).to_contain_text("Integer")
    saved(page)
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    refusal = dialog.get_by_test_id("publish-refusal")
    expect(refusal).to_contain_text(f"2 record(s) of “Customer” refuse this change (Code); for example #{ids[1]}, #{ids[2]}.")
    expect(refusal).to_contain_text("B-7")
    expect(dialog.get_by_test_id("change-change_type")).to_contain_text("changes from Text to Integer")
    expect(dialog.get_by_test_id("publish-run")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()
    # fix the rows, then the same draft publishes after the confirmation it needs (values are converted)
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import update

        for record_id in ids[1:3]:
            update(ctx, "customer", record_id, {"code": "7"})
    page.get_by_test_id("publish-open").click()
    expect(dialog.get_by_test_id("publish-refusal")).to_have_count(0)
    expect(dialog.get_by_test_id("publish-run")).to_be_disabled()
    dialog.get_by_test_id("publish-confirm").click()
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    with server_kernel.unit_of_work() as ctx:
        assert ctx.catalog.entities["customer"].field("code").type == "integer"


def test_restore_and_a_conflicting_save(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/design/shop")
    page.get_by_test_id("field-remove-code").click()
    saved(page)
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog.get_by_test_id("change-archive_field")).to_contain_text("its values are kept (archived)")
    dialog.get_by_test_id("publish-confirm").click()
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("design-field-code")).to_have_count(0)
    page.get_by_test_id("history-open").click()
    page.get_by_test_id("restore-1").click()
    expect(dialog.get_by_test_id("change-restore_field")).to_contain_text("comes back")
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("design-field-code")).to_be_visible()
    # another designer saves the draft first: this one sees a conflict, and nothing is overwritten
    page.get_by_test_id("field-add").click()
    saved(page)
    with server_kernel.unit_of_work() as ctx:
        from jimu.platform.registry.drafts import get_draft, save_draft

        theirs = get_draft(ctx.conn, "shop")
        save_draft(ctx.conn, "shop", {**theirs.definition, "label": {"en": "Their shop"}},
                   expected_version=theirs.version, user_id=None, now=ctx.now())
    page.get_by_test_id("field-add").click()
    expect(page.get_by_test_id("draft-conflict")).to_be_visible()
    with server_kernel.unit_of_work() as ctx:
        assert get_draft(ctx.conn, "shop").definition["label"] == {"en": "Their shop"}
    page.get_by_test_id("draft-reload").click()
    expect(page.get_by_test_id("design-app-title")).to_have_text("Their shop")


def drag(page: Any, source: Any, target: Any, *, below: bool = False) -> None:
    """Drag with the mouse in small steps (SortableJS's pointer fallback follows the moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    y = end["y"] + (end["height"] - 4 if below else end["height"] / 2)
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2 + 2, y, steps=3)
    page.mouse.up()


def test_drag_a_field_type_in_and_lay_out_the_form(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/design/shop")
    page.get_by_test_id("design-field-code").wait_for()
    drag(page, page.get_by_test_id("palette-date"), page.get_by_test_id("design-field-code"), below=True)
    rows = page.get_by_test_id("field-rows").locator("[data-drag]")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("Date")
    page.get_by_test_id("field-properties").get_by_test_id("prop-name").fill("joined_on")
    page.get_by_test_id("field-properties").get_by_test_id("prop-label-en").fill("Joined")
    # reorder: the new field to the top
    drag(page, page.get_by_test_id("design-field-joined_on"), page.get_by_test_id("design-field-name"))
    expect(rows.first).to_contain_text("Joined")
    # the form layout: one section of two columns holding name and joined_on
    page.get_by_role("tab", name="Form layout").click()
    page.get_by_test_id("layout-add-section-0").click()
    drop = page.get_by_test_id("layout-drop-0-0")
    drag(page, page.get_by_test_id("layout-chip-name"), drop)
    expect(drop.get_by_test_id("layout-chip-name")).to_be_visible()
    drag(page, page.get_by_test_id("layout-chip-joined_on"), drop)
    expect(drop.locator("[data-drag]")).to_have_count(2)
    saved(page)
    with server_kernel.unit_of_work() as ctx:
        from jimu.platform.registry.drafts import get_draft

        entity = get_draft(ctx.conn, "shop").definition["entities"][0]
    assert [f["name"] for f in entity["fields"]] == ["joined_on", "name", "code"]
    assert entity["layout"]["sections"][0]["fields"] == ["name", "joined_on"]
    # the live preview: the runtime's widgets in the draft's layout, with sample values
    page.get_by_role("tab", name="Preview").click()
    preview = page.get_by_test_id("form-preview")
    expect(preview.get_by_test_id("preview-joined_on")).to_contain_text("Joined")
    expect(preview.get_by_test_id("preview-name").locator("input")).to_have_value("Sample")
    expect(preview.locator("form").first.locator("[data-test^=preview-]")).to_have_count(2)  # the section's two
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog.get_by_test_id("change-add_field")).to_contain_text("New field “Joined” (Date)")
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    page.goto("/apps/shop/customer/new")
    expect(page.get_by_test_id("field-joined_on")).to_be_visible()


def test_build_a_new_app_from_scratch(page: Any, server_kernel: Kernel) -> None:
    login(page)
    page.goto("/design")
    page.get_by_test_id("new-app-key").fill("crm")
    page.get_by_test_id("new-app-label-en").fill("CRM")
    page.get_by_test_id("new-app-label-zh").fill("客户管理")
    page.get_by_test_id("new-app-create").click()
    expect(page).to_have_url(re.compile(r"/design/crm$"))
    expect(page.get_by_test_id("design-app-title")).to_have_text("CRM")
    page.get_by_test_id("entity-key").fill("contact")
    page.get_by_test_id("entity-label-en").fill("Contact")
    page.get_by_test_id("palette-email").dblclick()
    page.get_by_test_id("field-properties").get_by_test_id("prop-name").fill("email")
    # a line entity, and a child table of the contact holding its lines
    page.get_by_test_id("entity-add-lines").click()
    page.get_by_test_id("entity-key").fill("call")
    page.get_by_test_id("entity-label-en").fill("Call")
    page.get_by_test_id("design-entity-contact").click()
    page.get_by_test_id("palette-child_table").dblclick()
    page.get_by_test_id("field-properties").get_by_test_id("prop-name").fill("calls")
    page.get_by_test_id("field-properties").get_by_test_id("prop-label-en").fill("Calls")
    saved(page)
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog.get_by_test_id("change-create_entity")).to_have_count(2)
    expect(dialog.get_by_test_id("publish-changes")).to_contain_text("New table “Contact”.")
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    page.goto("/apps/crm/contact/new")
    page.get_by_test_id("field-name").locator("input").fill("Ann")
    page.get_by_test_id("field-email").locator("input").fill("ann@example.com")
    expect(page.get_by_test_id("field-calls")).to_contain_text("Calls")
    page.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/apps/crm/contact/\d+$"))
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        assert get(ctx, "contact", 1)["email"] == "ann@example.com"


def test_undo_redo_and_a_phone_sized_screen(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    page.set_viewport_size({"width": 375, "height": 800})
    login(page)
    page.goto("/design/shop")
    page.get_by_test_id("field-add").click()
    rows = page.get_by_test_id("field-rows").locator("[data-drag]")
    expect(rows).to_have_count(3)
    page.get_by_test_id("undo").click()
    expect(rows).to_have_count(2)
    page.get_by_test_id("redo").click()
    expect(rows).to_have_count(3)
    saved(page)
    # at 375 px everything stacks: nothing wider than the screen
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 375, width
    for test_id in ("design-fields", "field-properties", "publish-open"):
        box = page.get_by_test_id(test_id).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, (test_id, box)
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    expect(dialog.get_by_test_id("change-add_field")).to_be_visible()
    box = dialog.bounding_box()
    assert box and box["width"] <= 375


def test_a_rule_written_in_the_expression_editor(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/design/shop")
    page.get_by_role("tab", name="Rules").click()
    page.get_by_test_id("rule-add").click()
    expression = page.get_by_test_id("rule-expression-0")
    expression.get_by_test_id("expr-input").fill("code != 'bad' and\n  nosuch = 1")
    expect(expression.get_by_test_id("expr-error")).to_contain_text("Line 2, column 3:")
    expect(expression.get_by_test_id("expr-error")).to_contain_text("nosuch")
    expression.get_by_test_id("expr-input").fill("")
    expression.get_by_test_id("expr-fields").click()
    page.get_by_role("option", name=re.compile(r"^code — Code")).click()
    expect(expression.get_by_test_id("expr-input")).to_have_value("code")
    expression.get_by_test_id("expr-input").fill("code != 'bad'")
    expect(expression.get_by_test_id("expr-ok")).to_contain_text("boolean")
    expression.get_by_test_id("expr-functions").click()
    page.get_by_role("option", name="ROUND", exact=True).click()
    expect(expression.get_by_test_id("expr-help")).to_contain_text("rounds half away from zero")
    expression.get_by_test_id("expr-input").fill("code != 'bad'")
    page.get_by_test_id("rule-message-en-0").fill("Not a bad code.")
    page.get_by_test_id("rule-message-zh-0").fill("编码不能是 bad。")
    page.get_by_test_id("rule-0").locator(".el-select").first.click()
    page.get_by_role("option", name="Code", exact=True).click()
    saved(page)
    page.get_by_test_id("publish-open").click()
    dialog = page.get_by_test_id("publish-dialog")
    dialog.get_by_test_id("publish-run").click()
    expect(dialog).to_be_hidden()
    page.goto("/apps/shop/customer/new")
    page.get_by_test_id("field-name").locator("input").fill("Fay")
    page.get_by_test_id("field-code").locator("input").fill("bad")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("error-code")).to_have_text("Not a bad code.")
