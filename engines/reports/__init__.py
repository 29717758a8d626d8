"""The report engine: reports as definitions (datasets with dimensions, measures, filters and parameters),
each compiled to ONE SQL statement, run over the rows the caller may read. Reports read; they never act.

    install(kernel)                                          # once, where the kernel is assembled
    run_report(ctx, "sales", "revenue_by_month", {"period": "this_year"}, RunOptions(timezone="Asia/Shanghai"))

Inner shape: model (definitions as objects), plan (checked against the entities), validation (the
definition section), params/presets, compiler (the statement), shaping (exact Python after it), columns,
drill, runner. See docs/reports.md.
"""
from __future__ import annotations

from .install import install
from .runner import RunOptions, run_report

__all__ = ["RunOptions", "install", "run_report"]
