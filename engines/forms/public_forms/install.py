"""Installing public forms into a kernel: their definition section (`public_forms`)."""
from __future__ import annotations

from jimu.platform.kernel import Kernel

from .definition import SECTION_KEYS, PublicFormsSection

ENGINE = "public_forms"


def install(kernel: Kernel) -> Kernel:
    """Make `kernel` read the `public_forms` of app definitions (idempotent)."""
    if ENGINE in kernel.installed:
        return kernel
    section = PublicFormsSection()
    for key in SECTION_KEYS:
        kernel.sections[key] = section
    kernel.installed.add(ENGINE)
    return kernel
