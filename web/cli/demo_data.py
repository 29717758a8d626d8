"""Demo records shipped beside a template app: `demo/<entity>.csv|.xlsx|.json`, loaded once at install.

`templates_library/crm/app.json` reads `templates_library/crm/demo/`; a top-level
`templates_library/crm.json` reads `templates_library/crm/demo/` too. A JSON file holds a list of
records (child-table lines nested under their field); CSV / XLSX files go through the importer.
Files are loaded so that an entity comes after the entities its links point at.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jimu.engines.forms import records
from jimu.engines.forms.importing import import_records
from jimu.platform.context import Context
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.model import AppDef
from jimu.web.cli.failures import cli_error

DEMO_SUFFIXES = (".csv", ".xlsx", ".json")


@dataclass(frozen=True)
class DemoFile:
    entity: str
    path: Path


def demo_folder(app_path: Path) -> Path:
    """Where the demo records of the app defined in `app_path` live."""
    return app_path.parent / "demo" if app_path.name == "app.json" else app_path.parent / app_path.stem / "demo"


def demo_files(app: AppDef, folder: Path) -> list[DemoFile]:
    """The demo files of the app's entities, each after the entities its links point at."""
    if not folder.is_dir():
        return []
    found = {p.stem: p for p in sorted(folder.iterdir()) if p.suffix.lower() in DEMO_SUFFIXES}
    keys = [e.key for e in app.entities if e.key in found]
    needs = {e.key: {f.target for f in e.fields if FIELD_TYPES[f.type].follows_link} & set(keys) - {e.key}
             for e in app.entities if e.key in found}
    ordered: list[str] = []
    while len(ordered) < len(keys):
        ready = [k for k in keys if k not in ordered and needs[k] <= set(ordered)]
        ordered += ready or [k for k in keys if k not in ordered]  # a link cycle: definition order
    return [DemoFile(key, found[key]) for key in ordered]


def load_demo(ctx: Context, files: Iterable[DemoFile]) -> int:
    """Create every demo record in the caller's transaction (any bad row fails the whole); the count."""
    created = 0
    for demo in files:
        if demo.path.suffix.lower() == ".json":
            created += _load_json(ctx, demo)
            continue
        report = import_records(ctx, demo.entity, demo.path, all_or_nothing=True)
        if not report.ok:
            first = report.errors[0] if report.errors else None
            raise cli_error("serve.demo_invalid", ctx.locale, file=str(demo.path),
                            reason=f"row {first.row}: {first.message}" if first else "")
        created += report.created
    return created


def _load_json(ctx: Context, demo: DemoFile) -> int:
    try:
        rows: Any = json.loads(demo.path.read_text(encoding="utf-8-sig"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise cli_error("serve.demo_invalid", ctx.locale, file=str(demo.path), reason=str(error)) from None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise cli_error("serve.demo_not_records", ctx.locale, file=str(demo.path))
    for row in rows:
        records.create(ctx, demo.entity, row)
    return len(rows)
