"""A record's print view: the entity's template (sandboxed, autoescaped) or the plain layout, under a strict policy."""
from __future__ import annotations

import copy
import json
from typing import Any

from jimu.platform.kernel import Kernel

from .conftest import FIXTURES, World

R = "/api/v1/records"
TEMPLATE = ("<h1>{{ entity }} {{ record.number }}</h1><p class=c>{{ show.customer }} {{ record.notes }}</p>"
            "{% for line in record.lines %}<div class=line>{{ line.qty }} × {{ line.price }} = {{ line.amount }}</div>"
            "{% endfor %}<p>{{ labels.total }}: {{ record.total }}</p>")


def _with_template(kernel: Kernel, template: Any) -> None:
    app = copy.deepcopy(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    order = next(e for e in app["entities"] if e["key"] == "sales_order")
    order["print_template"] = template
    kernel.apply_app(app)


def _order(world: World, admin: dict[str, str], name: str = "ACME") -> dict[str, Any]:
    c = world.client
    customer = c.post(f"{R}/customer", json={"name": name, "credit_limit": "1000"}, headers=admin).json()
    product = c.post(f"{R}/product", json={"sku": "P-1", "name": "Part", "price": "9.90"}, headers=admin).json()
    order = c.post(f"{R}/sales_order", json={"customer": customer["id"], "status": "confirmed",
                                             "notes": "<img src=x onerror=alert(1)> {{7*7}}",
                                             "lines": [{"product": product["id"], "qty": "2", "price": "9.90"}]},
                   headers=admin)
    assert order.status_code == 201, order.text
    return dict(order.json())


def test_the_entitys_template_prints_the_record_escaped(world: World, admin: dict[str, str]) -> None:
    _with_template(world.kernel, TEMPLATE)
    order = _order(world, admin, name="<b>ACME</b>")
    page = world.client.get(f"/print/sales_order/{order['id']}", headers=admin)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script" not in policy and "frame-ancestors 'none'" in policy
    html = page.text
    assert f"{order['number']}</h1>" in html and "2.000 × 9.90 = 19.80" in html and "19.80" in html
    assert "&lt;b&gt;ACME&lt;/b&gt;" in html and "&lt;img src=x onerror=alert(1)&gt; {{7*7}}" in html
    assert "<img" not in html and "49" not in html.replace(order["number"], "")
    assert '<link rel="stylesheet" href="/print-assets/print.css">' in html
    css = world.client.get("/print-assets/print.css")
    assert css.status_code == 200 and "@media print" in css.text


def test_without_a_template_the_fields_and_lines_print_in_the_readers_language(world: World,
                                                                               admin: dict[str, str]) -> None:
    order = _order(world, admin)
    html = world.client.get(f"/print/sales_order/{order['id']}", headers={**admin, "Accept-Language": "zh-CN"}).text
    assert "<table class=\"jm-print-fields\">" in html and "ACME" in html and "19.80" in html
    assert "浏览器" in html  # the on-screen hint, in Chinese


def test_a_print_view_needs_the_right_to_read(world: World, admin: dict[str, str]) -> None:
    order = _order(world, admin)
    assert world.client.get(f"/print/sales_order/{order['id']}", headers=world.headers("nora")).status_code == 403
    assert world.client.get("/print/sales_order/999", headers=admin).status_code == 404
    assert world.client.get(f"/print/sales_order/{order['id']}").status_code == 401


def test_a_broken_template_is_refused_when_the_app_is_applied(world: World) -> None:
    try:
        _with_template(world.kernel, "{% for x in %}")
    except Exception as error:  # noqa: BLE001
        assert "print_template" in str(error)
    else:
        raise AssertionError("a broken template was applied")
