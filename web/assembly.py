"""Assembling a kernel with every engine that reads definitions of its own (the composition root), and the
job kinds every worker of the installation knows."""
from __future__ import annotations

from typing import Any

from jimu.engines import reports, workflow
from jimu.engines.forms import public_forms
from jimu.engines.forms.install import install as install_forms
from jimu.engines.reports.scheduled_export import register_report_jobs
from jimu.engines.workflow.approvals.timer_jobs import register_approval_jobs
from jimu.engines.workflow.automation.jobs import register_job_kinds
from jimu.platform.jobs import JobHandlers, WorkerOptions, builtin_handlers
from jimu.platform.kernel import Kernel
from jimu.platform.notifications.queueing import register_delivery_handlers
from jimu.platform.settings import Settings


def assemble(kernel: Kernel) -> Kernel:
    """Install the engines into `kernel` (idempotent): the workflow engine's sections and hooks, the report
    engine's sections, the forms engine's shared list views and public forms."""
    workflow.install(kernel)
    reports.install(kernel)
    install_forms(kernel)
    public_forms.install(kernel)
    return kernel


def job_handlers() -> JobHandlers:
    """The job kinds every worker knows (`jimu worker` and `jimu serve`'s embedded one): the platform's, the
    notification deliveries, the workflow's and the reports' scheduled exports; each engine with job kinds of
    its own registers them here."""
    handlers = register_job_kinds(register_delivery_handlers(builtin_handlers()))
    return register_report_jobs(register_approval_jobs(handlers))


def worker_options(settings: Settings, **overrides: Any) -> WorkerOptions:
    """A worker's options from the settings (JIMU_JOB_LEASE, JIMU_JOB_POLL), `overrides` taking precedence."""
    values: dict[str, Any] = {"lease": settings.job_lease, "poll": settings.job_poll}
    values.update({name: value for name, value in overrides.items() if value is not None})
    return WorkerOptions(**values)
