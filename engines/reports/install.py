"""Installing the report engine into a kernel: its definition sections (reports and dashboards)."""
from __future__ import annotations

from jimu.platform.kernel import Kernel

from .validation import SECTION_KEYS, ReportsSection

ENGINE = "reports"


def install(kernel: Kernel) -> Kernel:
    """Make `kernel` read report and dashboard definitions (idempotent)."""
    if ENGINE in kernel.installed:
        return kernel
    section = ReportsSection()
    for key in SECTION_KEYS:
        kernel.sections[key] = section
    kernel.installed.add(ENGINE)
    return kernel
