"""`jimu app ...`: apply app definitions, list installed apps, show one with its history."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.platform.i18n import label, translate
from jimu.platform.meta import apps, definition_versions
from jimu.platform.registry.apply import apply_app
from jimu.web.cli.app_files import read_apps
from jimu.web.cli.failures import cli_error
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import open_kernel
from jimu.web.cli.session import Session


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    app = commands.add_parser("app", help="app definitions")
    sub = app.add_subparsers(dest="action", required=True, metavar="ACTION")
    apply = sub.add_parser("apply", parents=[common], help="install or update apps from a JSON file or a folder")
    apply.add_argument("path", type=Path, metavar="PATH")
    apply.add_argument("--dry-run", action="store_true", help="show the changes without making them")
    apply.set_defaults(handler=apply_command)
    sub.add_parser("list", parents=[common], help="list installed apps").set_defaults(handler=list_command)
    show = sub.add_parser("show", parents=[common], help="an app's definition and version history")
    show.add_argument("app", metavar="APP")
    show.set_defaults(handler=show_command)


def apply_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    """Apply every app in one transaction (all or none); a dry run rolls it back."""
    files = read_apps(args.path, session.locale)
    with open_kernel(session.settings) as kernel, kernel.engine.connect() as conn:
        transaction = conn.begin()
        try:
            results = [(app, apply_app(conn, app.raw, dry_run=args.dry_run and len(files) == 1,
                                       locale=session.locale, sections=kernel.sections)) for app in files]
        except BaseException:
            transaction.rollback()
            raise
        if args.dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    data = [{"app": app.key, "file": str(app.path), "revision": result.revision,
             "applied": result.applied and not args.dry_run,
             "changes": result.diff.as_dict()} for app, result in results]
    out.result({"dry_run": args.dry_run, "apps": data}, _apply_lines(results, args.dry_run, session.locale))
    return 0


def _apply_lines(results: list[tuple[Any, Any]], dry_run: bool, locale: str) -> list[str]:
    lines: list[str] = []
    for app, result in results:
        changes = result.diff.describe()
        code = "cli.app_dry_run" if dry_run else ("cli.app_applied" if changes else "cli.app_unchanged")
        lines.append(translate(code, locale, app=app.key, revision=result.revision, count=len(changes)))
        lines.extend(f"  {change}" for change in changes)
    return lines


def list_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings) as kernel, kernel.engine.connect() as conn:
        rows = conn.execute(sa.select(apps.c.key, apps.c.version, apps.c.revision, apps.c.definition,
                                      apps.c.updated_at).order_by(apps.c.key)).all()
    data = [{"app": r.key, "label": label(r.definition.get("label"), session.locale) or r.key, "version": r.version,
             "revision": r.revision, "entities": len(r.definition.get("entities", [])), "updated_at": r.updated_at}
            for r in rows]
    lines = [f"{d['app']:<24} {d['version']:<10} rev {d['revision']:<5} {d['label']}" for d in data]
    out.result(data, lines or [translate("cli.no_apps_installed", session.locale)])
    return 0


def show_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings) as kernel, kernel.engine.connect() as conn:
        app = conn.execute(sa.select(apps).where(apps.c.key == args.app)).one_or_none()
        if app is None:
            raise cli_error("cli.unknown_app", session.locale, app=args.app)
        history = conn.execute(sa.select(definition_versions).where(definition_versions.c.app_key == args.app)
                               .order_by(definition_versions.c.revision)).all()
    versions = [{"revision": v.revision, "version": v.version, "applied_at": v.applied_at, "applied_by": v.applied_by,
                 "changes": v.diff} for v in history]
    data = {"app": app.key, "version": app.version, "revision": app.revision, "definition": app.definition,
            "history": versions}
    out.result(data, _show_lines(app, versions, session.locale))
    return 0


def _show_lines(app: Any, versions: list[dict[str, Any]], locale: str) -> list[str]:
    definition = app.definition
    lines = [f"{app.key} {app.version} (revision {app.revision}): {label(definition.get('label'), locale)}"]
    for entity in definition.get("entities", []):
        fields = ", ".join(f"{f['name']}:{f['type']}" for f in entity.get("fields", []))
        lines.append(f"  {entity['key']}: {fields}")
    lines.append(translate("cli.history", locale))
    for v in versions:
        changes = v["changes"] if isinstance(v["changes"], list) else []
        lines.append(f"  rev {v['revision']:<4} {v['version']:<10} {v['applied_at']}  "
                     + translate("cli.change_count", locale, count=len(changes)))
    return lines
