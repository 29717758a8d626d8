"""Number field types: integer, decimal, money, percent. Decimals are `Decimal`, never float."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions.limits import INTEGER_MAX
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.api_schemas import DECIMAL_READ, INT64, EntityRef, Schema
from jimu.platform.fields.base import (
    Checker,
    Converter,
    FieldType,
    Problem,
    ValueConversionError,
    check_range,
    range_checker,
)
from jimu.platform.registry.model import FieldDef

if TYPE_CHECKING:
    from jimu.platform.registry.catalog import Catalog

_BOUNDS: dict[str, Any] = {"min": {"type": ["number", "string"]}, "max": {"type": ["number", "string"]}}
INTEGER_LIMIT = INTEGER_MAX
_INTEGER_DIGITS = len(str(INTEGER_LIMIT))  # a number with more digits is out of range whatever they are
# Room for every declared precision (at most 38 digits) while a value is rounded to its scale.
_FIT_CONTEXT = Context(prec=40)


def _number_text(value: str) -> str:
    """Accept thousands separators and surrounding blanks in typed or imported numbers."""
    return value.strip().replace(",", "").replace("_", "").replace("，", "")


class IntegerType(FieldType):
    name = "integer"
    cursor_kind = "int"
    label = {"en": "Integer", "zh-CN": "整数"}
    properties: ClassVar[dict[str, Any]] = _BOUNDS

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.INTEGER

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return dict(INT64)

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa.BigInteger()

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueConversionError("value.not_integer")
        if isinstance(value, int):
            number = value
        else:
            try:
                dec = Decimal(_number_text(value) if isinstance(value, str) else str(value))
            except (InvalidOperation, ValueError):
                raise ValueConversionError("value.not_integer") from None
            if not dec.is_finite():
                raise ValueConversionError("value.not_integer")
            if dec.adjusted() >= _INTEGER_DIGITS:  # before int(): `1e99999999` would build a huge number
                raise ValueConversionError("value.out_of_range")
            if dec != dec.to_integral_value():
                raise ValueConversionError("value.not_integer")
            number = int(dec)
        if abs(number) > INTEGER_LIMIT:
            raise ValueConversionError("value.out_of_range")
        return number

    def converter(self, field: FieldDef) -> Converter:
        if self.overrides(IntegerType, "coerce"):
            return super().converter(field)
        coerce = self.coerce

        def convert(value: Any) -> Any:
            if type(value) is str:  # plain digits (the usual cell): int() reads them as Decimal would
                try:
                    number = int(value)
                except ValueError:
                    return coerce(field, value)
                if abs(number) > INTEGER_LIMIT:
                    raise ValueConversionError("value.out_of_range")
                return number
            return coerce(field, value)

        return convert

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        return check_range(self, field, value)

    def checker(self, field: FieldDef) -> Checker | None:
        if self.overrides(IntegerType, "coerce", "check_value"):
            return super().checker(field)
        return range_checker(self, field)


class DecimalType(FieldType):
    name = "decimal"
    decimal_valued = True
    cursor_kind = "decimal"
    label = {"en": "Decimal", "zh-CN": "小数"}
    properties: ClassVar[dict[str, Any]] = {
        **_BOUNDS,
        "precision": {"type": "integer", "minimum": 1, "maximum": 38},
        "scale": {"type": "integer", "minimum": 0, "maximum": 12},
    }
    default_precision: ClassVar[int] = 18
    default_scale: ClassVar[int] = 4

    def precision_scale(self, field: FieldDef) -> tuple[int, int]:
        return int(field.get("precision", self.default_precision)), int(field.get("scale", self.default_scale))

    def check_definition(self, field: FieldDef, entity: Any, catalog: Catalog) -> list[Problem]:
        precision, scale = self.precision_scale(field)
        if scale > precision:
            return [Problem("definition.scale_exceeds_precision", {"precision": precision, "scale": scale})]
        return []

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.DECIMAL

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        if not write:
            return dict(DECIMAL_READ)
        precision, scale = self.precision_scale(field)
        whole = max(precision - scale, 1)
        fraction = rf"(\.[0-9]{{1,{scale}}})?" if scale else ""
        return {"type": "string", "format": "decimal", "pattern": rf"^-?[0-9]{{1,{whole}}}{fraction}$"}

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        precision, scale = self.precision_scale(field)
        return sa.Numeric(precision, scale, asdecimal=True)

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueConversionError("value.not_number")
        try:
            if isinstance(value, str):
                text = _number_text(value)
                dec = Decimal(text[:-1]) if text.endswith("%") and self.name == "percent" else Decimal(text)
            elif isinstance(value, float):
                dec = Decimal(repr(value))
            else:
                dec = Decimal(value)
        except (InvalidOperation, ValueError, TypeError):
            raise ValueConversionError("value.not_number") from None
        if not dec.is_finite():
            raise ValueConversionError("value.not_number")
        precision, scale = self.precision_scale(field)
        return _fit(dec, Decimal(1).scaleb(-scale), precision, scale)

    def converter(self, field: FieldDef) -> Converter:
        if self.overrides(DecimalType, "coerce", "precision_scale"):
            return super().converter(field)
        coerce = self.coerce
        precision, scale = self.precision_scale(field)
        quantum = Decimal(1).scaleb(-scale)
        percent = self.name == "percent"

        def convert(value: Any) -> Any:
            if type(value) is not str or value == "" or percent:
                return coerce(field, value)
            try:
                dec = Decimal(_number_text(value))
            except (InvalidOperation, ValueError):
                raise ValueConversionError("value.not_number") from None
            if not dec.is_finite():
                raise ValueConversionError("value.not_number")
            return _fit(dec, quantum, precision, scale)

        return convert

    def to_json(self, field: FieldDef, value: Any) -> Any:
        return None if value is None else str(value)

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        return check_range(self, field, value)

    def checker(self, field: FieldDef) -> Checker | None:
        if self.overrides(DecimalType, "coerce", "check_value", "precision_scale"):
            return super().checker(field)
        return range_checker(self, field)


def _fit(dec: Decimal, quantum: Decimal, precision: int, scale: int) -> Decimal:
    """A decimal rounded half-up to `scale` places, or too many digits (judged before rounding too, so a
    huge exponent such as `1e999999` is refused instead of rounded)."""
    if dec.adjusted() + 1 > precision - scale and dec != 0:
        raise ValueConversionError("value.too_many_digits", precision=precision, scale=scale)
    # cheaper than testing whether it is already there
    dec = dec.quantize(quantum, rounding=ROUND_HALF_UP, context=_FIT_CONTEXT)
    if dec.adjusted() + 1 > precision - scale and dec != 0:
        raise ValueConversionError("value.too_many_digits", precision=precision, scale=scale)
    return dec


class MoneyType(DecimalType):
    name = "money"
    label = {"en": "Money", "zh-CN": "金额"}
    properties: ClassVar[dict[str, Any]] = {
        **DecimalType.properties, "currency": {"type": "string", "pattern": "^[A-Z]{3}(?![\\s\\S])"}}
    default_scale = 2


class PercentType(DecimalType):
    """A percentage kept as the number shown: 12.5 means 12.5 %."""

    name = "percent"
    label = {"en": "Percent", "zh-CN": "百分比"}
    default_precision = 9
    default_scale = 2


TYPES: tuple[type[FieldType], ...] = (IntegerType, DecimalType, MoneyType, PercentType)
