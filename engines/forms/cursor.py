"""Keyset pagination: opaque cursors (base64url JSON of the last row's sort values) and the next-page WHERE.

NULLs sort where the database puts them natively, so that a plain b-tree index can serve the sort
(no `NULLS FIRST/LAST` clause is ever written):

* PostgreSQL (and Oracle): NULL is the largest value: ascending keys give NULLs last, descending
  keys NULLs first.
* SQLite (and MySQL, SQL Server): NULL is the smallest value: ascending keys give NULLs first,
  descending keys NULLs last.

The next-page condition is the row-value comparison `(k1, k2, ..., id) > (v1, v2, ..., last_id)`
in the sort's order, expanded into OR/AND form so that mixed ascending/descending keys and NULLs
follow the same dialect rule as the ORDER BY.
"""
from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate

MAX_CURSOR_LENGTH = 8192
CURSOR_VERSION = 1
# Python kind of a sort value → the tags a cursor may carry for it.
_ACCEPTED_TAGS = {"int": {"i"}, "decimal": {"d", "i"}, "date": {"D"}, "datetime": {"T"}, "bool": {"b"}, "str": {"s"}}
# Dialects that sort NULL as the largest value; every other one sorts it as the smallest.
NULLS_HIGH_DIALECTS = frozenset({"postgresql", "oracle"})


def nulls_sort_high(dialect: str) -> bool:
    """Whether `dialect` sorts NULL after every value in ascending order (see the module docstring)."""
    return dialect in NULLS_HIGH_DIALECTS


@dataclass(frozen=True)
class KeyColumn:
    """One ORDER BY key: its SQL, direction, whether it can be NULL and the Python kind of its values."""

    name: str
    sql: ColumnElement[Any]
    descending: bool
    nullable: bool
    kind: str  # int | decimal | date | datetime | bool | str
    nulls_high: bool = False  # the dialect sorts NULL as the largest value (`nulls_sort_high`)

    @property
    def nulls_first(self) -> bool:
        """Whether NULLs come before every value in this key's order (the dialect's native placement)."""
        return self.nulls_high == self.descending

    def order_by(self, sql: ColumnElement[Any] | None = None) -> ColumnElement[Any]:
        """The ORDER BY term (of `sql`, e.g. a label of the same value, when given): native NULL placement."""
        target = self.sql if sql is None else sql
        return target.desc() if self.descending else target.asc()


def order_by(keys: Sequence[KeyColumn]) -> list[ColumnElement[Any]]:
    return [key.order_by() for key in keys]


def after_condition(keys: Sequence[KeyColumn], values: Sequence[Any]) -> ColumnElement[bool]:
    """Rows strictly after the row whose key values are `values`, in the order of `keys` (native NULL placement)."""
    alternatives: list[ColumnElement[bool]] = []
    equal_prefix: list[ColumnElement[bool]] = []
    for key, value in zip(keys, values):
        after = _after(key, value)
        if after is not None:
            alternatives.append(sa.and_(*equal_prefix, after) if equal_prefix else after)
        equal_prefix.append(key.sql.is_(None) if value is None else key.sql == _param(key, value))
    condition = sa.or_(*alternatives) if alternatives else sa.false()
    first, first_value = keys[0], values[0]
    if first_value is not None and len(keys) > 1 and (not first.nullable or first.nulls_first):
        # Every later row has a value on the leading key (NULLs, if any, came first) and it is not
        # beyond the cursor's: a redundant range that lets the database seek an index instead of scanning.
        param = _param(first, first_value)
        bound = first.sql <= param if first.descending else first.sql >= param
        condition = sa.and_(bound, condition)
    return condition


def _after(key: KeyColumn, value: Any) -> ColumnElement[bool] | None:
    """Rows after `value` on this key alone."""
    if value is None:  # after a NULL: every value when NULLs come first, nothing when they come last
        return key.sql.is_not(None) if key.nulls_first else None
    param = _param(key, value)
    beyond = key.sql < param if key.descending else key.sql > param
    if key.nullable and not key.nulls_first:
        # "beyond, or NULL" as one term, `(key < v) IS NOT FALSE`: written as an OR, SQLite may fetch
        # each branch through the index (MULTI-INDEX OR) and sort every later row instead of walking
        # the index in order.
        return beyond.is_not(sa.false())
    return beyond


def _param(key: KeyColumn, value: Any) -> ColumnElement[Any]:
    """A bound value typed like its key (booleans too, which SQLAlchemy will not compare with < or >)."""
    return sa.bindparam(None, value, type_=key.sql.type)


# ---- the opaque token ----------------------------------------------------------------------------


def encode_cursor(keys: Sequence[KeyColumn], values: Sequence[Any]) -> str:
    payload = {"v": CURSOR_VERSION, "s": signature(keys), "k": [_encode_value(v) for v in values]}
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, keys: Sequence[KeyColumn]) -> list[Any]:
    """The key values a cursor carries, checked against the current sort; a bad cursor is a ValidationError."""
    if not isinstance(token, str) or not token or len(token) > MAX_CURSOR_LENGTH:
        raise _bad_cursor("query.cursor_invalid")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        payload = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise _bad_cursor("query.cursor_invalid") from None
    if not isinstance(payload, dict) or payload.get("v") != CURSOR_VERSION or not isinstance(payload.get("k"), list):
        raise _bad_cursor("query.cursor_invalid")
    if payload.get("s") != signature(keys):
        raise _bad_cursor("query.cursor_sort_mismatch")
    encoded = payload["k"]
    if len(encoded) != len(keys):
        raise _bad_cursor("query.cursor_invalid")
    values = [_decode_value(item, key) for item, key in zip(encoded, keys)]
    if values[-1] is None:
        raise _bad_cursor("query.cursor_invalid")
    return values


def signature(keys: Sequence[KeyColumn]) -> str:
    return ",".join(f"-{k.name}" if k.descending else k.name for k in keys)


def _encode_value(value: Any) -> list[Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, float):
        return ["d", repr(value)]
    if isinstance(value, datetime):
        return ["T", value.isoformat()]
    if isinstance(value, date):
        return ["D", value.isoformat()]
    return ["s", str(value)]


def _decode_value(item: Any, key: KeyColumn) -> Any:
    if item is None:
        if not key.nullable:
            raise _bad_cursor("query.cursor_invalid")
        return None
    if not isinstance(item, list) or len(item) != 2 or item[0] not in _ACCEPTED_TAGS.get(key.kind, ()):
        raise _bad_cursor("query.cursor_invalid")
    tag, value = item
    try:
        if tag == "b" and isinstance(value, bool):
            return value
        if tag == "i" and isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value) if key.kind == "decimal" else value
        if tag == "d" and isinstance(value, str):
            number = Decimal(value)
            if number.is_finite():
                return number
        if tag == "D" and isinstance(value, str):
            return date.fromisoformat(value)
        if tag == "T" and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return moment
        if tag == "s" and isinstance(value, str):
            return value
    except (ValueError, InvalidOperation):
        pass
    raise _bad_cursor("query.cursor_invalid")


def _bad_cursor(code: str) -> ValidationError:
    message = translate(code, "en")
    return ValidationError(message, code=code, details=[ErrorDetail("cursor", code, {}, message)])
