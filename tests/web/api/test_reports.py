"""The reports API: run a report with parameters; bad parameters are 422 with field-level messages; the caller
sees aggregates only over rows they may read and cannot group by a field hidden from them."""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.engines.forms import records
from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.platform.security import (
    add_record_rule,
    create_role,
    set_field_permission,
    set_permission,
    set_user_roles,
)
from jimu.web.assembly import assemble

from .conftest import FIXTURES, World

SHOP: dict[str, Any] = json.loads((FIXTURES / "shop_reports.json").read_text(encoding="utf-8"))
NOTES = {"key": "by_note", "source": "order", "dimensions": [{"key": "note", "field": "note"}],
         "measures": [{"key": "orders", "aggregate": "count"}]}


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app({**SHOP, "reports": [*SHOP["reports"], NOTES]})
    kernel.apply_app(tasks_app)
    return kernel


@pytest.fixture
def shop(world: World) -> World:
    with world.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "analyst")
        for entity in ("order", "customer"):
            set_permission(ctx.conn, "analyst", entity, ["read"], catalog=ctx.catalog)
        add_record_rule(ctx.conn, ctx.catalog, "analyst", "order", ["read"], {"expression": "{owner} = CURRENT_USER()"})
        set_field_permission(ctx.conn, ctx.catalog, "analyst", "order", "note", read=False, write=False)
        set_user_roles(ctx.conn, world.users["alice"], ["analyst"])
        north = records.create(ctx, "customer", {"name": "N", "region": "north"})["id"]
        for owner, amount in (("alice", "1.10"), ("alice", "2.20"), ("bob", "100.00")):
            records.create(ctx, "order", {"customer": north, "amount": amount, "owner": world.users[owner],
                                          "status": "won", "ordered_at": "2026-01-31T20:00:00Z", "note": "x"})
    return world


def _run(world: World, user: str, report: str, params: Any = None, **headers: str) -> Any:
    body = None if params is None else {"params": params}
    return world.client.post(f"/api/v1/reports/shop/{report}/run", json=body, headers=world.headers(user, **headers))


def test_run_returns_rows_columns_totals_and_drill_downs(shop: World) -> None:
    response = _run(shop, "admin", "by_region")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"][0]["region"] == "north" and body["rows"][0]["revenue"] == "103.30"
    assert body["totals"]["orders"] == 3
    region = body["columns"][0]
    assert region == {"key": "region", "role": "dimension", "type": "text", "format": "text",
                      "labels": {"en": "region", "zh-CN": "region"},
                      "options": {"north": {"en": "North", "zh-CN": "北区"}, "south": {"en": "south", "zh-CN": "south"}}}
    assert {c["key"]: c["format"] for c in body["columns"]}["revenue"] == "money"
    drill = body["drill"][0]
    listed = shop.client.get(f"/api/v1/records/{drill['entity']}", params={"where": drill["where"], "count": "true"},
                             headers=shop.headers("admin"))
    assert listed.json()["count"] == body["rows"][0]["orders"]


def test_a_user_sees_aggregates_only_over_rows_they_may_read(shop: World) -> None:
    body = _run(shop, "alice", "by_region").json()
    assert body["totals"]["orders"] == 2
    assert Decimal(body["totals"]["revenue"]) == Decimal("3.30")


def test_a_hidden_field_cannot_be_grouped_by(shop: World) -> None:
    response = _run(shop, "alice", "by_note", **{"Accept-Language": "zh-CN"})
    assert response.status_code == 403
    problem = response.json()
    assert problem["code"] == "reports.field_not_readable"
    assert "note" in problem["detail"] and "无权" in problem["detail"]
    assert _run(shop, "admin", "by_note").status_code == 200


def test_a_user_without_read_permission_is_refused(shop: World) -> None:
    assert _run(shop, "nora", "by_region").status_code == 403


@pytest.mark.parametrize(("params", "path", "code"), [
    ({"period": "someday"}, "params.period", "reports.unknown_preset"),
    ({"period": {"from": "2026-02-10", "to": "2026-02-01"}}, "params.period", "reports.param_date_range"),
    ({"status": ["won", "nope"]}, "params.status", "reports.param_value"),
    ({"colour": "red"}, "params.colour", "reports.unknown_param"),
    ([1, 2], "params", "reports.params_not_object"),
])
def test_bad_parameters_are_422_with_a_field_level_message(shop: World, params: Any, path: str, code: str) -> None:
    response = _run(shop, "admin", "by_month", params)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [(path, code)]


def test_an_unknown_report_is_404(shop: World) -> None:
    assert _run(shop, "admin", "ghost").status_code == 404


def test_a_time_bucket_is_in_the_company_zone(shop: World) -> None:
    shop.kernel.settings = type(shop.kernel.settings)(timezone="Asia/Shanghai")
    body = _run(shop, "admin", "by_month", {"period": {"from": "2026-02-01", "to": "2026-02-28"}}).json()
    assert [(r["month"], r["orders"]) for r in body["rows"]] == [("2026-02-01", 3)]


