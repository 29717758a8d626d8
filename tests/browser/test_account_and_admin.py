"""The shell's account and search, and the admin console in the browser: change your own password, find a
record with the global search, give a user a role as an administrator and see (as that user) what they may
then read; the admin console in zh-CN at phone width."""
from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from jimu.platform import meta
from jimu.platform.kernel import Kernel
from jimu.platform.security import create_user
from tests.browser.conftest import login
from tests.browser.test_shell_and_records import seed
from tests.web.api.conftest import PASSWORD, password_hash

expect = pytest.importorskip("playwright.sync_api").expect
NEW_PASSWORD = "a fresh passphrase"


def add_user(kernel: Kernel, username: str) -> int:
    with kernel.unit_of_work() as ctx:
        user_id = create_user(ctx.conn, username)
        ctx.conn.execute(sa.update(meta.users).where(meta.users.c.id == user_id).values(password_hash=password_hash()))
    return user_id


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_change_own_password(page: Any, server_kernel: Kernel) -> None:
    add_user(server_kernel, "nina")
    login(page, "nina")
    page.get_by_test_id("username").click()
    page.get_by_test_id("menu-password").click()
    dialog = page.get_by_test_id("password-dialog")
    dialog.get_by_test_id("password-current").locator("input").fill("not my password")
    dialog.get_by_test_id("password-new").locator("input").fill(NEW_PASSWORD)
    dialog.get_by_test_id("password-repeat").locator("input").fill(NEW_PASSWORD + "x")
    dialog.get_by_test_id("password-submit").click()
    expect(dialog.get_by_test_id("password-repeat")).to_contain_text("differ")  # checked before sending
    dialog.get_by_test_id("password-repeat").locator("input").fill(NEW_PASSWORD)
    dialog.get_by_test_id("password-submit").click()
    expect(dialog.get_by_test_id("password-current")).to_contain_text("current password is not right")
    dialog.get_by_test_id("password-current").locator("input").fill(PASSWORD)
    dialog.get_by_test_id("password-submit").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    expect(dialog).to_be_hidden()
    page.get_by_test_id("logout").click()
    sign_in(page, "nina", PASSWORD)
    expect(page.get_by_text("Wrong username or password", exact=False)).to_be_visible()
    sign_in(page, "nina", NEW_PASSWORD)
    page.get_by_test_id("logout").wait_for()


