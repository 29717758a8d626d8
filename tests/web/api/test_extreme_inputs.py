"""Property: extreme values of every field type — huge and tiny numbers, NaN and infinities, exponents,
overlong text, control characters, NUL, lone surrogates and other unusual Unicode, out-of-range dates, odd
shapes — sent through the records API, the HTTP API, CSV import and list filters, on SQLite and PostgreSQL:
every outcome is a success or a 4xx whose problems are placed at a field, never an exception or a 5xx.

Runs with fresh randomness (Hypothesis prints `--hypothesis-seed=...` to replay a failure); the example
count is kept small so the suite stays fast.
"""
from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jimu.engines.forms import records
from jimu.engines.forms.listing import list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.errors import JimuError

from .conftest import World

EVERYTHING = json.loads((Path(__file__).parents[2] / "fixtures" / "apps" / "everything.json").read_text("utf-8"))
THING = next(e for e in EVERYTHING["entities"] if e["key"] == "thing")
WRITABLE = [f["name"] for f in THING["fields"] if f["type"] not in ("auto_number", "formula", "rollup", "lookup")]
LINE_FIELDS = ["qty", "price", "peer"]
EXAMPLES = 30
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NUMBERS: list[Any] = [2**63, -(2**63) - 1, 2**63 - 1, 10**30, -(10**400), 1e308, -1e308, 5e-324, float("nan"),
                      float("inf"), float("-inf"), 0.1, -0.0, "1e999999", "-1e-999999", "1e99999999", "NaN",
                      "Infinity", "-inf", "1_000", "１２３", "٣", "0x10", "1e", " 12 ", "1,5", "12%", "9" * 60,
                      "0." + "0" * 60 + "1", "+-1", "²"]
TEXTS: list[Any] = ["\x00", "a\x00b", "\ud800", "x\udfff", "\u202eevil", "\ufeff", "\x1b[31m", "\r\n\t",
                    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "e\u0301", "中文" * 600, "a" * 1_001, " ", "\u0085", "\u2028", "'; DROP TABLE t_thing; --"]
DATES: list[Any] = ["0000-01-01", "0001-01-01", "9999-12-31", "10000-01-01", "-0001-01-01", "2026-02-30",
                    "2026-13-01", "2026-1-1", "20260101", "1970-01-01T00:00:00+99:00", "9999-12-31T23:59:59-23:59",
                    "0001-01-01T00:00:00+14:00", "2026-03-14T25:00:00", "9" * 30 + "-01-01", "2026-03-14T09:30:00Z",
                    1e20, -(2**63), 1710408600]
SHAPES: list[Any] = [None, True, False, {}, [], [{}], {"id": {}}, [[[]]], {"name": "x\x00"}, [{"name": "\ud800"}],
                     {"id": 2**64}, [None], ["x", "x"], [2**63]]


def extreme_values() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.sampled_from(NUMBERS + TEXTS + DATES + SHAPES),
        st.integers(), st.floats(allow_nan=True, allow_infinity=True),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.text(st.characters(codec=None, exclude_categories=()), max_size=30),
        st.text(st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=5),
        st.from_regex(r"-?[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?)?",
                      fullmatch=True),
    )


def writes() -> st.SearchStrategy[dict[str, Any]]:
    """A record body: a few fields with extreme values, sometimes a line with extreme values too."""
    values = st.dictionaries(st.sampled_from(WRITABLE), extreme_values(), min_size=1, max_size=3)
    line = st.dictionaries(st.sampled_from([*LINE_FIELDS, "id"]), extreme_values(), max_size=3)
    return st.tuples(values, st.lists(line, max_size=2)).map(
        lambda pair: {**pair[0], **({"lines": pair[1]} if pair[1] else {})})


@pytest.fixture
def everything(world: World) -> World:
    world.kernel.apply_app(EVERYTHING)
    with world.kernel.unit_of_work() as ctx:
        records.create(ctx, "peer", {"name": "Known"})
    return world


def assert_placed(error: JimuError, sent: dict[str, Any]) -> None:
    """A refusal is a 4xx whose every problem names a field that was sent (or the line it is in)."""
    assert 400 <= error.http_status < 500, error
    assert error.details, error
    for detail in error.details:
        assert detail.path.split("/")[0] in sent, (detail.path, detail.code, sent)


def unrendered_placeholders(message: str, sent: dict[str, Any]) -> list[str]:
    """`{name}` left in a message by a catalogue template (not one quoting a value that was sent)."""
    quoted = json.dumps(sent, ensure_ascii=False, default=str)
    return [p for p in re.findall(r"\{[a-z_][a-z0-9_]*\}", message) if p not in quoted]


