"""Stored computed values that their column cannot hold are refused, naming the field, on both databases.

A formula or rollup can compute a number larger than its declared precision (SQLite would store float
noise, PostgreSQL refuses the row) or a date past year 9999 (SQLite's date helpers raise, PostgreSQL
stores a year Python cannot read). Each such field's value is written through a guard that stores NULL
instead; the UPDATE returns which guarded columns came out NULL, and only then is the guard asked again
for those rows, so the common case costs no extra statement.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions.limits import INTEGER_MAX, INTEGER_MIN
from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.storage.sqltypes import UTCDateTime

OUT_OF_RANGE = "value.computed_out_of_range"
_SQLITE_FUNCTION_FAILED = "user-defined function raised exception"


@dataclass(frozen=True)
class Guard:
    """A stored computed field whose value may not fit its column: `bad` is true for such a value."""

    field: FieldDef
    value: ColumnElement[Any]
    bad: ColumnElement[bool]


def out_of_range(value: ColumnElement[Any], column_type: sa.types.TypeEngine[Any],
                 dialect: str) -> ColumnElement[bool] | None:
    """SQL that is true when `value` does not fit `column_type`; None when the database itself guards it."""
    sqlite = dialect == "sqlite"
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float) and column_type.precision:
        limit = Decimal(10) ** (column_type.precision - (column_type.scale or 0))
        bound = sa.literal(float(limit)) if sqlite else sa.cast(sa.literal(limit), sa.Numeric())
        return sa.func.abs(value) >= bound
    if isinstance(column_type, sa.BigInteger) and sqlite:  # SQLite turns an overflowing integer into a REAL
        return sa.or_(sa.func.typeof(value) == "real", value > INTEGER_MAX, value < INTEGER_MIN)
    if sqlite:  # SQLite's date helpers raise on a date out of range (see `failed_function`)
        return None
    if isinstance(column_type, UTCDateTime):
        low, high = datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC)
        return sa.or_(value < sa.literal(low, UTCDateTime()), value > sa.literal(high, UTCDateTime()))
    if isinstance(column_type, sa.Date):
        return sa.or_(value < sa.literal(date(1, 1, 1), sa.Date()), value > sa.literal(date(9999, 12, 31), sa.Date()))
    return None


def guarded(value: ColumnElement[Any], bad: ColumnElement[bool] | None) -> ColumnElement[Any]:
    """The value, or NULL where it does not fit."""
    return value if bad is None else sa.case((bad, sa.null()), else_=value)


def failed_function(error: sa.exc.DBAPIError) -> bool:
    """Whether a statement failed because one of Jimu's SQLite helpers raised (a date out of range)."""
    return _SQLITE_FUNCTION_FAILED in str(error.orig)


def check_guards(conn: sa.Connection, table: sa.Table, guards: list[Guard], rows: list[sa.Row[Any]],
                 entity: EntityDef, locale: str = "en") -> None:
    """After `UPDATE ... RETURNING id, <guarded columns>...`: refuse a value that did not fit (came out NULL)."""
    for position, guard in enumerate(guards, start=1):
        nulls = [row[0] for row in rows if row[position] is None]
        if not nulls:
            continue
        found = conn.execute(sa.select(table.c.id).where(table.c.id.in_(nulls[:1000]), guard.bad).limit(1)).first()
        if found is not None:
            raise refusal(entity, guard.field, int(found[0]), locale)


def refusal(entity: EntityDef, field: FieldDef, record_id: int | None, locale: str = "en") -> ValidationError:
    params = {"field": field.name, "entity": entity.key, "id": "?" if record_id is None else record_id}
    message = translate(OUT_OF_RANGE, locale, **params)
    return ValidationError(message, code=OUT_OF_RANGE, details=[
        ErrorDetail(path=field.name, code=OUT_OF_RANGE, params=params, message=message)], **params)


def find_failing(conn: sa.Connection, table: sa.Table, guards: list[Guard], where: ColumnElement[bool] | None,
                 entity: EntityDef, locale: str = "en") -> ValidationError | None:
    """The field whose value makes a SQLite helper raise (the failed statement left the transaction intact)."""
    for guard in guards:
        statement = sa.select(sa.func.count(guard.value)).select_from(table)
        try:
            conn.execute(statement if where is None else statement.where(where))
        except sa.exc.OperationalError as error:
            if failed_function(error):
                return refusal(entity, guard.field, None, locale)
            raise
    return None
