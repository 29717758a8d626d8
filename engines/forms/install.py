"""Installing the forms engine's definition section into a kernel: shared saved list views (`views`)."""
from __future__ import annotations

from jimu.platform.kernel import Kernel

from .views.section import SECTION_KEYS, ViewsSection

ENGINE = "forms"


def install(kernel: Kernel) -> Kernel:
    """Make `kernel` read the `views` section of app definitions (idempotent)."""
    if ENGINE in kernel.installed:
        return kernel
    section = ViewsSection()
    for key in SECTION_KEYS:
        kernel.sections[key] = section
    kernel.installed.add(ENGINE)
    return kernel
