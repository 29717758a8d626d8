"""The baseline of the API bench: a bare FastAPI app running the same SQL as Jimu on the same database.

No authentication, no definitions, no policy, no audit: one statement per request (a SELECT, or an
INSERT ... RETURNING for a create), rows to JSON. Run by
api_bench.py as `python bench/bare_api.py --database-url URL --port PORT` (loopback only).
"""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from starlette.responses import Response

from jimu.platform.database import READ_MOSTLY, create_engine
from jimu.platform.storage.sqltypes import UTCDateTime
from jimu.web.cli.serve_commands import server_options

COLUMNS = "id, _version, _created_at, _created_by, _updated_at, _updated_by, _deleted_at, name, city, credit, active"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _json(content: Any, status_code: int = 200) -> Response:
    body = json.dumps(content, default=_plain, separators=(",", ":")).encode("utf-8")
    return Response(body, status_code=status_code, media_type="application/json")


def create(database_url: str, *, on_engine: Callable[[Engine], None] | None = None) -> FastAPI:
    """The app on `database_url` (`on_engine`: called with its engine first, e.g. to count statements)."""
    base = create_engine(database_url)
    if on_engine is not None:
        on_engine(base)
    # Reads begin deferred on SQLite, as Jimu's GETs do (a plain connection would BEGIN IMMEDIATE and queue
    # every reader behind the write lock, which would flatter Jimu).
    engine = base.execution_options(**{READ_MOSTLY: True})
    app = FastAPI()
    by_id = sa.text(f"SELECT {COLUMNS} FROM t_customer WHERE id = :id AND _deleted_at IS NULL")
    by_city = sa.text(f"SELECT {COLUMNS} FROM t_customer WHERE city = :city AND _deleted_at IS NULL "
                      "ORDER BY id LIMIT :limit")

    @app.get("/customer/{record_id}")
    def get(record_id: int) -> Response:
        with engine.connect() as conn:
            row = conn.execute(by_id, {"id": record_id}).mappings().first()
        if row is None:
            return _json({"detail": "not found"}, 404)
        return _json({k: _plain(v) for k, v in row.items()})

    insert = sa.text("INSERT INTO t_customer (_version, _created_at, _updated_at, name, city, credit, active) "
                     f"VALUES (1, :now, :now, :name, :city, :credit, :active) RETURNING {COLUMNS}").bindparams(
        sa.bindparam("now", type_=UTCDateTime()), sa.bindparam("credit", type_=sa.Numeric(18, 2)))

    @app.post("/customer", status_code=201)
    def create_(body: dict[str, Any]) -> Response:
        values = {"now": datetime.now(UTC), "name": str(body["name"]), "city": body.get("city"),
                  "credit": Decimal(str(body.get("credit", "0"))), "active": bool(body.get("active"))}
        with engine.execution_options(**{READ_MOSTLY: False}).begin() as conn:
            row = conn.execute(insert, values).mappings().one()
        return _json({k: _plain(v) for k, v in row.items()}, 201)

    @app.get("/customer")
    def list_(city: str, limit: int = 20) -> Response:
        with engine.connect() as conn:
            rows = conn.execute(by_city, {"city": city, "limit": limit + 1}).mappings().all()
        data = [{k: _plain(v) for k, v in row.items()} for row in rows[:limit]]
        return _json({"data": data, "has_more": len(rows) > limit})

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # the server settings of `jimu serve --log-level warning` (web/cli/serve_commands.py), so both apps
    # are measured on the same server
    uvicorn.run(create(args.database_url), host="127.0.0.1", port=args.port,
                **server_options("warning", access_log=False))


if __name__ == "__main__":
    main()
