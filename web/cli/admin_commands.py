"""`jimu admin ...` (users, roles, departments, permissions, rules) and `jimu setup` (what `make run` calls).

The administration commands live in admin_users_commands and admin_access_commands; each runs in one
transaction, is audited (source `cli`) and bumps the security stamp, like the admin HTTP API.

`jimu setup` is idempotent: it initialises the database, installs (or updates) every template app
with its demo records (loaded only when the app is first installed), and creates the admin user
when there is none. A second run changes nothing and says so.
"""
from __future__ import annotations

import argparse
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.platform.bootstrap import init_database
from jimu.platform.context import Context
from jimu.platform.i18n import translate
from jimu.platform.kernel import Kernel
from jimu.platform.meta import users
from jimu.platform.registry.apply import apply_app
from jimu.platform.registry.repository import app_revision
from jimu.platform.security import create_user
from jimu.platform.security.admin import users as admin_users
from jimu.web.cli import admin_access_commands, admin_users_commands
from jimu.web.cli.admin_scope import admin_scope
from jimu.web.cli.app_files import AppFile, read_apps
from jimu.web.cli.demo_data import demo_files, demo_folder, load_demo
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import display_url, open_kernel
from jimu.web.cli.session import Session

ADMIN_USERNAME_ENV = "JIMU_ADMIN_USERNAME"
ADMIN_PASSWORD_ENV = "JIMU_ADMIN_PASSWORD"
DEFAULT_ADMIN = "admin"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    admin = commands.add_parser("admin", help="users and administration")
    sub = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = sub.add_parser("create-user", parents=[common], help="create a user (password generated when not given)")
    create.add_argument("username", metavar="USERNAME")
    create.add_argument("--password", help="the password (default: generated and printed once)")
    create.add_argument("--superuser", action="store_true", help="the user may do everything")
    create.add_argument("--display-name")
    create.add_argument("--email")
    create.add_argument("--locale", choices=("en", "zh-CN"))
    create.add_argument("--role", action="append", default=[], metavar="ROLE", help="a role (repeatable)")
    create.add_argument("--department", action="append", type=int, default=[], metavar="DEPARTMENT_ID",
                        help="a department (repeatable)")
    create.set_defaults(handler=create_user_command)
    admin_users_commands.register(sub, common)
    admin_access_commands.register(sub, common)
    setup = commands.add_parser("setup", parents=[common],
                                help="initialise the database, install the template apps and the admin user")
    setup.add_argument("--templates", type=Path, default=None, metavar="FOLDER",
                       help="template apps folder (default: the installed templates_library)")
    setup.add_argument("--no-demo", action="store_true", help="do not load demo records")
    setup.set_defaults(handler=setup_command)


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def create_user_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    generated = args.password is None
    password = generate_password() if generated else args.password
    with admin_scope(session) as scope:
        user_id = admin_users.create(scope, args.username, password=password, is_superuser=args.superuser,
                                     display_name=args.display_name, email=args.email, locale=args.locale,
                                     roles=args.role, departments=args.department)
    lines = [translate("serve.user_created", session.locale, username=args.username, id=user_id)]
    if generated:
        lines.append(translate("serve.password_generated", session.locale, password=password))
    out.result({"id": user_id, "username": args.username, "superuser": args.superuser,
                **({"password": password} if generated else {})}, lines)
    return 0


@dataclass
class SetupReport:
    """What `jimu setup` changed."""

    database: str
    apps: list[dict[str, Any]] = field(default_factory=list)
    admin: dict[str, Any] | None = None

    @property
    def changed(self) -> bool:
        return self.admin is not None or any(a["applied"] for a in self.apps)


def templates_dir() -> Path:
    """The template apps folder: JIMU_TEMPLATES_DIR, else `templates_library/` beside `web/` (data, never imported)."""
    configured = os.environ.get("JIMU_TEMPLATES_DIR")
    if configured:
        return Path(configured)
    import jimu.web

    return Path(next(iter(jimu.web.__path__))).resolve().parent / "templates_library"


def template_apps(folder: Path, locale: str) -> list[AppFile]:
    """The template apps of a folder in dependency order (none when it holds no definitions)."""
    if not any(folder.glob("*.json")) and not any(folder.glob("*/app.json")):
        return []
    return read_apps(folder, locale)


def setup_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    locale = session.locale
    report = SetupReport(display_url(session.settings.database_url))
    with open_kernel(session.settings, require_initialised=False) as kernel:
        init_database(kernel.engine)
        for app in template_apps(args.templates or templates_dir(), locale):
            report.apps.append(_install(kernel, app, demo=not args.no_demo, locale=locale))
        report.admin = _ensure_admin(kernel)
    out.result({"database": report.database, "apps": report.apps, "admin": report.admin, "changed": report.changed},
               _setup_lines(report, locale))
    return 0


def _install(kernel: Kernel, app: AppFile, *, demo: bool, locale: str) -> dict[str, Any]:
    """Apply one template app and, when it is new, load its demo records, in one transaction."""
    try:
        with kernel.engine.begin() as conn:
            first_install = app.key is not None and app_revision(conn, app.key) == 0
            result = apply_app(conn, app.raw, locale=locale, now=kernel.clock(), sections=kernel.sections)
            created = 0
            if result.applied and first_install and demo:
                files = demo_files(result.app, demo_folder(app.path))
                if files:
                    ctx = Context(conn=conn, definitions=kernel.definitions(conn), locale=locale,
                                  clock=kernel.clock, hooks=kernel.hooks)
                    created = load_demo(ctx, files)
    finally:
        kernel.invalidate()  # the cache may hold the definitions of a rolled-back transaction
    return {"app": result.app.key, "revision": result.revision, "applied": result.applied, "demo_records": created}


def _ensure_admin(kernel: Kernel) -> dict[str, Any] | None:
    """Create the admin superuser unless a user of that name exists; its password is shown once."""
    username = os.environ.get(ADMIN_USERNAME_ENV) or DEFAULT_ADMIN
    given = os.environ.get(ADMIN_PASSWORD_ENV)
    with kernel.engine.begin() as conn:
        exists = conn.execute(sa.select(users.c.id).where(sa.func.lower(users.c.username) == username.lower())).first()
        if exists is not None:
            return None
        password = given or generate_password()
        user_id = create_user(conn, username, password=password, is_superuser=True, now=kernel.clock())
    return {"id": user_id, "username": username, **({} if given else {"password": password})}


def _setup_lines(report: SetupReport, locale: str) -> list[str]:
    lines = [translate("serve.setup_database", locale, url=report.database)]
    for app in report.apps:
        code = "serve.setup_app_installed" if app["applied"] else "serve.setup_app_unchanged"
        lines.append(translate(code, locale, app=app["app"], revision=app["revision"], records=app["demo_records"]))
    if not report.apps:
        lines.append(translate("serve.setup_no_templates", locale))
    admin = report.admin
    if admin is not None:
        lines.append(translate("serve.setup_admin_created", locale, username=admin["username"]))
        if "password" in admin:
            lines.append(translate("serve.password_generated", locale, password=admin["password"]))
    lines.append(translate("serve.setup_done" if report.changed else "serve.setup_unchanged", locale))
    return lines
