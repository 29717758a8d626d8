"""A clerk's day in the browser: sign in, switch language, open an app, search and sort a list, create a
claim with lines, be refused by a rule beside the field, submit it after its dry-run preview, comment.
And the same views with hostile text in a label, an option, a value and a comment: nothing runs."""
from __future__ import annotations

import re
from typing import Any

import pytest

from jimu.platform.kernel import Kernel
from tests.browser.conftest import login

expect = pytest.importorskip("playwright.sync_api").expect

XSS = "<img src=x onerror=alert(1)>"
TEMPLATE = "{{7*7}}"
# what the page would show had it evaluated the template (a bare "49" also occurs in clock times)
EVALUATED = f"{XSS} 49"


def claims_app(hostile: bool = False) -> dict[str, Any]:
    odd = f"{XSS} {TEMPLATE}" if hostile else None
    return {
        "key": "claims", "version": "1.0.0", "label": {"en": "Claims", "zh-CN": "报销"},
        "entities": [
            {"key": "claim", "title_field": "title", "label": {"en": "Claim", "zh-CN": "报销单"},
             "fields": [
                 {"name": "title", "type": "text", "required": True, "label": {"en": "Title", "zh-CN": "标题"}},
                 {"name": "category", "type": "select", "label": odd or {"en": "Category", "zh-CN": "类别"},
                  "options": [{"value": "travel", "label": odd or {"en": "Travel", "zh-CN": "差旅"}},
                              {"value": "meals", "label": {"en": "Meals", "zh-CN": "餐饮"}}]},
                 {"name": "amount", "type": "money", "label": {"en": "Amount", "zh-CN": "金额"}},
                 {"name": "state", "type": "select", "default": "draft",
                  "options": [{"value": "draft"}, {"value": "submitted"}]},
                 {"name": "lines", "type": "child_table", "entity": "claim_line"},
             ],
             "rules": [{"key": "cap", "expression": "amount <= 1000", "fields": ["amount"],
                        "message": {"en": "A claim is at most 1000.", "zh-CN": "报销金额不能超过 1000。"}}],
             "layout": {"sections": [{"key": "main", "columns": 2, "fields": ["title", "category", "amount", "state"]},
                                     {"key": "lines", "fields": ["lines"]}],
                        "list_columns": ["title", "category", "amount", "state"]}},
            {"key": "claim_line", "child": True, "fields": [
                {"name": "item", "type": "text", "label": {"en": "Item", "zh-CN": "项目"}},
                {"name": "qty", "type": "decimal", "label": {"en": "Qty", "zh-CN": "数量"}}]},
        ],
        "processes": [{"key": "claim_flow", "entity": "claim", "state_field": "state",
                       "states": [{"key": "draft"}, {"key": "submitted", "phase": "submitted"}],
                       "transitions": [{"key": "submit", "from": ["draft"], "to": "submitted",
                                        "label": {"en": "Submit", "zh-CN": "提交"}}]}],
    }


def seed(kernel: Kernel, hostile: bool = False) -> None:
    kernel.apply_app(claims_app(hostile))
    with kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import create

        for title, amount in (("Taxi", "30.00"), ("Hotel", "400.00"), ("Lunch", "12.50")):
            create(ctx, "claim", {"title": title, "amount": amount, "category": "travel"})
        if hostile:
            create(ctx, "claim", {"title": f"{XSS} {TEMPLATE}", "amount": "1.00", "category": "travel"})


def field_input(page: Any, name: str) -> Any:
    return page.get_by_test_id(f"field-{name}").locator("input").first


