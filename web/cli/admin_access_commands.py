"""`jimu admin` for roles and what they grant (permissions, record rules, field permissions) and departments."""
from __future__ import annotations

import argparse
import json
from typing import Any

from jimu.platform.i18n import translate
from jimu.platform.security.admin import access, departments, views
from jimu.platform.security.admin.departments import UNSET
from jimu.platform.security.snapshot import ACTIONS
from jimu.web.cli.admin_scope import admin_scope, user_of
from jimu.web.cli.output import Output
from jimu.web.cli.session import Session


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    sub.add_parser("list-roles", parents=[common], help="roles with their grants and rules").set_defaults(
        handler=list_roles_command)
    create = sub.add_parser("create-role", parents=[common], help="create a role")
    create.add_argument("role", metavar="ROLE_KEY")
    create.add_argument("--label", help="English label")
    create.add_argument("--label-zh", help="Chinese label")
    create.set_defaults(handler=create_role_command)
    delete = sub.add_parser("delete-role", parents=[common], help="delete a role with its grants and rules")
    delete.add_argument("role", metavar="ROLE_KEY")
    delete.set_defaults(handler=delete_role_command)
    grant = sub.add_parser("grant", parents=[common],
                           help=f"set exactly the actions of a role on an entity ({', '.join(ACTIONS)}; none: revoke)")
    grant.add_argument("role", metavar="ROLE_KEY")
    grant.add_argument("entity", metavar="ENTITY", help="an entity key, or * for every entity")
    grant.add_argument("actions", nargs="*", metavar="ACTION")
    grant.set_defaults(handler=grant_command)
    rule = sub.add_parser("add-rule", parents=[common], help="limit the rows a role reaches on an entity")
    rule.add_argument("role", metavar="ROLE_KEY")
    rule.add_argument("entity", metavar="ENTITY")
    rule.add_argument("--actions", required=True, help="comma-separated, e.g. read,update,delete")
    rule.add_argument("--expression", help="a condition, e.g. \"{status} != 'archived'\"")
    rule.add_argument("--field", help="a user field (or _created_by)")
    rule.add_argument("--is", dest="user_set", help="current_user, my_department_members or my_subordinates")
    rule.set_defaults(handler=add_rule_command)
    remove = sub.add_parser("remove-rule", parents=[common], help="remove a record rule by id")
    remove.add_argument("rule_id", type=int, metavar="RULE_ID")
    remove.set_defaults(handler=remove_rule_command)
    field = sub.add_parser("field-permission", parents=[common], help="a role's access to one field")
    for name in ("role", "entity", "field"):
        field.add_argument(name, metavar=name.upper())
    field.add_argument("--read", action=argparse.BooleanOptionalAction, default=True)
    field.add_argument("--write", action=argparse.BooleanOptionalAction, default=True)
    field.add_argument("--clear", action="store_true", help="back to the default (readable and writable)")
    field.set_defaults(handler=field_permission_command)
    _register_departments(sub, common)


def _register_departments(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                          common: argparse.ArgumentParser) -> None:
    sub.add_parser("list-departments", parents=[common], help="departments with parent, manager and members"
                   ).set_defaults(handler=list_departments_command)
    create = sub.add_parser("create-department", parents=[common], help="create a department")
    create.add_argument("name", metavar="NAME")
    create.add_argument("--parent", type=int, metavar="DEPARTMENT_ID")
    create.add_argument("--manager", metavar="USER")
    create.set_defaults(handler=create_department_command)
    update = sub.add_parser("update-department", parents=[common], help="rename, move or change the manager")
    update.add_argument("department_id", type=int, metavar="DEPARTMENT_ID")
    update.add_argument("--name")
    update.add_argument("--parent", metavar="DEPARTMENT_ID|none")
    update.add_argument("--manager", metavar="USER|none")
    update.set_defaults(handler=update_department_command)
    delete = sub.add_parser("delete-department", parents=[common], help="delete a leaf department")
    delete.add_argument("department_id", type=int, metavar="DEPARTMENT_ID")
    delete.set_defaults(handler=delete_department_command)


def _role_lines(role: dict[str, Any]) -> list[str]:
    lines = [f"{role['key']}  ({role['users']} users)"]
    lines += [f"  {p['entity']}: {', '.join(p['actions'])}" for p in role["permissions"]]
    lines += [f"  rule {r['id']} on {r['entity']} for {', '.join(r['actions'])}: {json.dumps(r['rule'])}"
              for r in role["record_rules"]]
    lines += [f"  field {f['entity']}.{f['field']}: read {f['read']}, write {f['write']}"
              for f in role["field_permissions"]]
    return lines


