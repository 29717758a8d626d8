"""Transitions whose actions create, update and post, through the API: the effects as JSON, a refusal as 422."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from jimu.platform.bootstrap import init_database
from jimu.platform.kernel import Kernel
from jimu.web.assembly import assemble

from .conftest import FIXTURES, World


def trade_app() -> dict[str, Any]:
    """The trading app of the workflow action tests (tests/engines/workflow/trade_app.py)."""
    path = Path(__file__).resolve().parents[2] / "engines" / "workflow" / "trade_app.py"
    spec = importlib.util.spec_from_file_location("workflow_trade_app", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app: dict[str, Any] = module.trade_app()
    return app


@pytest.fixture
def kernel(engine: Engine, tasks_app: dict[str, Any]) -> Kernel:
    init_database(engine)
    kernel = assemble(Kernel(engine))
    kernel.apply_app(json.loads((FIXTURES / "sales.json").read_text(encoding="utf-8")))
    kernel.apply_app(tasks_app)
    kernel.apply_app(trade_app())
    return kernel


def _post(world: World, path: str, **params: str) -> dict[str, object]:
    response = world.client.post(f"/api/v1/records/{path}", params=params, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_dry_run_then_run_of_a_reservation_through_the_api(world: World) -> None:
    admin = world.headers("admin")
    item = world.client.post("/api/v1/records/item", json={"name": "Gear", "on_hand": "2"}, headers=admin).json()
    res = world.client.post("/api/v1/records/reservation", json={"item": item["id"], "qty": "2"}, headers=admin)
    path = f"reservation/{res.json()['id']}/transitions/reserve"
    dry = _post(world, path, dry_run="true")
    adjusted = [e for e in dry["effects"] if e["kind"] == "quantity.adjusted"]  # type: ignore[union-attr]
    assert adjusted == [{"kind": "quantity.adjusted", "entity": "item", "id": item["id"], "field": "on_hand",
                         "before": "2.000", "after": "0.000"}]
    assert _post(world, path)["to"] == "reserved"
    again = world.client.post("/api/v1/records/reservation", json={"item": item["id"], "qty": "1"}, headers=admin)
    refused = world.client.post(f"/api/v1/records/reservation/{again.json()['id']}/transitions/reserve",
                                headers=admin)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "workflow.action_failed"
    assert "Not enough on item Gear" in problem["detail"]
