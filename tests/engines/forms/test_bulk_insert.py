"""The bulk insert's driver-level executemany stores exactly what SQLAlchemy's Core executemany stores."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from jimu.engines.forms.bulk_insert import DriverInsert, TableInserter
from jimu.platform.storage.sqltypes import IdType, JsonType, UTCDateTime


def _table(name: str) -> sa.Table:
    return sa.Table(
        name, sa.MetaData(),
        sa.Column("id", IdType, primary_key=True, autoincrement=True),
        sa.Column("_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("_created_at", UTCDateTime()),
        sa.Column("_created_by", sa.BigInteger),
        sa.Column("code", sa.Text),
        sa.Column("qty", sa.BigInteger),
        sa.Column("price", sa.Numeric(18, 2)),
        sa.Column("day", sa.Date),
        sa.Column("ok", sa.Boolean(create_constraint=False)),
        sa.Column("tags", JsonType),
        sa.Column("state", sa.String(100)),
    )


ROWS: list[dict[str, Any]] = [
    {"code": "A-1", "qty": 3, "price": Decimal("1.50"), "day": date(2024, 2, 29), "ok": True, "tags": ["a", "b"],
     "state": "open"},
    {"code": "‘β’ 'quoted'", "qty": None, "price": None, "day": None, "ok": False, "tags": None, "state": None},
    {"code": None, "qty": -(2**62), "price": Decimal("-0.01"), "day": date(1999, 12, 31), "ok": None,
     "tags": {"k": [1, 2]}, "state": "closed"},
]
STAMP = {"_version": 1, "_created_at": datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), "_created_by": None}


def _stored(conn: sa.Connection, table: sa.Table) -> list[tuple[Any, ...]]:
    return [tuple(row)[1:] for row in conn.execute(sa.select(table).order_by(table.c.id))]


def test_driver_executemany_stores_what_core_executemany_stores(engine: Engine) -> None:
    core, driver = _table("t_core_insert"), _table("t_driver_insert")
    with engine.begin() as conn:
        core.create(conn)
        driver.create(conn)
        conn.execute(sa.insert(core), [{**row, **STAMP} for row in ROWS])
        inserter = TableInserter(driver)
        ids = inserter.insert(conn, [dict(row) for row in ROWS], STAMP)
        ids += inserter.insert(conn, [dict(ROWS[0])], STAMP)  # the compiled statement is reused
        assert len(ids) == 4 and ids == sorted(ids)
        assert list(inserter.compiled.values()) != [None]  # the driver path was taken, not the fallback
        assert _stored(conn, driver) == [*_stored(conn, core), _stored(conn, core)[0]]
        assert conn.execute(sa.select(driver.c.id).order_by(driver.c.id)).scalars().all() == ids


def test_columns_with_python_defaults_fall_back_to_core(engine: Engine) -> None:
    table = sa.Table("t_defaulted", sa.MetaData(), sa.Column("id", IdType, primary_key=True, autoincrement=True),
                     sa.Column("code", sa.Text), sa.Column("n", sa.Integer, default=7))
    assert DriverInsert.compile(sa.insert(table), engine.dialect, ("code",)) is None
    with engine.begin() as conn:
        table.create(conn)
        TableInserter(table).insert(conn, [{"code": "x"}, {"code": "y"}], {})
        assert conn.execute(sa.select(table.c.code, table.c.n).order_by(table.c.id)).all() == [("x", 7), ("y", 7)]


def test_a_duplicate_raises_sqlalchemys_integrity_error(engine: Engine) -> None:
    table = sa.Table("t_unique_insert", sa.MetaData(), sa.Column("id", IdType, primary_key=True, autoincrement=True),
                     sa.Column("code", sa.Text, unique=True))
    with engine.begin() as conn:
        table.create(conn)
        inserter = TableInserter(table)
        inserter.insert(conn, [{"code": "a"}], {})
        savepoint = conn.begin_nested()
        with pytest.raises(sa.exc.IntegrityError):
            inserter.insert(conn, [{"code": "b"}, {"code": "a"}], {})
        savepoint.rollback()
        assert conn.execute(sa.select(table.c.code)).scalars().all() == ["a"]