def assert_problem(response: Any, sent: dict[str, Any]) -> None:
    assert response.status_code < 500, (response.text, sent)
    if response.status_code >= 400:
        problem = response.json()
        assert problem["errors"], problem
        for entry in problem["errors"]:
            assert entry["message"], entry
            assert not unrendered_placeholders(entry["message"], sent), entry
            assert entry["path"].split("/")[0] in sent, (entry, sent)


@PROPERTY
@given(body=writes())
def test_records_api_refuses_extreme_values_at_their_field(everything: World, body: dict[str, Any]) -> None:
    try:
        with everything.kernel.unit_of_work() as ctx:
            created = records.create(ctx, "thing", body)
            records.update(ctx, "thing", created["id"], body)
    except JimuError as refused:
        assert_placed(refused, body)


def _jsonable(body: dict[str, Any]) -> bool:
    try:
        json.dumps(body, allow_nan=False)
    except ValueError:
        return False
    return True


@PROPERTY
@given(body=writes())
def test_http_api_answers_extreme_values_with_a_field_level_4xx(everything: World, body: dict[str, Any]) -> None:
    headers = {**everything.headers("admin"), "Content-Type": "application/json"}
    # NaN and infinities are not JSON; Python's encoder still writes them, as some clients do
    content = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
    response = everything.client.post("/api/v1/records/thing", content=content, headers=headers)
    if response.status_code == 400 and not _jsonable(body):
        return  # refused as malformed JSON: a 4xx about the body, not about a field
    if response.status_code == 400 and response.json()["code"] == "api.malformed_json":
        return  # a lone surrogate is not UTF-8
    assert_problem(response, body)


def _cell(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    return value if isinstance(value, str) else json.dumps(value) if isinstance(value, (dict, list)) else str(value)


@PROPERTY
@given(body=st.dictionaries(st.sampled_from([f for f in WRITABLE if f != "lines"]), extreme_values(),
                            min_size=1, max_size=3))
def test_import_answers_extreme_cells_with_row_errors_or_a_4xx(everything: World, body: dict[str, Any]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(body))
    writer.writerow([_cell(v) for v in body.values()])
    data = out.getvalue().encode("utf-8", "surrogatepass")
    response = everything.client.post("/api/v1/records/thing/import", files={"file": ("t.csv", data, "text/csv")},
                                      headers=everything.headers("admin"))
    assert response.status_code < 500, response.text
    if response.status_code >= 400:  # (unfilled placeholders in import messages: issue 7 §6, tested there)
        problem = response.json()
        assert problem["detail"], problem
        for entry in problem["errors"]:
            assert entry["message"] and entry["path"].startswith("rows/"), entry
    else:
        assert response.json()["created"] <= 1


@PROPERTY
@given(name=st.sampled_from([f for f in WRITABLE if f not in ("lines", "file")]), value=extreme_values(),
       op=st.sampled_from(["eq", "ne", "lt", "gte", "contains", "in"]))
def test_list_filters_with_extreme_values_answer_or_refuse_typed(everything: World, name: str, value: Any,
                                                                  op: str) -> None:
    try:
        query = ListQuery(filters=[{"field": name, "op": op, "value": [value] if op == "in" else value}])
        with everything.kernel.unit_of_work() as ctx:
            list_records(ctx, "thing", query)
    except JimuError as refused:
        assert 400 <= refused.http_status < 500, refused


@pytest.mark.parametrize("sent", ["²", "١", "9" * 40])
def test_digit_lookalikes_are_no_number_over_http(everything: World, sent: str) -> None:
    """`str.isdigit` accepts '²' and Arabic digits (int() then fails or grows): only ASCII digits are read."""
    headers = everything.headers("admin")
    created = everything.client.post("/api/v1/records/peer", json={"name": "P"}, headers=headers).json()
    changed = everything.client.patch(f"/api/v1/records/peer/{created['id']}", json={"name": "Q", "_version": sent},
                                      headers=headers)
    assert changed.status_code in (409, 422), changed.text
    data = f"title,peer\nT,{sent}\n".encode()
    imported = everything.client.post("/api/v1/records/thing/import", files={"file": ("t.csv", data, "text/csv")},
                                      headers=headers)
    assert imported.status_code == 422, imported.text
    assert [e["path"] for e in imported.json()["errors"]] == ["rows/2/peer"]
