"""Story: extreme and malformed values get a typed, field-level refusal from the records API, never a raw
OverflowError, DataError, InvalidOperation or TypeError — on SQLite and PostgreSQL alike."""
from __future__ import annotations

from typing import Any

import pytest

from jimu.engines.forms import records
from jimu.engines.forms.listing import count_records, list_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.errors import NotFoundError, ValidationError

from .records_support import Shop, install, sales_app

BIG = 2**63
TASKS: dict[str, Any] = {"key": "tasks", "entities": [{"key": "task", "fields": [
    {"name": "title", "type": "text"},
    {"name": "owner", "type": "user"},
    {"name": "n", "type": "integer"},
    {"name": "amount", "type": "formula", "expression": "n * 1000000000000000000.0", "result_type": "decimal",
     "stored": True},
]}, {"key": "trip", "fields": [
    {"name": "start", "type": "datetime"},
    {"name": "day", "type": "date"},
    {"name": "n", "type": "integer"},
    {"name": "later", "type": "formula", "expression": "DATEADD(start, n, 'year')", "result_type": "datetime",
     "stored": True},
    {"name": "due", "type": "formula", "expression": "DATEADD(day, n, 'month')", "result_type": "date",
     "stored": True},
]}]}


@pytest.fixture
def shop(engine: Any) -> Shop:
    shop = install(engine, sales_app())
    shop.kernel.apply_app(TASKS)
    return shop


def refusal(shop: Shop, entity: str, values: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.create(ctx, entity, values))
    return {d.path: d.code for d in failed.value.details}


@pytest.mark.parametrize("expression", [
    f"{BIG} > 0", f"LEFT(name, {BIG}) = 'a'", f"RIGHT(name, {BIG}) = 'a'", f"ROUND(credit_limit, {BIG}) > 0",
    f"SWITCH(1, {BIG}, 'a', 'b') = 'a'", f"-{BIG} < 0", f"LEN(name) > {10**30}",
])
def test_integer_literals_beyond_64_bits_are_refused_in_filters_with_their_position(shop: Shop,
                                                                                     expression: str) -> None:
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: list_records(ctx, "customer", ListQuery(expression=expression)))
    assert [d.path for d in failed.value.details] == ["where"]
    assert "column" in failed.value.message.lower() or "列" in failed.value.message
    assert str(BIG) in failed.value.message or str(10**30) in failed.value.message


def test_arithmetic_overflow_in_a_filter_is_a_typed_refusal_or_an_answer(shop: Shop) -> None:
    """PostgreSQL refuses BIGINT overflow at run time; SQLite computes on in floating point: never a raw error."""
    shop.customer()
    expression = f"{BIG - 1} + credit_limit * 0 + 1 > 0 and {BIG - 1} * 2 > 0"
    try:
        count = shop.run(lambda ctx: count_records(ctx, "customer", ListQuery(expression=expression)))
    except ValidationError as refused:
        assert refused.code == "database.value_refused"
    else:
        assert count.value == 1


def test_ids_beyond_64_bits_are_not_ids(shop: Shop) -> None:
    assert refusal(shop, "sales_order", {"customer": 10**30}) == {"customer": "value.not_id"}
    assert refusal(shop, "sales_order", {"customer": BIG}) == {"customer": "value.not_id"}
    assert refusal(shop, "sales_order", {"customer": "9" * 400}) == {"customer": "value.not_id"}
    assert refusal(shop, "sales_order", {"customer": "١٢"}) == {"customer": "value.not_id"}
    assert refusal(shop, "task", {"owner": BIG}) == {"owner": "value.not_id"}
    for action in (lambda ctx: records.get(ctx, "customer", BIG),
                   lambda ctx: records.update(ctx, "customer", BIG, {"name": "x"}),
                   lambda ctx: records.delete(ctx, "customer", -BIG - 1)):
        with pytest.raises(NotFoundError):
            shop.run(action)


