"""Assembling a kernel with every engine that reads definitions of its own (the composition root)."""
from __future__ import annotations

from jimu.engines import reports, workflow
from jimu.platform.kernel import Kernel


def assemble(kernel: Kernel) -> Kernel:
    """Install the engines into `kernel` (idempotent): the workflow engine's sections and hooks, the report
    engine's sections."""
    workflow.install(kernel)
    reports.install(kernel)
    return kernel
