"""A public form in the browser: an administrator switches it on in the admin console and copies its link; a
visitor without an account opens it on a phone, a bot-like instant submission (and a filled honeypot) is
refused, a human one after a few seconds is thanked and the lead is stored; switched off, the link says so."""
from __future__ import annotations

import re
from typing import Any

import pytest

from jimu.platform.kernel import Kernel
from jimu.platform.security import Principal, bind_policy, create_role, set_permission, set_user_roles
from tests.browser.conftest import login
from tests.web.api.test_public_forms import leads_app

expect = pytest.importorskip("playwright.sync_api").expect


def grant_public(kernel: Kernel) -> None:
    with kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "web_forms")
        set_permission(ctx.conn, "web_forms", "lead", ["create"], catalog=ctx.catalog)
        user_id = ctx.conn.exec_driver_sql("SELECT id FROM jimu_user WHERE username = 'public'").scalar_one()
        set_user_roles(ctx.conn, user_id, ["web_forms"])


def leads(kernel: Kernel) -> list[dict[str, Any]]:
    from jimu.engines.forms.listing import list_records
    from jimu.engines.forms.query import ListQuery

    with kernel.unit_of_work() as ctx:
        bind_policy(ctx, Principal(1, "admin", is_superuser=True))
        return list_records(ctx, "lead", ListQuery()).rows


def test_a_visitor_submits_a_public_form(page: Any, server_kernel: Kernel) -> None:
    server_kernel.apply_app(leads_app(min_seconds=2, limits={"per_ip": 20, "per_form": 50, "window_minutes": 10}))
    login(page)
    page.goto("/admin/forms")
    page.get_by_test_id("form-switch-crm-contact").click()
    link = page.get_by_test_id("form-link-crm-contact")
    expect(link).to_contain_text("/f/")
    url = link.get_attribute("href")
    assert url is not None and re.fullmatch(r"/f/[A-Za-z0-9_-]{40,}", url)
    grant_public(server_kernel)
    page.get_by_test_id("logout").click()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(url)
    form = page.get_by_test_id("public-form")
    expect(form).to_contain_text("Contact us")
    form.get_by_test_id("public-field-name").locator("input").fill("Ann Lee")
    form.get_by_test_id("public-field-email").locator("input").fill("ann@example.cn")
    form.get_by_test_id("public-submit").click()  # at once, like a bot
    expect(page.get_by_test_id("public-error")).to_contain_text("too quickly")
    assert leads(server_kernel) == []
    page.wait_for_timeout(2200)
    page.get_by_test_id("public-hp").evaluate("(el) => { el.value = 'http://spam'; el.dispatchEvent(new Event('input')) }")
    form.get_by_test_id("public-submit").click()
    expect(page.get_by_test_id("public-error")).to_contain_text("could not be sent")
    page.get_by_test_id("public-hp").evaluate("(el) => { el.value = ''; el.dispatchEvent(new Event('input')) }")
    form.get_by_test_id("public-field-email").locator("input").fill("")
    form.get_by_test_id("public-submit").click()
    expect(form.get_by_test_id("public-field-email")).to_contain_text("required")  # beside its field
    form.get_by_test_id("public-field-email").locator("input").fill("ann@example.cn")
    form.get_by_test_id("public-submit").click()
    expect(page.get_by_test_id("public-thanks")).to_contain_text("Thanks!")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    assert [(r["name"], r["email"], r["source"]) for r in leads(server_kernel)] == [("Ann Lee", "ann@example.cn", "web")]

    page.set_viewport_size({"width": 1280, "height": 900})
    login(page)
    page.goto("/admin/forms")
    page.get_by_test_id("form-switch-crm-contact").click()
    expect(page.get_by_test_id("form-switch-crm-contact").locator("input")).not_to_be_checked()
    page.get_by_test_id("logout").click()
    page.goto(url)
    expect(page.get_by_test_id("public-closed")).to_contain_text("This form is not open.")


def test_a_public_form_in_chinese(page: Any, server_kernel: Kernel) -> None:
    server_kernel.apply_app(leads_app())
    with server_kernel.unit_of_work() as ctx:
        from jimu.engines.forms.public_forms import switch_on
        from jimu.platform.security.admin.scope import CLI_ACTOR, AdminScope

        token = switch_on(AdminScope(ctx.conn, ctx.catalog, CLI_ACTOR, ctx.now()), "crm", "contact")["token"]
    page.goto("/login")
    page.get_by_test_id("language").click()
    page.get_by_role("option", name="中文").click()
    page.goto(f"/f/{token}")
    form = page.get_by_test_id("public-form")
    expect(form).to_contain_text("联系我们")
    expect(form.get_by_test_id("public-field-name")).to_contain_text("姓名")
    expect(form.get_by_test_id("public-submit")).to_have_text("提交")
