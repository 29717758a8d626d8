"""Automation rules: a trigger (a record event, a cron schedule, a date relative to a field), a condition,
then the same actions as transitions; every run kept in a history that shows each step.

    install_automation_hooks(kernel.hooks)      # event rules (done by jimu.engines.workflow.install)
    due_rules(ctx, now)                         # the schedule and date occurrences due now
    queue_due_rules(ctx, now)                   # queue each of them once
    run_queued(ctx, run_id)                     # run a queued history row (from its job)
    list_runs(ctx, rule="escalate", status="failed"); retry_run(ctx, run_id)
"""
from __future__ import annotations

from .due import Occurrence, due_rules, queue_due_rules
from .events import install_automation_hooks
from .history import FAILED, OK, QUEUED, RUNNING, SKIPPED, get_run, list_runs
from .retry import retry_run
from .rules import RuleDef, Rules, rules_of
from .runner import Firing, fire_sync, run_queued

__all__ = ["FAILED", "OK", "QUEUED", "RUNNING", "SKIPPED", "Firing", "Occurrence", "RuleDef", "Rules",
           "due_rules", "fire_sync", "get_run", "install_automation_hooks", "list_runs", "queue_due_rules",
           "retry_run", "rules_of", "run_queued"]
