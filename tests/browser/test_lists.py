"""Lists in the browser: filter and sort, choose columns, save a view and open it again, bulk edit with a
refused row, import a CSV with a bad row and see its error against the row, export the view; and the same
list in zh-CN at a phone's 375 px width."""
from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from jimu.platform.kernel import Kernel
from tests.browser.conftest import login
from tests.browser.test_shell_and_records import seed

expect = pytest.importorskip("playwright.sync_api").expect


def rows(page: Any) -> Any:
    return page.get_by_test_id("record-list").locator("tbody tr")


def header_texts(page: Any) -> list[str]:
    cells = page.get_by_test_id("record-list").locator("thead th")
    return [t.strip() for t in cells.all_inner_texts() if t.strip()]


def filter_by(page: Any, field: str, op: str, value: str) -> None:
    page.get_by_test_id("filter-open").click()
    page.get_by_test_id("filter-add").click()
    page.get_by_test_id("filter-field-0").click()
    page.get_by_role("option", name=field, exact=True).click()
    page.get_by_test_id("filter-op-0").click()
    page.get_by_role("option", name=op, exact=True).click()
    page.get_by_test_id("filter-value-0").fill(value)
    page.get_by_test_id("filter-apply").click()


def test_filter_sort_columns_and_a_saved_view(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/apps/claims/claim")
    expect(rows(page)).to_have_count(3)
    filter_by(page, "Amount", "less than", "100")
    expect(rows(page)).to_have_count(2)
    page.get_by_role("columnheader", name="Amount").click()  # ascending
    expect(rows(page).first).to_contain_text("Lunch")
    page.get_by_test_id("columns-open").click()
    page.get_by_test_id("column-category").click()  # hide the category column
    expect(page.get_by_role("columnheader", name="Category")).to_have_count(0)
    page.get_by_test_id("view-save").click()
    page.get_by_test_id("view-name").fill("Small claims")
    page.get_by_test_id("view-save-confirm").click()
    expect(page.get_by_test_id("view-select")).to_contain_text("Small claims")

    page.reload()  # the view is on the server, not in this page
    expect(rows(page)).to_have_count(3)
    page.get_by_test_id("view-select").click()
    page.get_by_role("option", name="Small claims").click()
    expect(rows(page)).to_have_count(2)
    assert header_texts(page) == ["Title", "Amount", "State"]  # an unlabeled field shows its humanised name
    expect(rows(page).first).to_contain_text("Lunch")
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.views.store import list_views

        ctx.user_id = 1
        saved = list_views(ctx, "claim")["personal"]
    assert [(v["label"], v["sort"], v["columns"]) for v in saved] == [("Small claims", "amount",
                                                                         ["title", "amount", "state"])]


def test_bulk_edit_with_a_refused_row_and_bulk_delete(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/apps/claims/claim")
    expect(rows(page)).to_have_count(3)
    page.get_by_role("columnheader", name="Amount").click()  # Lunch 12.50, Taxi 30.00, Hotel 400.00
    expect(rows(page).first).to_contain_text("Lunch")
    for n in range(3):
        rows(page).nth(n).locator(".el-checkbox").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("3 selected")
    # the same amount for all three: allowed, then past the rule's 1000 and refused for each row, with why
    page.get_by_test_id("bulk-edit").click()
    page.get_by_test_id("bulk-field").click()
    page.get_by_role("option", name="Amount", exact=True).click()
    page.get_by_test_id("bulk-value").locator("input").fill("999.00")
    page.get_by_test_id("bulk-edit-apply").click()
    report = page.get_by_test_id("bulk-report")
    expect(report).to_contain_text("Done for 3, refused for 0.")
    page.get_by_test_id("bulk-report-close").click()
    page.get_by_test_id("bulk-edit").click()
    page.get_by_test_id("bulk-value").locator("input").fill("1200")
    page.get_by_test_id("bulk-edit-apply").click()
    expect(report).to_contain_text("Done for 0, refused for 3.")
    expect(page.get_by_test_id("bulk-refused")).to_contain_text("A claim is at most 1000.")
    expect(page.get_by_test_id("bulk-refused")).to_contain_text("Hotel (#2)")
    page.get_by_test_id("bulk-report-close").click()
    expect(rows(page).first).to_contain_text("999.00")
    page.get_by_test_id("bulk-delete").click()
    page.locator(".el-popconfirm").get_by_role("button", name="Delete").click()
    expect(report).to_contain_text("Done for 3, refused for 0.")
    page.get_by_test_id("bulk-report-close").click()
    expect(rows(page)).to_have_count(0)


def test_import_a_csv_with_a_bad_row_then_export_the_view(page: Any, server_kernel: Kernel, tmp_path: Path) -> None:
    seed(server_kernel)
    login(page)
    page.goto("/apps/claims/claim")
    expect(rows(page)).to_have_count(3)
    upload = tmp_path / "claims.csv"
    upload.write_text("title,amount,category\nParking,8.00,travel\nDinner,lots,meals\nTrain,55.00,travel\n",
                      encoding="utf-8")
    page.get_by_test_id("import-open").click()
    page.get_by_test_id("import-file").set_input_files(str(upload))
    page.get_by_test_id("import-run").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("Nothing was imported: 1 rows have problems")
    errors = page.get_by_test_id("import-errors")
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("import-row-3")).to_be_visible()  # line 3 of the file: Dinner
    expect(errors.locator("tbody tr").first).to_contain_text("amount")
    expect(page.get_by_test_id("import-progress")).to_be_visible()
    page.get_by_test_id("import-partial").click()
    page.get_by_test_id("import-file").set_input_files(str(upload))
    page.get_by_test_id("import-run").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 records imported, 1 rows skipped.")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(rows(page)).to_have_count(5)

    filter_by(page, "Amount", "less than", "100")
    expect(rows(page)).to_have_count(4)  # not Hotel (400.00)
    page.get_by_role("columnheader", name="Amount").click()
    page.get_by_test_id("columns-open").click()
    page.get_by_test_id("column-state").click()
    expect(page.get_by_role("columnheader", name="state")).to_have_count(0)
    page.get_by_test_id("export-open").click()
    with page.expect_download() as caught:
        page.get_by_test_id("export-csv").click()
    text = Path(caught.value.path()).read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Title", "Category", "Amount"]
    assert [r[0] for r in table[1:]] == ["Parking", "Lunch", "Taxi", "Train"]  # the filter and the sort


def test_the_list_in_chinese_on_a_phone(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    page.set_viewport_size({"width": 375, "height": 812})
    login(page)
    page.get_by_test_id("language").click()
    page.get_by_role("option", name="中文").click()
    page.goto("/apps/claims/claim")
    expect(rows(page)).to_have_count(3)
    for text in ("导入", "导出", "列", "保存视图", "筛选"):
        expect(page.locator(".jm-toolbar").first.get_by_text(text, exact=True).first).to_be_visible()
    assert header_texts(page)[:2] == ["标题", "类别"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is {width} px wide at 375"
    rows(page).first.locator(".el-checkbox").click()
    expect(page.get_by_test_id("bulk-count")).to_have_text("已选 1 条")
    page.get_by_test_id("import-open").click()
    expect(page.get_by_test_id("import-dialog")).to_contain_text("第一行是列名")
    box = page.get_by_test_id("import-dialog").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