def test_global_search_finds_a_record(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    login(page)
    page.get_by_test_id("global-search").locator("input").fill("hot")
    hit = page.get_by_test_id(re.compile(r"search-hit-claim-\d+"))
    expect(hit).to_have_count(1)
    expect(hit).to_contain_text("Hotel")
    expect(hit).to_contain_text("Claim")
    hit.click()
    expect(page).to_have_url(re.compile(r"/apps/claims/claim/\d+$"))
    expect(page.get_by_test_id("field-title").locator("input").first).to_have_value("Hotel")
    page.get_by_test_id("global-search").locator("input").fill("no such thing")
    expect(page.get_by_test_id("search-none")).to_be_visible()


def test_an_administrator_gives_a_user_a_role(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    add_user(server_kernel, "nina")
    login(page, "nina")  # no role yet: no app to open, and the admin console is not offered
    expect(page.get_by_text("No apps are installed that you may open.")).to_be_visible()
    page.get_by_test_id("username").click()
    expect(page.get_by_test_id("menu-admin")).to_have_count(0)
    page.goto("/admin/users")
    expect(page).to_have_url(re.compile(r"/apps$"))
    page.get_by_test_id("logout").click()

    login(page)
    page.get_by_test_id("username").click()
    page.get_by_test_id("menu-admin").click()
    page.get_by_test_id("admin-nav-roles").click()
    page.get_by_test_id("role-new-key").fill("Bad Key")
    page.get_by_test_id("role-new").click()
    expect(page.get_by_test_id("role-new-error")).to_contain_text("lower-case")
    page.get_by_test_id("role-new-key").fill("claim_reader")
    page.get_by_test_id("role-new").click()
    editor = page.get_by_test_id("role-editor")
    editor.get_by_test_id("perm-claim-read").click()
    expect(editor.get_by_test_id("perm-claim-read").locator("input")).to_be_checked()
    # only claims over 100 may be read
    editor.get_by_test_id("rule-entity").click()
    page.get_by_role("option", name="Claim").click()
    editor.get_by_test_id("rule-expression").fill("amount >")
    editor.get_by_test_id("rule-add").click()
    expect(editor.get_by_test_id("rule-form")).to_contain_text("invalid")
    editor.get_by_test_id("rule-expression").fill("amount > 100")
    editor.get_by_test_id("rule-add").click()
    expect(editor.get_by_text("amount > 100")).to_be_visible()

    page.get_by_test_id("admin-nav-users").click()
    page.get_by_test_id("admin-user-edit-nina").click()
    dialog = page.get_by_test_id("user-dialog")
    dialog.get_by_test_id("user-roles").locator(".el-select").click()
    page.get_by_test_id("role-option-claim_reader").click()
    dialog.get_by_test_id("user-display-name").click()  # close the options
    dialog.get_by_test_id("user-save").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("admin-users").locator("tr", has_text="nina")).to_contain_text("claim_reader")
    page.get_by_test_id("admin-user-perms-nina").click()
    effective = page.get_by_test_id("effective-dialog")
    effective.get_by_test_id("effective-entity").click()
    page.get_by_role("option", name="Claim (claim)").click()
    expect(effective.get_by_test_id("effective-read")).to_have_text("Yes")
    expect(effective.get_by_test_id("effective-create")).to_have_text("No")
    expect(effective.get_by_test_id("effective-actions")).to_contain_text("amount > 100")
    page.get_by_role("dialog", name="What nina may do").get_by_role("button", name="Close").click()
    expect(effective).to_be_hidden()
    page.get_by_test_id("logout").click()

    login(page, "nina")
    page.get_by_test_id("app-claims").get_by_role("link").click()
    rows = page.get_by_test_id("record-list").locator("tbody tr")
    expect(rows).to_have_count(1)  # Hotel (400); Taxi (30) and Lunch (12.50) are outside the rule
    expect(rows.first).to_contain_text("Hotel")
    expect(page.get_by_test_id("list-new")).to_be_visible()


def test_admin_console_in_chinese_on_a_phone(page: Any, server_kernel: Kernel) -> None:
    seed(server_kernel)
    add_user(server_kernel, "nina")
    page.set_viewport_size({"width": 375, "height": 800})
    login(page)
    page.get_by_test_id("language").click()
    page.get_by_role("option", name="中文").click()
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name="用户")).to_be_visible()
    expect(page.get_by_test_id("admin-users")).to_contain_text("nina")
    page.get_by_test_id("admin-nav-departments").click()
    page.get_by_test_id("department-new").click()
    dialog = page.get_by_test_id("department-dialog")
    dialog.get_by_test_id("department-name").locator("input").fill("销售部")
    dialog.get_by_test_id("department-manager").locator(".el-select").click()
    page.get_by_role("option", name="nina").click()
    dialog.get_by_test_id("department-save").click()
    tree = page.get_by_test_id("department-tree")
    expect(tree).to_contain_text("销售部")
    expect(tree).to_contain_text("负责人 nina")
    page.get_by_test_id("department-new").click()
    dialog.get_by_test_id("department-name").locator("input").fill("华东区")
    dialog.get_by_test_id("department-parent").locator(".el-select").click()
    page.locator(".el-tree-select__popper .el-tree-node", has_text="销售部").first.click()
    dialog.get_by_test_id("department-save").click()
    expect(tree.locator(".el-tree-node .el-tree-node", has_text="华东区")).to_be_visible()  # nested
    page.get_by_test_id("admin-nav-roles").click()
    expect(page.get_by_role("heading", name="角色")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
