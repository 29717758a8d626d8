"""The ListQuery model: filters, expression, search, sort, page size, cursor, projection; parsed from HTTP params.

Parsing here checks shape only (ops, nesting, limits); names and values are checked against the
entity when the query runs (`listing.py`), where each value is coerced with its field's type.
"""
from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_FILTER_DEPTH = 8
MAX_FILTER_CONDITIONS = 200

# op → number of values it takes: 0 (none), 1 (one), "list" (a list), 2 (a [low, high] pair)
OPS: dict[str, int | str] = {
    "eq": 1, "ne": 1, "lt": 1, "lte": 1, "gt": 1, "gte": 1,
    "in": "list", "not_in": "list", "between": 2,
    "contains": 1, "starts_with": 1, "is_null": 0, "is_not_null": 0,
}
DELETED_MODES = ("exclude", "only", "include")
Deleted = Literal["exclude", "only", "include"]


@dataclass(frozen=True)
class Condition:
    """One structured condition: `field op value`."""

    field: str
    op: str
    value: Any = None
    path: str = "filter"


@dataclass(frozen=True)
class Group:
    """Conditions joined by `and` or `or`."""

    kind: Literal["and", "or"]
    items: tuple[FilterNode, ...]
    path: str = "filter"


FilterNode = Union[Condition, Group]  # noqa: UP007 (a runtime alias: `|` on forward references fails)


@dataclass(frozen=True)
class SortKey:
    """One sort column: a field name or a system column, ascending unless `descending`."""

    field: str
    descending: bool = False

    def __str__(self) -> str:
        return f"-{self.field}" if self.descending else self.field


@dataclass
class ListQuery:
    """What to list. `filters` and `sort` also accept their raw forms (dicts / "-a,b" / tuples)."""

    filters: Any = None
    expression: str | None = None
    search: str | None = None
    sort: Any = None  # None: the entity's default_sort, else "-id"
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    fields: Sequence[str] | None = None
    deleted: Deleted = "exclude"
    include_lines: bool = False
    filter_node: FilterNode | None = field(init=False, default=None)
    sort_keys: tuple[SortKey, ...] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.filter_node = parse_filter(self.filters)
        self.sort_keys = parse_sort(self.sort) if self.sort is not None else None
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or not 1 <= self.limit <= MAX_LIMIT:
            raise _invalid("limit", "query.invalid_limit", max=MAX_LIMIT)
        if self.deleted not in DELETED_MODES:
            raise _invalid("deleted", "query.invalid_deleted", value=str(self.deleted))
        if self.fields is not None:
            if isinstance(self.fields, str) or not all(isinstance(f, str) for f in self.fields):
                raise _invalid("fields", "query.invalid_fields")
            self.fields = tuple(self.fields)
        if self.search is not None and not isinstance(self.search, str):
            raise _invalid("search", "query.invalid_search")
        if self.expression is not None and not isinstance(self.expression, str):
            raise _invalid("where", "query.invalid_expression_text")


def _invalid(path: str, code: str, **params: Any) -> ValidationError:
    message = translate(code, "en", **params)
    return ValidationError(message, code=code, details=[ErrorDetail(path, code, params, message)], **params)


# ---- structured filters -----------------------------------------------------------------


def parse_filter(raw: Any) -> FilterNode | None:
    """A filter tree from its JSON form: a condition, `{"and": [...]}`, `{"or": [...]}` or a list (and)."""
    if raw is None or raw == [] or raw == {}:
        return None
    if isinstance(raw, (Condition, Group)):
        return raw
    counter = [0]
    return _node(raw, "filter", 0, counter)


