"""The modules defining the tables these migrations manage: the platform's own and the engines' own.

Each defines its tables on `jimu.platform.meta.platform_metadata` and has its Alembic revision in
versions/; importing them all gives the metadata the newest revision must match.
"""
from __future__ import annotations

TABLE_MODULES = (
    "jimu.platform.meta",
    "jimu.platform.security.tables",
    "jimu.platform.files.tables",
    "jimu.platform.notifications.tables",
    "jimu.platform.jobs.tables",
    "jimu.engines.workflow.tables",
    "jimu.engines.workflow.automation.tables",
    "jimu.engines.workflow.approvals.tables",
    "jimu.engines.forms.views.tables",
    "jimu.engines.forms.public_forms.tables",
)