def test_a_clerk_files_a_claim(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.get_by_test_id("language").click()
    page.get_by_role("option", name="中文").click()
    page.get_by_text("应用").first.wait_for()
    page.get_by_test_id("language").click()
    page.get_by_role("option", name="English").click()
    page.get_by_test_id("app-claims").get_by_role("link").click()
    rows = page.get_by_test_id("record-list").locator("tbody tr")
    rows.nth(2).wait_for()
    assert rows.count() == 3
    page.get_by_test_id("list-search").fill("Hotel")
    page.get_by_test_id("list-search").press("Enter")
    expect(rows).to_have_count(1)
    page.get_by_test_id("list-search").fill("")
    page.get_by_test_id("list-search").press("Enter")
    expect(rows).to_have_count(3)
    page.get_by_role("columnheader", name="Amount").click()
    expect(rows.first).to_contain_text("Lunch")

    page.get_by_test_id("list-new").click()
    field_input(page, "title").fill("Conference")
    field_input(page, "amount").fill("5000")
    page.get_by_test_id("line-add").click()
    page.get_by_test_id("lines-lines").locator("tbody tr input").nth(0).fill("Ticket")
    page.get_by_test_id("lines-lines").locator("tbody tr input").nth(1).fill("2")
    page.get_by_test_id("form-save").click()
    assert "at most 1000" in page.get_by_test_id("error-amount").inner_text()

    field_input(page, "amount").fill("800")
    page.get_by_test_id("form-save").click()
    expect(page).to_have_url(re.compile(r"/apps/claims/claim/\d+$"))
    page.get_by_test_id("transition-submit").click()
    expect(page.get_by_test_id("transition-preview")).to_be_visible()  # the dry run's effects first
    assert page.get_by_test_id("state").inner_text() == "draft"
    page.get_by_test_id("transition-run").click()
    page.get_by_test_id("state").filter(has_text="submitted").wait_for()
    page.get_by_test_id("timeline").get_by_text("submit: draft → submitted").wait_for()
    page.get_by_test_id("comment-text").fill("Receipts attached")
    page.get_by_test_id("comment-add").click()
    expect(page.get_by_test_id("comment").first).to_have_text("Receipts attached")
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        saved = get(ctx, "claim", int(page.url.rsplit("/", 1)[1]))
    assert saved["state"] == "submitted" and [line["item"] for line in saved["lines"]] == ["Ticket"]


def test_hostile_text_is_shown_as_text(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel, hostile=True)
    login(page)
    page.goto("/apps/claims/claim")
    page.get_by_test_id("record-list").get_by_text(XSS, exact=False).first.wait_for()
    assert EVALUATED not in page.get_by_test_id("record-list").inner_text()
    page.get_by_test_id("record-list").locator("tbody tr").filter(has_text="1.00").first.click()
    expect(page.get_by_test_id("form-title")).to_have_text(f"{XSS} {TEMPLATE}")
    page.get_by_test_id("comment-text").fill(f"{XSS} {TEMPLATE}")
    page.get_by_test_id("comment-add").click()
    expect(page.get_by_test_id("comment").first).to_have_text(f"{XSS} {TEMPLATE}")
    assert f"{XSS} {TEMPLATE}" in page.get_by_test_id("field-category").inner_text()  # the label
    assert page.locator("img[src=x]").count() == 0
    page.get_by_test_id("field-category").locator(".el-select").click()
    expect(page.get_by_role("option").first).to_have_text(f"{XSS} {TEMPLATE}")  # the option
    assert page.locator("img[src=x]").count() == 0 and EVALUATED not in page.locator("body").inner_text()


def test_a_stale_edit_is_shown_as_a_conflict_and_kept(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/apps/claims/claim/1")
    expect(field_input(page, "title")).to_have_value("Taxi")
    with server_kernel.unit_of_work() as ctx:  # someone else saves meanwhile
        from jimu.engines.forms.records import update

        update(ctx, "claim", 1, {"amount": "35.00"})
    field_input(page, "title").fill("Taxi to the airport")
    page.get_by_test_id("form-save").click()
    expect(page.get_by_test_id("form-conflict")).to_contain_text("version 2")
    expect(field_input(page, "title")).to_have_value("Taxi to the airport")  # the edit is not lost
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.records import get

        assert get(ctx, "claim", 1)["title"] == "Taxi"