def list_roles_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        shown, cursor = [], None
        while True:  # every role: the command line shows the whole list
            page = views.list_roles(scope.conn, scope.catalog, cursor=cursor, limit=views.MAX_LIMIT)
            shown += page.data
            cursor = page.next_cursor
            if cursor is None:
                break
    out.result({"data": shown}, [line for role in shown for line in _role_lines(role)])
    return 0


def create_role_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    label = {k: v for k, v in (("en", args.label), ("zh-CN", args.label_zh)) if v is not None} or None
    with admin_scope(session) as scope:
        access.create_role(scope, args.role, label)
        shown = views.role_view(scope.conn, scope.catalog, args.role)
    out.result(shown, [translate("admin.role_created", session.locale, role=args.role)])
    return 0


def delete_role_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        access.delete_role(scope, args.role)
    out.result({"role": args.role, "deleted": True}, [translate("admin.role_deleted", session.locale, role=args.role)])
    return 0


def grant_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        access.set_permission(scope, args.role, args.entity, args.actions)
        shown = views.role_view(scope.conn, scope.catalog, args.role)
    actions = ", ".join(args.actions) or translate("admin.nothing", session.locale)
    out.result(shown, [translate("admin.permission_set", session.locale, role=args.role, entity=args.entity,
                                 actions=actions)])
    return 0


def add_rule_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    rule: dict[str, Any] = {}
    if args.expression is not None:
        rule["expression"] = args.expression
    if args.field is not None:
        rule["field"] = args.field
    if args.user_set is not None:
        rule["is"] = args.user_set
    actions = [a.strip() for a in args.actions.split(",") if a.strip()]
    with admin_scope(session) as scope:
        rule_id = access.add_record_rule(scope, args.role, args.entity, actions, rule)
    out.result({"id": rule_id, "role": args.role, "entity": args.entity, "actions": actions, "rule": rule},
               [translate("admin.rule_added", session.locale, id=rule_id, role=args.role, entity=args.entity,
                          actions=", ".join(actions))])
    return 0


def remove_rule_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        access.remove_record_rule(scope, args.rule_id)
    out.result({"id": args.rule_id, "removed": True},
               [translate("admin.rule_removed", session.locale, id=args.rule_id)])
    return 0


def field_permission_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    names = {"role": args.role, "entity": args.entity, "field": args.field}
    with admin_scope(session) as scope:
        if args.clear:
            access.clear_field_permission(scope, args.role, args.entity, args.field)
        else:
            access.set_field_permission(scope, args.role, args.entity, args.field, read=args.read, write=args.write)
    if args.clear:
        out.result({**names, "cleared": True}, [translate("admin.field_permission_cleared", session.locale, **names)])
    else:
        write = args.read and args.write
        out.result({**names, "read": args.read, "write": write},
                   [translate("admin.field_permission_set", session.locale, read=args.read, write=write, **names)])
    return 0


def list_departments_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        shown, cursor = [], None
        while True:
            page = views.list_departments(scope.conn, cursor=cursor, limit=views.MAX_LIMIT)
            shown += page.data
            cursor = page.next_cursor
            if cursor is None:
                break
    out.result({"data": shown}, [f"{d['id']:>6}  {d['name']}  parent: {d['parent_id'] or '-'}"
                                 f"  manager: {d['manager_id'] or '-'}  members: {len(d['members'])}" for d in shown])
    return 0


def create_department_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        manager = user_of(scope, args.manager) if args.manager else None
        department_id = departments.create_department(scope, args.name, parent_id=args.parent, manager_id=manager)
        shown = views.department_view(scope.conn, department_id)
    out.result(shown, [translate("admin.department_created", session.locale, name=args.name, id=department_id)])
    return 0


def _optional(value: str | None, read: Any) -> Any:
    """UNSET when not given, None for `none`, else the value read."""
    if value is None:
        return UNSET
    return None if value.strip().lower() == "none" else read(value)


def update_department_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        parent = _optional(args.parent, lambda v: departments.department_id_of(v))
        manager = _optional(args.manager, lambda v: user_of(scope, v))
        departments.update_department(scope, args.department_id, name=args.name, parent_id=parent, manager_id=manager)
        shown = views.department_view(scope.conn, args.department_id)
    out.result(shown, [translate("admin.department_updated", session.locale, id=args.department_id)])
    return 0


def delete_department_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        departments.delete_department(scope, args.department_id)
    out.result({"id": args.department_id, "deleted": True},
               [translate("admin.department_deleted", session.locale, id=args.department_id)])
    return 0