def _node(raw: Any, path: str, depth: int, counter: list[int]) -> FilterNode:
    if depth > MAX_FILTER_DEPTH:
        raise _invalid(path, "query.filter_too_deep", max=MAX_FILTER_DEPTH)
    if isinstance(raw, (list, tuple)):
        return Group("and", tuple(_node(item, f"{path}[{n}]", depth + 1, counter) for n, item in enumerate(raw)), path)
    if not isinstance(raw, Mapping):
        raise _invalid(path, "query.filter_malformed")
    if set(raw) in ({"and"}, {"or"}):
        kind: Literal["and", "or"] = "and" if "and" in raw else "or"
        items = raw[kind]
        if not isinstance(items, (list, tuple)):
            raise _invalid(f"{path}.{kind}", "query.filter_malformed")
        children = tuple(_node(item, f"{path}.{kind}[{n}]", depth + 1, counter) for n, item in enumerate(items))
        return Group(kind, children, path)
    return _condition(raw, path, counter)


def _condition(raw: Mapping[str, Any], path: str, counter: list[int]) -> Condition:
    counter[0] += 1
    if counter[0] > MAX_FILTER_CONDITIONS:
        raise _invalid(path, "query.filter_too_large", max=MAX_FILTER_CONDITIONS)
    name, op = raw.get("field"), raw.get("op", "eq")
    if not isinstance(name, str) or not name or set(raw) - {"field", "op", "value"}:
        raise _invalid(path, "query.filter_malformed")
    if op not in OPS:
        raise _invalid(f"{path}.op", "query.unknown_op", field=name, op=str(op), ops=", ".join(OPS))
    arity, value = OPS[op], raw.get("value")
    if arity == "list" and not isinstance(value, (list, tuple)):
        raise _invalid(f"{path}.value", "query.value_needs_list", field=name, op=op)
    if arity == 2 and (not isinstance(value, (list, tuple)) or len(value) != 2):
        raise _invalid(f"{path}.value", "query.value_needs_pair", field=name, op=op)
    if arity == 1 and isinstance(value, (list, tuple, dict)):
        raise _invalid(f"{path}.value", "query.value_needs_scalar", field=name, op=op)
    return Condition(name, op, tuple(value) if isinstance(value, (list, tuple)) else value, path)


# ---- sort --------------------------------------------------------------------------------


def parse_sort(raw: Any) -> tuple[SortKey, ...]:
    """Sort keys from "-order_date,number", a list of such names, SortKeys or (name, descending) pairs."""
    items: Sequence[Any] = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)):
        raise _invalid("sort", "query.invalid_sort")
    keys: list[SortKey] = []
    for item in items:
        if isinstance(item, SortKey):
            key = item
        elif isinstance(item, str) and item.strip().lstrip("-+"):
            text = item.strip()
            key = SortKey(text.lstrip("-+"), text.startswith("-"))
        elif isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str):
            key = SortKey(item[0], bool(item[1]))
        else:
            raise _invalid("sort", "query.invalid_sort")
        if any(k.field == key.field for k in keys):
            raise _invalid("sort", "query.duplicate_sort", field=key.field)
        keys.append(key)
    return tuple(keys)


# ---- HTTP parameters -----------------------------------------------------------------------


def parse_list_params(params: Mapping[str, Any]) -> ListQuery:
    """A ListQuery from query-string style parameters (all values may be strings)."""
    raw_filter = params.get("filter")
    if isinstance(raw_filter, str) and raw_filter.strip():
        try:
            raw_filter = json.loads(raw_filter)
        except json.JSONDecodeError as error:
            raise _invalid("filter", "query.filter_not_json", error=error.msg) from None
    elif isinstance(raw_filter, str):
        raw_filter = None
    limit: Any = params.get("limit", DEFAULT_LIMIT)
    if isinstance(limit, str):
        try:
            limit = int(limit.strip())
        except ValueError:
            raise _invalid("limit", "query.invalid_limit", max=MAX_LIMIT) from None
    fields = params.get("fields")
    if isinstance(fields, str):
        fields = [f.strip() for f in fields.split(",") if f.strip()] or None
    sort = params.get("sort")
    return ListQuery(
        filters=raw_filter,
        expression=_text(params.get("where")),
        search=_text(params.get("q")) or _text(params.get("search")),
        sort=sort if sort not in (None, "") else None,
        limit=limit,
        cursor=_text(params.get("cursor")),
        fields=fields,
        deleted=params.get("deleted") or "exclude",
        include_lines=str(params.get("include_lines", "")).lower() in ("1", "true", "yes"),
    )


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None
