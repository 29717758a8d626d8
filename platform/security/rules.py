"""Record rules: which rows of an entity a role may see or change, compiled to SQL.

A rule is a JSON object with a `where` part, a `who` part, or both (then both must hold):

    {"expression": "{owner} = CURRENT_USER() and status != 'archived'"}   # the expression language
    {"field": "owner", "is": "my_department_members"}                    # a user field in a user set

`field` names a `user` field of the entity or the system columns `_created_by` / `_updated_by`;
`is` names an entry of USER_SETS.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expressions import EvalEnv, to_sql
from jimu.engines.expressions.errors import ExpressionError
from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.i18n import Message
from jimu.platform.i18n.expressions import located_expression_message
from jimu.platform.registry.catalog import Catalog, FormulaCycleError
from jimu.platform.registry.model import EntityDef, FieldDef
from jimu.platform.security.principal import Principal
from jimu.platform.security.tables import user_departments
from jimu.platform.storage.bindings import EntityBinding
from jimu.platform.storage.tables import EntityTables

SYSTEM_USER_COLUMNS = ("_created_by", "_updated_by")
RULE_KEYS = frozenset({"expression", "field", "is"})


def _names_user(field: FieldDef) -> bool:
    """Whether a field's value is a user (a record rule may compare it with the caller)."""
    return field.type in FIELD_TYPES and FIELD_TYPES[field.type].names_user


def _members_of(department_ids: frozenset[int]) -> sa.Select[Any]:
    return sa.select(user_departments.c.user_id).where(
        user_departments.c.department_id.in_(sorted(department_ids))).distinct()


def _current_user(principal: Principal, column: ColumnElement[Any]) -> ColumnElement[bool]:
    return column == principal.user_id


def _my_department_members(principal: Principal, column: ColumnElement[Any]) -> ColumnElement[bool]:
    if not principal.departments:
        return sa.false()
    return column.in_(_members_of(principal.departments))


def _my_subordinates(principal: Principal, column: ColumnElement[Any]) -> ColumnElement[bool]:
    if not principal.managed_departments:
        return sa.false()
    return column.in_(_members_of(principal.managed_departments))


@dataclass(frozen=True)
class UserSet:
    """A set of users relative to the principal, as a SQL condition on a user-id column."""

    name: str
    description: str
    condition: Callable[[Principal, ColumnElement[Any]], ColumnElement[bool]]


USER_SETS: Mapping[str, UserSet] = {s.name: s for s in (
    UserSet("current_user", "The principal themself.", _current_user),
    UserSet("my_department_members", "Members of any department the principal belongs to (the principal too).",
            _my_department_members),
    UserSet("my_subordinates", "Members of the departments the principal manages, and of their sub-departments.",
            _my_subordinates),
)}


@dataclass(frozen=True)
class RecordRule:
    """One record rule of a role for an entity and a set of actions."""

    id: int
    role: str
    entity: str
    actions: frozenset[str]
    expression: str | None = None
    field: str | None = None  # the field's stable key, or a system column
    user_set: str | None = None

    @staticmethod
    def from_json(id: int, role: str, entity: str, actions: Any, rule: Mapping[str, Any]) -> RecordRule:
        return RecordRule(id=id, role=role, entity=entity, actions=frozenset(actions),
                          expression=rule.get("expression"), field=rule.get("field"), user_set=rule.get("is"))


def rule_problems(rule: Mapping[str, Any], entity: EntityDef, catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
    """Problems (code, params) of a rule definition for an entity; empty when it is valid."""
    if not isinstance(rule, Mapping) or set(rule) - RULE_KEYS or not rule:
        return [("security.rule_invalid", {"keys": sorted(RULE_KEYS)})]
    problems: list[tuple[str, dict[str, Any]]] = []
    if "expression" in rule:
        try:
            checked = catalog.compile(entity.key, str(rule["expression"]), ExprType.BOOLEAN)
            if checked.queries:  # a rule guarding records may not itself read records under rules
                problems.append(("security.rule_expression_invalid", {"detail": Message(
                    "definition.query_aggregate_not_allowed", entities=", ".join(sorted(checked.queries)))}))
        except ExpressionError as error:
            problems.append(("security.rule_expression_invalid", {"detail": located_expression_message(error)}))
        except FormulaCycleError as cycle:
            problems.append(("security.rule_expression_invalid",
                             {"detail": Message("definition.formula_cycle", cycle=str(cycle))}))
    if ("field" in rule) != ("is" in rule):
        problems.append(("security.rule_invalid", {"keys": sorted(RULE_KEYS)}))
    elif "field" in rule:
        name = rule["field"]
        field = entity.field(name) if isinstance(name, str) else None
        if name not in SYSTEM_USER_COLUMNS and (field is None or not _names_user(field)):
            problems.append(("security.rule_field_not_user", {"field": name, "entity": entity.key}))
        if rule["is"] not in USER_SETS:
            problems.append(("security.rule_unknown_user_set", {"is": rule["is"], "sets": sorted(USER_SETS)}))
    return problems


def stored_rule(rule: Mapping[str, Any], entity: EntityDef) -> dict[str, Any]:
    """The rule as stored: the field by its stable key (renaming a field keeps the rule)."""
    stored = dict(rule)
    field = entity.field(rule["field"]) if "field" in rule else None
    if field is not None:
        stored["field"] = field.key
    return stored


class RuleCompiler:
    """Compiles record rules to SQL conditions over an entity table (or an alias of it)."""

    def __init__(self, catalog: Catalog, tables: EntityTables, principal: Principal, env: EvalEnv,
                 dialect: str) -> None:
        self.catalog = catalog
        self.tables = tables
        self.principal = principal
        self.env = env
        self.dialect = dialect

    def condition(self, rule: RecordRule, entity: EntityDef, table: sa.FromClause) -> ColumnElement[bool]:
        """The rule as a condition; a rule that no longer fits the definition matches nothing (fail closed)."""
        parts: list[ColumnElement[bool]] = []
        if rule.expression is not None:
            try:
                checked = self.catalog.compile(entity.key, rule.expression, ExprType.BOOLEAN)
                binding = EntityBinding(self.catalog, self.tables, entity, self.env, self.dialect, table=table)
                parts.append(to_sql(checked, binding, self.env, self.dialect).is_(True))
            except (ExpressionError, FormulaCycleError, KeyError):
                return sa.false()
        if rule.field is not None:
            column = self._user_column(rule.field, entity, table)
            user_set = USER_SETS.get(rule.user_set or "")
            if column is None or user_set is None:
                return sa.false()
            parts.append(user_set.condition(self.principal, column))
        return sa.and_(*parts) if parts else sa.false()

    @staticmethod
    def _user_column(key: str, entity: EntityDef, table: sa.FromClause) -> ColumnElement[Any] | None:
        if key in SYSTEM_USER_COLUMNS:
            return table.c[key]
        field = entity.field_by_key(key)
        if field is None or not _names_user(field) or field.column not in table.c:
            return None
        return table.c[field.column]
