"""`jimu admin` for users: list, update, deactivate, reactivate, reset the password, set roles and departments."""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from jimu.platform.i18n import translate
from jimu.platform.security.admin import users, views
from jimu.web.cli.admin_scope import admin_scope, user_argument, user_of
from jimu.web.cli.failures import cli_error
from jimu.web.cli.output import Output
from jimu.web.cli.session import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    listing = sub.add_parser("list-users", parents=[common], help="list users (a page at a time)")
    listing.add_argument("--q", help="search username, display name and email")
    listing.add_argument("--limit", type=int, default=views.DEFAULT_LIMIT)
    listing.add_argument("--cursor", help="next_cursor of the previous page")
    listing.set_defaults(handler=list_users_command)
    update = sub.add_parser("update-user", parents=[common], help="change a user's profile or superuser flag")
    user_argument(update)
    update.add_argument("--username", dest="new_username", help="a new username")
    update.add_argument("--display-name")
    update.add_argument("--email")
    update.add_argument("--locale", choices=("en", "zh-CN"))
    update.add_argument("--superuser", action=argparse.BooleanOptionalAction, default=None)
    update.set_defaults(handler=update_user_command)
    for name, handler, text in (("deactivate-user", deactivate_command, "no more login; sessions and tokens end"),
                                ("reactivate-user", reactivate_command, "allow a deactivated user to log in")):
        command = sub.add_parser(name, parents=[common], help=text)
        user_argument(command)
        command.set_defaults(handler=handler)
    reset = sub.add_parser("reset-password", parents=[common],
                           help="set a new password (prompted twice, or one line from stdin)")
    user_argument(reset)
    reset.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    reset.set_defaults(handler=reset_password_command)
    roles = sub.add_parser("set-roles", parents=[common], help="replace a user's roles (none: no role)")
    user_argument(roles)
    roles.add_argument("roles", nargs="*", metavar="ROLE")
    roles.set_defaults(handler=set_roles_command)
    departments = sub.add_parser("set-departments", parents=[common], help="replace a user's departments")
    user_argument(departments)
    departments.add_argument("departments", nargs="*", type=int, metavar="DEPARTMENT_ID")
    departments.set_defaults(handler=set_departments_command)


def _line(user: dict[str, Any]) -> str:
    state = "" if user["is_active"] else " [inactive]"
    admin = " [superuser]" if user["is_superuser"] else ""
    return (f"{user['id']:>6}  {user['username']}{admin}{state}  roles: {', '.join(user['roles']) or '-'}"
            f"  departments: {', '.join(str(d) for d in user['departments']) or '-'}")


def list_users_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        page = views.list_users(scope.conn, cursor=args.cursor, limit=args.limit, q=args.q)
    lines = [_line(user) for user in page.data]
    if page.next_cursor is not None:
        lines.append(f"... --cursor {page.next_cursor}")
    out.result(page.as_dict(), lines)
    return 0


def update_user_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    changes = {key: value for key, value in (("username", args.new_username), ("display_name", args.display_name),
                                              ("email", args.email), ("locale", args.locale),
                                              ("is_superuser", args.superuser)) if value is not None}
    with admin_scope(session) as scope:
        user_id = user_of(scope, args.user)
        users.update(scope, user_id, changes)
        shown = views.user_view(scope.conn, user_id)
    out.result(shown, [translate("admin.user_updated", session.locale, username=shown["username"], id=user_id)])
    return 0


def deactivate_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        users.deactivate(scope, user_of(scope, args.user))
    out.result({"username": args.user, "is_active": False},
               [translate("admin.user_deactivated", session.locale, username=args.user)])
    return 0


def reactivate_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        users.reactivate(scope, user_of(scope, args.user))
    out.result({"username": args.user, "is_active": True},
               [translate("admin.user_reactivated", session.locale, username=args.user)])
    return 0


def read_new_password(from_stdin: bool, locale: str) -> str:
    """One line of standard input (--password-stdin), else typed twice at a terminal prompt."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise cli_error("admin.password_needs_input", locale)
    first = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != first:
        raise cli_error("admin.password_mismatch", locale)
    return first


def reset_password_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    password = read_new_password(args.password_stdin, session.locale)
    with admin_scope(session) as scope:
        users.reset_password(scope, user_of(scope, args.user), password)
    out.result({"username": args.user, "password_reset": True},
               [translate("admin.password_reset", session.locale, username=args.user)])
    return 0


def set_roles_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        user_id = user_of(scope, args.user)
        users.assign_roles(scope, user_id, args.roles)
        shown = views.user_view(scope.conn, user_id)
    nothing = translate("admin.nothing", session.locale)
    out.result(shown, [translate("admin.roles_set", session.locale, username=shown["username"],
                                 roles=", ".join(shown["roles"]) or nothing)])
    return 0


def set_departments_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        user_id = user_of(scope, args.user)
        users.assign_departments(scope, user_id, args.departments)
        shown = views.user_view(scope.conn, user_id)
    nothing = translate("admin.nothing", session.locale)
    departments = ", ".join(str(d) for d in shown["departments"]) or nothing
    out.result(shown, [translate("admin.departments_set", session.locale, username=shown["username"],
                                 departments=departments)])
    return 0
