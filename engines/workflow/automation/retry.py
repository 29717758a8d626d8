"""Retrying a failed rule run: the same history row queued again with a new job (its attempts count on)."""
from __future__ import annotations

from typing import Any

from jimu.platform.context import Context

from ..errors import error
from . import history
from .errors import RuleRunNotFoundError, RuleRunNotRetryableError
from .jobs import enqueue_run_job


def retry_run(ctx: Context, run_id: int) -> dict[str, Any]:
    """Queue a failed run again (in the caller's transaction); the run as it is now."""
    row = history.run_row(ctx, run_id)
    if row is None:
        raise error(RuleRunNotFoundError, "automation.run_not_found", ctx.locale, id=run_id)
    if row.status != history.FAILED:
        raise error(RuleRunNotRetryableError, "automation.run_not_retryable", ctx.locale, id=run_id,
                    status=row.status)
    history.requeue(ctx, run_id)
    enqueue_run_job(ctx, run_id, row.attempts)
    found = history.get_run(ctx, run_id)
    assert found is not None
    return found
