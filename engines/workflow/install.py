"""Installing the workflow engine into a kernel: its definition section and its record hooks."""
from __future__ import annotations

from jimu.platform.kernel import Kernel

from .approvals.locks import install_locks
from .automation import install_automation_hooks
from .record_hooks import install_hooks
from .validation import SECTION_KEYS, WorkflowSection

ENGINE = "workflow"


def install(kernel: Kernel) -> Kernel:
    """Make `kernel` read and run workflow definitions (idempotent)."""
    if ENGINE in kernel.installed:
        return kernel
    section = WorkflowSection()
    for key in SECTION_KEYS:
        kernel.sections[key] = section
    install_hooks(kernel.hooks)
    install_automation_hooks(kernel.hooks)
    install_locks(kernel.hooks)
    kernel.installed.add(ENGINE)
    return kernel
