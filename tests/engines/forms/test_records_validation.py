"""Story: the server checks every write and lists every problem per field; nothing is written on failure."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from jimu.engines.forms import records
from jimu.platform.errors import ValidationError

from .records_support import Shop


def _paths(error: ValidationError) -> dict[str, str]:
    return {d.path: d.code for d in error.details}


def test_every_problem_is_listed_per_field_including_lines_and_nothing_is_written(shop: Shop) -> None:
    customer = shop.customer()
    bike = shop.product()
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.create(ctx, "sales_order", {
            "customer": 999, "discount": 150, "colour": "red", "subtotal": 5,
            "lines": [{"product": bike["id"], "qty": 1, "price": "1.00"},
                      {"product": bike["id"], "qty": "lots", "price": "1.00"},
                      {"qty": -1, "price": "x"}],
        }))
    assert _paths(failed.value) == {
        "customer": "records.link_not_found", "discount": "value.above_max", "colour": "records.unknown_field",
        "subtotal": "records.computed", "lines/1/qty": "value.not_number", "lines/2/qty": "value.below_min",
        "lines/2/price": "value.not_number", "lines/2/product": "value.required",
    }
    assert failed.value.details[0].message
    assert shop.count("t_sales_order") == 0 and shop.count("t_sales_order_line") == 0
    assert shop.count("jimu_number_series") == 0
    assert customer["id"]


def test_messages_follow_the_locale(shop: Shop) -> None:
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.create(ctx, "customer", {"email": "nope"}), locale="zh-CN")
    messages = {d.path: d.message for d in failed.value.details}
    assert messages["name"] == "此字段为必填项。"
    assert set(messages) == {"name", "email"}
    assert failed.value.message == "记录有错误。"


def test_a_link_must_point_to_a_live_record_passing_the_link_filter(shop: Shop) -> None:
    sleepy = shop.customer("Sleepy", active=False)
    gone = shop.customer("Gone")
    shop.run(lambda ctx: records.delete(ctx, "customer", gone["id"]))
    for target, code in ((sleepy, "records.link_filtered"), (gone, "records.link_deleted")):
        with pytest.raises(ValidationError) as failed:
            shop.run(lambda ctx, target=target: records.create(ctx, "sales_order", {"customer": target["id"]}))
        assert _paths(failed.value) == {"customer": code}


def test_computed_and_system_values_may_be_sent_back_unchanged(shop: Shop) -> None:
    customer = shop.customer()
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    sent = {k: v for k, v in order.items() if k not in ("customer_email",)}
    sent["notes"] = "call first"
    updated = shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], sent))
    assert updated["notes"] == "call first" and updated["_version"] == 2
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"total": "1.00", "number": "X"}))
    assert _paths(failed.value) == {"total": "records.computed", "number": "records.computed"}


def test_required_if_is_checked_on_the_record_as_written(shop: Shop) -> None:
    customer = shop.customer()
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {"status": "cancelled"}))
    assert _paths(failed.value) == {"cancel_reason": "value.required"}
    assert shop.run(lambda ctx: records.get(ctx, "sales_order", order["id"]))["status"] == "draft"
    done = shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"],
                                               {"status": "cancelled", "cancel_reason": "duplicate"}))
    assert done["status"] == "cancelled"


def test_a_failing_rule_rolls_back_the_whole_write(shop: Shop) -> None:
    customer = shop.customer("Small", credit_limit=100)
    bike = shop.product()
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {
        "customer": customer["id"], "lines": [{"product": bike["id"], "qty": 1, "price": "60"}]}))
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.update(ctx, "sales_order", order["id"], {
            "lines": [*order["lines"], {"product": bike["id"], "qty": 1, "price": "60"}]}))
    assert [(d.path, d.code, d.message) for d in failed.value.details] == [
        ("", "records.rule_failed", "The order total exceeds the customer's credit limit.")]
    again = shop.run(lambda ctx: records.get(ctx, "sales_order", order["id"]))
    assert len(again["lines"]) == 1 and again["total"] == Decimal("60.00") and again["_version"] == 1
    assert shop.run(lambda ctx: records.get(ctx, "customer", customer["id"]))["order_total"] == Decimal("60.00")
    with shop.work() as ctx:  # caught inside the unit of work: the savepoint already undid the write
        with pytest.raises(ValidationError):
            records.create(ctx, "sales_order", {"customer": customer["id"], "lines": [
                {"product": bike["id"], "qty": 2, "price": "60"}]})
        assert ctx.conn.execute(sa.select(sa.func.count()).select_from(ctx.tables["sales_order"])).scalar() == 1
    assert shop.count("t_sales_order") == 1


def test_unique_values_count_only_live_rows(shop: Shop) -> None:
    first = shop.product("BIKE-1")
    with pytest.raises(ValidationError) as failed:
        shop.product("BIKE-1")
    assert _paths(failed.value) == {"sku": "records.unique"}
    assert "BIKE-1" in failed.value.details[0].message
    shop.run(lambda ctx: records.delete(ctx, "product", first["id"]))
    second = shop.product("BIKE-1")
    assert second["id"] != first["id"]
    with pytest.raises(ValidationError) as blocked:
        shop.run(lambda ctx: records.restore(ctx, "product", first["id"]))
    assert _paths(blocked.value) == {"sku": "records.unique"}


def test_the_unique_index_backs_the_check_up(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    from jimu.engines.forms import creating

    shop.product("BIKE-1")
    calls: list[int] = []
    real = creating.check_unique

    def skip_first(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 1:
            real(*args, **kwargs)

    monkeypatch.setattr(creating, "check_unique", skip_first)
    with pytest.raises(ValidationError) as failed:
        shop.product("BIKE-1")
    assert _paths(failed.value) == {"sku": "records.unique"}


def test_child_entities_are_written_only_through_their_parent(shop: Shop) -> None:
    with pytest.raises(ValidationError) as failed:
        shop.run(lambda ctx: records.create(ctx, "sales_order_line", {"qty": 1}))
    assert failed.value.code == "records.child_entity"


def test_defaults_and_default_expressions_fill_fields_not_given(shop: Shop) -> None:
    customer = shop.customer()
    assert (customer["tier"], customer["credit_limit"], customer["active"]) == ("standard", Decimal("10000.00"), True)
    order = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    assert order["order_date"] == shop.clock[0].date() and order["discount"] == Decimal("0.00")
    given = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"], "order_date": "2025-12-31",
                                                                    "status": None}))
    assert given["order_date"].isoformat() == "2025-12-31" and given["status"] is None


def test_read_only_if_freezes_a_field_once_its_condition_holds(engine: sa.engine.Engine) -> None:
    from .records_support import install, sales_app

    raw = sales_app()
    order = next(e for e in raw["entities"] if e["key"] == "sales_order")
    discount = next(f for f in order["fields"] if f["name"] == "discount")
    discount["read_only_if"] = "status = 'confirmed'"
    shop = install(engine, raw)
    customer = shop.customer()
    draft = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    shop.run(lambda ctx: records.update(ctx, "sales_order", draft["id"], {"discount": 5}))
    shop.run(lambda ctx: records.update(ctx, "sales_order", draft["id"], {"status": "confirmed"}))
    with pytest.raises(ValidationError) as refused:
        shop.run(lambda ctx: records.update(ctx, "sales_order", draft["id"], {"discount": 10}))
    assert _paths(refused.value) == {"discount": "records.read_only"}
    assert shop.run(lambda ctx: records.get(ctx, "sales_order", draft["id"]))["discount"] == Decimal("5.00")


def test_a_required_field_is_required_only_while_visible(engine: sa.engine.Engine) -> None:
    from .records_support import install, sales_app

    raw = sales_app()
    order = next(e for e in raw["entities"] if e["key"] == "sales_order")
    notes = next(f for f in order["fields"] if f["name"] == "notes")  # visible_if: status != 'draft'
    notes["required"] = True
    shop = install(engine, raw)
    customer = shop.customer()
    draft = shop.run(lambda ctx: records.create(ctx, "sales_order", {"customer": customer["id"]}))
    assert draft["notes"] is None
    with pytest.raises(ValidationError) as refused:
        shop.run(lambda ctx: records.update(ctx, "sales_order", draft["id"], {"status": "confirmed"}))
    assert _paths(refused.value) == {"notes": "value.required"}
    confirmed = shop.run(lambda ctx: records.update(ctx, "sales_order", draft["id"],
                                                    {"status": "confirmed", "notes": "Ship by sea"}))
    assert confirmed["status"] == "confirmed"
    bulk = shop.run(lambda ctx: records.create_many(ctx, "sales_order", [
        {"customer": customer["id"]}, {"customer": customer["id"], "status": "confirmed"}], all_or_nothing=False))
    assert bulk.created == 1 and [(e.row, e.field) for e in bulk.errors] == [(1, "notes")]
