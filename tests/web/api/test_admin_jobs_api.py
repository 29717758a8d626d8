"""The jobs administration API: list and filter jobs, read one, retry a dead letter; superusers only."""
from __future__ import annotations

import random
from typing import Any

import sqlalchemy as sa

from jimu.platform.jobs import JobHandlers, JobRun, Worker, WorkerOptions, enqueue
from jimu.platform.security.tables import security_audit

from .conftest import World

J = "/api/v1/admin/jobs"


def _boom(run: JobRun) -> None:
    raise RuntimeError(f"the mail server refused job {run.job.id}")


def _jobs(world: World) -> dict[str, int]:
    """Two dead webhooks (failed on their only attempt) and a queued report."""
    with world.kernel.unit_of_work() as ctx:
        ids = {name: enqueue(ctx.conn, "test.webhook", {"to": name}, now=ctx.now(), max_attempts=1)
               for name in ("a", "b")}
        ids["report"] = enqueue(ctx.conn, "test.report", {}, now=ctx.now(), idempotency_key="report:2026-03")
    handlers = JobHandlers()
    handlers.register("test.webhook", _boom)
    Worker(world.kernel, handlers, WorkerOptions(builtin_schedules=False), rng=random.Random(1)).run_once()
    return ids


def test_jobs_are_listed_newest_first_filtered_and_paged(world: World, admin: dict[str, str]) -> None:
    ids = _jobs(world)
    page = world.client.get(J, headers=admin).json()
    assert [j["id"] for j in page["data"]] == [ids["report"], ids["b"], ids["a"]]
    assert page["counts"] == {"queued": 1, "running": 0, "done": 0, "failed": 0, "dead": 2}
    dead = world.client.get(J, params={"state": "dead"}, headers=admin).json()["data"]
    assert [(j["kind"], j["state"], j["attempts"]) for j in dead] == [("test.webhook", "dead", 1)] * 2
    assert dead[0]["last_error"] == f"RuntimeError: the mail server refused job {ids['b']}"
    assert [j["id"] for j in world.client.get(J, params={"kind": "test.report"}, headers=admin).json()["data"]] == [
        ids["report"]]
    first = world.client.get(J, params={"limit": 2}, headers=admin).json()
    rest = world.client.get(J, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin).json()
    assert [j["id"] for j in first["data"] + rest["data"]] == [ids["report"], ids["b"], ids["a"]]
    assert rest["has_more"] is False and rest["next_cursor"] is None


def test_a_job_is_read_whole_and_a_dead_one_retried(world: World, admin: dict[str, str]) -> None:
    ids = _jobs(world)
    job = world.client.get(f"{J}/{ids['a']}", headers=admin).json()
    assert (job["payload"], job["state"], job["max_attempts"]) == ({"to": "a"}, "dead", 1)
    assert "lease_token" not in job
    retried = world.client.post(f"{J}/{ids['a']}/retry", headers=admin)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["attempts"]) == ("queued", 0)
    with world.kernel.engine.connect() as conn:
        audit = conn.execute(sa.select(security_audit.c.action, security_audit.c.target_kind, security_audit.c.target,
                                       security_audit.c.actor_id)).all()
    assert [tuple(a) for a in audit][-1] == ("retry", "job", str(ids["a"]), world.users["admin"])


def test_retrying_a_job_that_is_not_failed_or_dead_is_a_conflict(world: World, admin: dict[str, str]) -> None:
    ids = _jobs(world)
    refused = world.client.post(f"{J}/{ids['report']}/retry", headers=admin)
    assert refused.status_code == 409
    body: dict[str, Any] = refused.json()
    assert body["code"] == "jobs.not_retryable"
    assert f"Job {ids['report']} is queued" in body["detail"]
    zh = world.client.post(f"{J}/{ids['report']}/retry", headers={**admin, "Accept-Language": "zh-CN"}).json()
    assert f"任务 {ids['report']} 的状态为 queued" in zh["detail"]


def test_bad_requests_are_refused_with_their_field(world: World, admin: dict[str, str]) -> None:
    missing = world.client.get(f"{J}/999999", headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "jobs.not_found"
    assert world.client.post(f"{J}/999999/retry", headers=admin).status_code == 404
    for params in ({"state": "sleeping"}, {"limit": 0}, {"limit": 201}, {"cursor": "x" * 201}):
        response = world.client.get(J, params=params, headers=admin)
        assert response.status_code == 422, (params, response.text)
    assert world.client.get(J, params={"cursor": "abc"}, headers=admin).status_code == 422
    assert world.client.get(f"{J}/0", headers=admin).status_code == 422


def test_only_superusers_see_or_retry_jobs(world: World) -> None:
    ids = _jobs(world)
    for user in ("alice", "vera", "nora", "dora"):
        for method, path in (("GET", J), ("GET", f"{J}/{ids['a']}"), ("POST", f"{J}/{ids['a']}/retry")):
            response = world.client.request(method, path, headers=world.headers(user))
            assert response.status_code == 403, (user, path, response.text)
    assert world.client.get(J).status_code == 401
