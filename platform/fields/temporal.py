"""Date and datetime field types. Datetimes are stored in UTC and returned timezone-aware."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.api_schemas import DATE, DATE_TIME, EntityRef, Schema
from jimu.platform.fields.base import Checker, FieldType, Problem, ValueConversionError, check_range, range_checker
from jimu.platform.registry.model import FieldDef
from jimu.platform.storage.sqltypes import UTCDateTime

if TYPE_CHECKING:
    from jimu.platform.registry.catalog import Catalog

_BOUNDS: dict[str, Any] = {"min": {"type": "string"}, "max": {"type": "string"}}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


class DateType(FieldType):
    name = "date"
    cursor_kind = "date"
    label = {"en": "Date", "zh-CN": "日期"}
    properties: ClassVar[dict[str, Any]] = _BOUNDS

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.DATE

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return dict(DATE)

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa.Date()

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            text = value.strip()
            if len(text) == 10 and text[4] == "-" and text[7] == "-":  # ISO, the usual form: no strptime
                try:
                    return date.fromisoformat(text)
                except ValueError:
                    pass
            for fmt in _DATE_FORMATS:
                try:
                    return datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
            try:
                return datetime.fromisoformat(text).date()
            except ValueError:
                pass
        raise ValueConversionError("value.not_date")

    def to_json(self, field: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat()

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        return check_range(self, field, value)

    def checker(self, field: FieldDef) -> Checker | None:
        if self.overrides(DateType, "coerce", "check_value"):
            return super().checker(field)
        return range_checker(self, field)


class DateTimeType(FieldType):
    name = "datetime"
    cursor_kind = "datetime"
    label = {"en": "Date and time", "zh-CN": "日期时间"}
    properties: ClassVar[dict[str, Any]] = _BOUNDS

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.DATETIME

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        return dict(DATE_TIME)

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return UTCDateTime()

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            moment = value
        elif isinstance(value, date):
            moment = datetime(value.year, value.month, value.day)
        elif isinstance(value, str):
            text = value.strip().replace("Z", "+00:00").replace("/", "-")
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                raise ValueConversionError("value.not_datetime") from None
        else:
            raise ValueConversionError("value.not_datetime")
        if moment.tzinfo is None:  # naive input is taken as UTC
            moment = moment.replace(tzinfo=UTC)
        try:
            return moment.astimezone(UTC)
        except OverflowError:  # 9999-12-31T23:59-23:59 is past year 9999 in UTC
            raise ValueConversionError("value.not_datetime") from None

    def to_json(self, field: FieldDef, value: Any) -> Any:
        return None if value is None else value.isoformat()

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        return check_range(self, field, value)

    def checker(self, field: FieldDef) -> Checker | None:
        if self.overrides(DateTimeType, "coerce", "check_value"):
            return super().checker(field)
        return range_checker(self, field)


TYPES: tuple[type[FieldType], ...] = (DateType, DateTimeType)