def test_a_dashboard_runs_its_widgets_with_the_shared_filter(shop: World) -> None:
    period = json.dumps({"from": "2026-01-01", "to": "2026-12-31"})
    response = shop.client.get("/api/v1/dashboards/shop/home", params={"period": period},
                               headers=shop.headers("admin", **{"Accept-Language": "zh-CN"}))
    assert response.status_code == 200, response.text
    body = response.json()
    widgets = {w["key"]: w for w in body["widgets"]}
    assert list(widgets) == ["monthly", "regions", "total", "kpi", "best", "quarters"]
    monthly = widgets["monthly"]
    assert monthly["result"]["params"]["period"] == {"from": "2026-01-01", "to": "2026-12-31"}
    assert monthly["option"]["xAxis"]["data"] == ["2026-01-01"]
    assert [(s["name"], s["data"], s["stack"]) for s in monthly["option"]["series"]] == [("won", ["103.30"], "total")]
    assert widgets["regions"]["option"]["series"][0]["encode"] == {"itemName": "region", "value": "revenue"}
    assert widgets["regions"]["option"]["dataset"]["source"] == widgets["regions"]["result"]["rows"]
    assert widgets["kpi"]["option"]["kpi"]["value"] == "103.30"
    assert widgets["quarters"]["result"]["pivot"]["columns"] == ["quarter"]
    assert widgets["monthly"]["position"] == {"x": 0, "y": 0, "w": 6, "h": 4}


def test_a_dashboard_refuses_an_unknown_filter_and_an_unknown_dashboard(shop: World) -> None:
    bad = shop.client.get("/api/v1/dashboards/shop/home", params={"colour": "red"}, headers=shop.headers("admin"))
    assert bad.status_code == 422
    assert [e["path"] for e in bad.json()["errors"]] == ["params.colour"]
    assert shop.client.get("/api/v1/dashboards/shop/ghost", headers=shop.headers("admin")).status_code == 404


def test_export_as_csv_and_xlsx_with_a_totals_row(shop: World) -> None:
    response = shop.client.post("/api/v1/reports/shop/by_region/export", params={"format": "csv"},
                                headers=shop.headers("admin"))
    assert response.status_code == 200, response.text
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("region,orders,revenue")
    assert lines[1].startswith("north,3,103.30")
    assert lines[-1].startswith("Total,3,103.30")
    xlsx = shop.client.post("/api/v1/reports/shop/by_region/export", params={"format": "xlsx"},
                            headers=shop.headers("admin"))
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][:3] == ("Total", 3, Decimal("103.30")) or rows[-1][:3] == ("Total", 3, 103.3)
    denied = shop.client.post("/api/v1/reports/shop/by_region/export", headers=shop.headers("alice"))
    assert denied.status_code == 403


def test_a_linked_record_the_user_may_not_read_counts_as_absent(shop: World) -> None:
    with shop.kernel.unit_of_work() as ctx:
        add_record_rule(ctx.conn, ctx.catalog, "analyst", "customer", ["read"], {"expression": "{region} = 'south'"})
    body = _run(shop, "alice", "by_region").json()
    assert [(r["region"], r["orders"]) for r in body["rows"]] == [(None, 2)]
    assert _run(shop, "admin", "by_region").json()["rows"][0]["region"] == "north"


def test_apps_list_the_reports_and_dashboards_the_caller_may_open(shop: World) -> None:
    def listed(user: str) -> dict[str, Any]:
        apps = shop.client.get("/api/v1/apps", headers=shop.headers(user)).json()["data"]
        return next(a for a in apps if a["key"] == "shop")

    admin = listed("admin")
    assert [r["key"] for r in admin["reports"]] == [r["key"] for r in SHOP["reports"]] + ["by_note"]
    assert admin["reports"][0] == {"key": "by_region", "label": SHOP["reports"][0]["label"], "source": "order"}
    assert admin["dashboards"] == [{"key": "home", "label": {"en": "Sales", "zh-CN": "销售"}}]
    with shop.kernel.unit_of_work() as ctx:
        create_role(ctx.conn, "buyers")
        set_permission(ctx.conn, "buyers", "customer", ["read"], catalog=ctx.catalog)
        set_user_roles(ctx.conn, shop.users["nora"], ["buyers"])
    nora = listed("nora")  # reads customers, not orders: no report (all are over orders), no dashboard
    assert (nora["entities"], nora["reports"], nora["dashboards"]) == (["customer"], [], [])


def test_a_report_describes_its_parameters(shop: World) -> None:
    response = shop.client.get("/api/v1/reports/shop/by_month", headers=shop.headers("admin"))
    assert response.status_code == 200, response.text
    period, status = response.json()["params"]
    assert (period["type"], period["default"], "this_month" in period["presets"]) == ("date_range", None, True)
    assert (status["type"], status["multiple"], [o["value"] for o in status["options"]]) == \
        ("select", True, ["open", "won", "lost"])
    assert shop.client.get("/api/v1/reports/shop/ghost", headers=shop.headers("admin")).status_code == 404
    assert shop.client.get("/api/v1/reports/shop/by_month", headers=shop.headers("nora")).status_code == 403


def test_a_dashboard_describes_its_filters_and_each_widgets_axes(shop: World) -> None:
    body = shop.client.get("/api/v1/dashboards/shop/home", headers=shop.headers("admin")).json()
    assert [(f["key"], f["type"]) for f in body["filter_params"]] == [("period", "date_range")]
    widgets = {w["key"]: w for w in body["widgets"]}
    assert widgets["monthly"]["axes"] == {"x": "month", "y": ["revenue"], "series": "status"}
    assert widgets["kpi"]["axes"] == {"x": None, "y": ["revenue"], "series": None}