def test_malformed_numbers_are_refused_with_the_field_named(shop: Shop) -> None:
    assert refusal(shop, "customer", {"name": "A", "credit_limit": "1e999999"}) == {
        "credit_limit": "value.too_many_digits"}
    product = {"sku": "P-1", "name": "P", "price": "1"}
    assert refusal(shop, "product", {**product, "stock": 1e308}) == {"stock": "value.too_many_digits"}
    assert refusal(shop, "product", {**product, "stock": float("nan")}) == {"stock": "value.not_number"}
    assert refusal(shop, "product", {**product, "stock": "-Infinity"}) == {"stock": "value.not_number"}
    assert refusal(shop, "task", {"n": "1e99999999"}) == {"n": "value.out_of_range"}
    assert refusal(shop, "task", {"n": BIG}) == {"n": "value.out_of_range"}
    tiny = shop.run(lambda ctx: records.create(ctx, "product", {**product, "stock": "1e-999999"}))
    assert tiny["stock"] == 0


def test_a_stored_formula_beyond_its_precision_is_refused_naming_the_field(shop: Shop) -> None:
    assert refusal(shop, "task", {"n": 10**17}) == {"amount": "value.computed_out_of_range"}
    created = shop.run(lambda ctx: records.create(ctx, "task", {"n": 1000}))
    assert created["amount"] == 10**21
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.update(ctx, "task", created["id"], {"n": 10**18}))
    assert {d.path for d in failed.value.details} == {"amount"}
    assert shop.run(lambda ctx: records.get(ctx, "task", created["id"]))["n"] == 1000


def test_a_date_formula_past_year_9999_is_refused_not_stored_as_null(shop: Shop) -> None:
    assert refusal(shop, "trip", {"start": "2026-01-01T00:00:00Z", "n": 9000}) == {
        "later": "value.computed_out_of_range"}
    assert refusal(shop, "trip", {"day": "2026-01-31", "n": 100000}) == {"due": "value.computed_out_of_range"}
    fine = shop.run(lambda ctx: records.create(ctx, "trip", {"start": "2026-01-01T00:00:00Z", "day": "2026-01-31",
                                                               "n": 1}))
    assert fine["later"].year == 2027 and fine["due"].isoformat() == "2026-02-28"


def test_child_line_ids_must_be_record_ids(shop: Shop) -> None:
    customer, bike = shop.customer(), shop.product()
    line = {"product": bike["id"], "qty": "1", "price": "1"}
    for bad in ({}, [], "x", 1.5, True, BIG):
        assert refusal(shop, "sales_order", {"customer": customer["id"], "lines": [{**line, "id": bad}]}) == {
            "lines/0/id": "value.not_id"}


@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "\udfff"])
def test_text_no_database_can_store_is_refused(shop: Shop, text: str) -> None:
    assert refusal(shop, "customer", {"name": text}) == {"name": "value.unstorable_character"}
    assert refusal(shop, "sales_order", {"customer": shop.customer(f"C{len(text)}{ord(text[-1])}")["id"],
                                         "notes": text}) == {"notes": "value.unstorable_character"}


def test_a_nul_in_a_search_or_filter_value_is_a_typed_refusal_or_no_match(shop: Shop) -> None:
    shop.customer()
    for query in (ListQuery(search="a\x00"), ListQuery(filters=[{"field": "name", "op": "eq", "value": "a\x00"}])):
        try:
            page = shop.run(lambda ctx, q=query: list_records(ctx, "customer", q))
        except ValidationError as refused:
            assert refused.code in ("database.value_refused", "query.invalid_value", "value.unstorable_character")
        else:
            assert page.rows == []


def test_a_user_that_does_not_exist_is_refused_at_the_field(shop: Shop) -> None:
    assert refusal(shop, "task", {"owner": 0}) == {"owner": "records.user_not_found"}
    assert refusal(shop, "task", {"owner": 2**62}) == {"owner": "records.user_not_found"}


def test_a_datetime_past_year_9999_in_utc_is_refused(shop: Shop) -> None:
    assert refusal(shop, "trip", {"start": "9999-12-31T23:59:59-23:59"}) == {"start": "value.not_datetime"}
    assert refusal(shop, "trip", {"start": "0001-01-01T00:00:00+14:00"}) == {"start": "value.not_datetime"}
