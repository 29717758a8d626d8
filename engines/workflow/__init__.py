"""The workflow engine: processes (states, transitions, the submit/cancel lifecycle), actions, automation.

    install(kernel)                                   # once, where the kernel is assembled
    transitions.available(ctx, "expense", 7)          # what the caller may do now, and why not
    transitions.run(ctx, "expense", 7, "submit", dry_run=True)   # every effect, nothing committed
"""
from __future__ import annotations

from . import transitions
from .install import install

__all__ = ["install", "transitions"]
