"""Property-based API tests from /openapi.json (schemathesis): with the sales app installed and an
authenticated client, no request the document allows gets a 5xx or a response that breaks the document.

One test walks every operation with a bounded number of generated requests each, so the database
and the app are set up once (SQLite, or PostgreSQL with JIMU_TEST_DATABASE_URL). It is derandomized: it
replays the same cases every run. A second walk uses a fresh seed each run over an app with child lines,
links and every field type, fewer cases per operation; a failure names its seed, and
JIMU_SCHEMATHESIS_SEED=<seed> replays it.
"""
from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st
from schemathesis import APIOperation
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from jimu.engines.forms import records
from jimu.platform.kernel import Kernel

RECORDS = "/api/v1/records/"
EXAMPLES_PER_OPERATION = 25
FRESH_EXAMPLES_PER_OPERATION = 6
EVERYTHING = Path(__file__).parents[2] / "fixtures" / "apps" / "everything.json"
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Operations that would end the run's own credential.
SKIPPED = {("DELETE", "/api/v1/auth/tokens/{token_id}"), ("POST", "/api/v1/auth/logout"),
           # could take the caller's own rights away (after making another superuser) mid-run
           ("POST", "/api/v1/admin/users/{user_id}/deactivate"), ("PATCH", "/api/v1/admin/users/{user_id}")}


def seed(kernel: Kernel) -> dict[str, list[int]]:
    """A few records, so generated reads and changes can meet real ones; their ids by entity."""
    with kernel.unit_of_work() as ctx:
        gold = records.create(ctx, "customer", {"name": "Acme", "email": "buy@acme.example", "tier": "gold",
                                                "credit_limit": "50000"})
        bolt = records.create(ctx, "customer", {"name": "Bolt", "active": False})
        bike = records.create(ctx, "product", {"sku": "BIKE-1", "name": "Bike", "price": "199.90", "tags": ["new"]})
        order = records.create(ctx, "sales_order", {"customer": gold["id"], "lines": [
            {"product": bike["id"], "qty": "2", "price": "199.90"}]})
    return {"customer": [gold["id"], bolt["id"]], "product": [bike["id"]], "sales_order": [order["id"]]}


def cases(operation: APIOperation, ids: dict[str, list[int]]) -> st.SearchStrategy[schemathesis.Case]:
    """The operation's generated cases; on a record path, half of them aimed at an existing record."""
    strategy = operation.as_strategy()
    entity = operation.path.removeprefix(RECORDS).split("/")[0]
    if "{record_id}" not in operation.path or entity not in ids:
        return strategy

    def aimed(pair: tuple[schemathesis.Case, int | None]) -> schemathesis.Case:
        case, record_id = pair
        if record_id is not None:
            case.path_parameters = {**(case.path_parameters or {}), "record_id": record_id}
        return case

    return st.tuples(strategy, st.sampled_from([None, *ids[entity]])).map(aimed)


def exercise(operation: APIOperation, ids: dict[str, list[int]], headers: dict[str, str],
             statuses: Counter[tuple[str, int]], run_seed: int | None = None) -> None:
    """Run the operation's generated requests through every check, counting the statuses answered
    (derandomized, or from `run_seed`)."""

    @settings(max_examples=EXAMPLES_PER_OPERATION if run_seed is None else FRESH_EXAMPLES_PER_OPERATION,
              deadline=None, database=None, derandomize=run_seed is None, suppress_health_check=list(HealthCheck))
    @given(case=cases(operation, ids))
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[(operation.label, response.status_code)] += 1

    if run_seed is not None:
        check = fixed_seed(run_seed)(check)
    try:
        check()
    except BaseException as failure:
        if run_seed is not None:
            failure.add_note(f"schemathesis seed {run_seed}: replay with JIMU_SCHEMATHESIS_SEED={run_seed}")
        raise


def walk(app: FastAPI, ids: dict[str, list[int]], token: str, run_seed: int | None = None) -> Counter[tuple[str, int]]:
    """Every operation of the caller's document (deletes last, so reads and changes meet the seeded records first)."""
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi(app.openapi_url or "", app, headers=headers)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.method == "delete")
    assert any(op.path == "/api/v1/records/customer/{record_id}" for op in operations)
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        if (operation.method.upper(), operation.path) not in SKIPPED:
            exercise(operation, ids, headers, statuses, run_seed)
    return statuses


def test_no_server_errors_and_responses_match_the_document(app: FastAPI, kernel: Kernel, token: str) -> None:
    statuses = walk(app, seed(kernel), token)
    # The generated requests get past authentication and validation, not only 4xx answers.
    assert statuses[("POST /api/v1/records/customer", 201)] > 0, statuses
    assert statuses[("GET /api/v1/records/sales_order", 200)] > 0, statuses
    assert statuses[("GET /api/v1/records/customer/{record_id}", 200)] > 0, statuses


def test_fresh_cases_over_every_field_type_find_no_server_error(app: FastAPI, kernel: Kernel, token: str) -> None:
    kernel.apply_app(json.loads(EVERYTHING.read_text(encoding="utf-8")))
    ids = seed(kernel)
    with kernel.unit_of_work() as ctx:
        peer = records.create(ctx, "peer", {"name": "Known"})
        thing = records.create(ctx, "thing", {"title": "One", "peer": peer["id"], "n": 3, "m": "2.50",
                                              "lines": [{"qty": "1", "price": "2", "peer": peer["id"]}]})
    ids.update(peer=[peer["id"]], thing=[thing["id"]])
    run_seed = int(os.environ.get("JIMU_SCHEMATHESIS_SEED") or random.randrange(2**32))
    statuses = walk(app, ids, token, run_seed)
    assert sum(n for (label, status), n in statuses.items() if label.startswith("POST /api/v1/records/thing")) > 0
