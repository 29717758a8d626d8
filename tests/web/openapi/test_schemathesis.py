"""Property-based API tests from /openapi.json (schemathesis): with the sales app installed and an
authenticated client, no request the document allows gets a 5xx or a response that breaks the document.

One test walks every operation with a bounded number of generated requests each, so the database
and the app are set up once (SQLite, or PostgreSQL with JIMU_TEST_DATABASE_URL).
"""
from __future__ import annotations

from collections import Counter

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
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
             statuses: Counter[tuple[str, int]]) -> None:
    """Run the operation's generated requests through every check, counting the statuses answered."""

    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=cases(operation, ids))
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses[(operation.label, response.status_code)] += 1

    check()


def test_no_server_errors_and_responses_match_the_document(app: FastAPI, kernel: Kernel, token: str) -> None:
    ids = seed(kernel)
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_asgi(app.openapi_url or "", app, headers=headers)
    # Deletes last, so reads and changes meet the seeded records first.
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.method == "delete")
    assert any(op.path == "/api/v1/records/customer/{record_id}" for op in operations)
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        if (operation.method.upper(), operation.path) not in SKIPPED:
            exercise(operation, ids, headers, statuses)
    # The generated requests get past authentication and validation, not only 4xx answers.
    assert statuses[("POST /api/v1/records/customer", 201)] > 0, statuses
    assert statuses[("GET /api/v1/records/sales_order", 200)] > 0, statuses
    assert statuses[("GET /api/v1/records/customer/{record_id}", 200)] > 0, statuses
