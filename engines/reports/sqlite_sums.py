"""Exact sums of decimals on SQLite in its own arithmetic, without a Python call per row.

A decimal is stored as REAL. Below SAFE_FLOAT (at a scale of at most MAX_FAST_SCALE) `round(value * 10**scale)`
is the stored decimal in whole units exactly (the float is within far less than half a unit of it), so those
rows are summed as INTEGER units in SQL. The rare larger values go to the Python aggregate `jimu_dsum`
(FILTER), and once per group `jimu_dtotal(high, low, large, scale)` adds the parts exactly into the decimal
text a sum is read back from. Larger scales use `jimu_dsum` for every row.

The units are summed in one 64-bit SUM first (narrow): SQLite raises "integer overflow" rather than
wrapping, so a sum is never silently wrong, and such a statement is run again split (`split=True`): each
unit count in a high and a low part (`units / 10**9` truncated, `units % 10**9`; exact), summed separately,
which cannot overflow below 9 * 10**9 rows but costs a second rounding per row (about a tenth of a month x
region report at 1M rows).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

SAFE_FLOAT = 1e12  # as in sqlite_functions.DecimalSum: below it, the rounded units are the stored decimal
MAX_FAST_SCALE = 3
SPLIT = 10 ** 9  # units = high * SPLIT + low; each part's sum stays far inside 64 bits


def sqlite_exact_sum(value: ColumnElement[Any], scale: int, split: bool = False) -> ColumnElement[Any]:
    """The exact sum of `value` at `scale` places as decimal text (NULL when every value is NULL); narrow
    (one 64-bit SUM of the units, which raises "integer overflow" if it would overflow) unless `split`."""
    if scale > MAX_FAST_SCALE:
        return sa.func.jimu_dsum(value, scale, type_=sa.String())
    small = sa.func.abs(value) < SAFE_FLOAT
    units = sa.cast(sa.func.round(value * (10 ** scale)), sa.Integer())
    large = sa.func.jimu_dsum(value, scale).filter(sa.not_(small))
    if not split:
        return sa.func.jimu_dtotal(sa.null(), sa.func.sum(units).filter(small), large, scale, type_=sa.String())
    high = sa.func.sum(units // SPLIT).filter(small)
    low = sa.func.sum(units % SPLIT).filter(small)
    return sa.func.jimu_dtotal(high, low, large, scale, type_=sa.String())


def overflowed(error: BaseException) -> bool:
    """Whether SQLite stopped a statement because an integer SUM overflowed 64 bits."""
    return "integer overflow" in str(getattr(error, "orig", error))


def decimal_total(high: Any, low: Any, large: Any, scale: Any) -> str | None:
    """`jimu_dtotal`: the parts of an exact sum added as decimal text; None when there were no values."""
    if high is None and low is None and large is None:
        return None
    units = int(high or 0) * SPLIT + int(low or 0)
    total = Decimal(units).scaleb(-int(scale))
    if large is not None:
        total += Decimal(str(large))
    return str(total)
