"""Messages of real errors over HTTP, in both languages: every placeholder filled, paths as JSON pointers.

Import row errors (options, numbers, links, duplicates, extra cells), a refused import as a whole,
record writes, list filters and definitions: the problem's `detail` and every entry's `message` are
rendered with the parameters the error was raised with.
"""
from __future__ import annotations

import re
from typing import Any

import pytest

from jimu.platform.i18n import SUPPORTED_LOCALES, placeholders

from .conftest import World

R = "/api/v1/records"
ANY_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _assert_rendered(problem: dict[str, Any]) -> None:
    """No `{name}` of the catalogue text left in the problem's detail or any entry's message."""
    texts = [(problem["code"], problem["detail"])] + [(e["code"], e["message"]) for e in problem["errors"]]
    for code, text in texts:
        assert not ANY_PLACEHOLDER.search(text), (code, text)
        assert all("{" + name not in text for name in placeholders(code)), (code, text)


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_import_row_errors_are_rendered_with_their_values(world: World, admin: dict[str, str], locale: str) -> None:
    c = world.client
    headers = {**admin, "Accept-Language": locale}
    assert c.post(f"{R}/customer", json={"name": "Taken"}, headers=admin).status_code == 201
    data = (b"name,tier,credit_limit\r\nTaken,gold,1\r\nGamma,gold,abc\r\nDelta,platinum,5\r\n"
            b"Eta,gold,1,surplus\r\n")
    response = c.post(f"{R}/customer/import", files={"file": ("c.csv", data, "text/csv")}, headers=headers)
    assert response.status_code == 422
    problem = response.json()
    _assert_rendered(problem)
    by_code = {e["code"]: e for e in problem["errors"]}
    assert set(by_code) == {"records.unique", "value.not_number", "value.not_option", "import.extra_cells"}
    assert "platinum" in by_code["value.not_option"]["message"] and "gold" in by_code["value.not_option"]["message"]
    assert "Taken" in by_code["records.unique"]["message"]
    assert by_code["value.not_option"]["path"] == "rows/4/tier"
    for entry in problem["report"]["errors"]:
        assert not ANY_PLACEHOLDER.search(entry["message"]), entry


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_import_link_errors_are_rendered(world: World, admin: dict[str, str], locale: str) -> None:
    c = world.client
    headers = {**admin, "Accept-Language": locale}
    for name in ("Twin", "Twin2"):
        assert c.post(f"{R}/customer", json={"name": name}, headers=admin).status_code == 201
    data = b"customer,status\r\nNobody,draft\r\n"
    response = c.post(f"{R}/sales_order/import", files={"file": ("o.csv", data, "text/csv")}, headers=headers)
    assert response.status_code == 422
    problem = response.json()
    _assert_rendered(problem)
    assert [e["code"] for e in problem["errors"]] == ["import.link_unknown"]
    assert "Nobody" in problem["errors"][0]["message"]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_record_and_query_errors_are_rendered(world: World, admin: dict[str, str], locale: str) -> None:
    c = world.client
    headers = {**admin, "Accept-Language": locale}
    for body in ({"name": "X", "tier": 7}, {"name": "X", "tier": True}, {"name": "X", "credit_limit": "abc"}):
        response = c.post(f"{R}/customer", json=body, headers=headers)
        assert response.status_code == 422, body
        _assert_rendered(response.json())
    listed = c.get(f"{R}/customer", params={"filter": '{"field": "credit_limit", "op": "gt", "value": "abc"}'},
                   headers=headers)
    assert 400 <= listed.status_code < 500
    _assert_rendered(listed.json())


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_put_another_apps_body_names_both_keys_at_a_json_pointer(world: World, admin: dict[str, str],
                                                                 locale: str) -> None:
    c = world.client
    body = c.get("/api/v1/apps/tasks", headers=admin).json()["definition"]
    response = c.put("/api/v1/apps/sales", json=body, headers={**admin, "Accept-Language": locale})
    assert response.status_code == 422
    problem = response.json()
    _assert_rendered(problem)
    assert problem["code"] == "api.app_key_mismatch"
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [("/key", "api.app_key_mismatch")]
    assert "tasks" in problem["detail"] and "sales" in problem["detail"]
    assert "tasks" in problem["errors"][0]["message"] and "sales" in problem["errors"][0]["message"]


def test_definition_errors_are_at_json_pointers(world: World, admin: dict[str, str]) -> None:
    c = world.client
    body = c.get("/api/v1/apps/tasks", headers=admin).json()["definition"]
    body["entities"][0]["fields"].append({"name": "title", "type": "nope"})
    response = c.put("/api/v1/apps/tasks", json=body, headers=admin)
    assert response.status_code == 422
    problem = response.json()
    _assert_rendered(problem)
    assert problem["errors"] and all(e["path"].startswith("/") for e in problem["errors"]), problem["errors"]
