"""The field-type protocol: one class per type holds its schema, storage, conversion, checks and labels."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.fields import patterns
from jimu.platform.fields.api_schemas import EntityRef, Schema
from jimu.platform.registry.model import FieldDef, Label

if TYPE_CHECKING:
    from sqlalchemy.sql.elements import ColumnElement

    from jimu.platform.registry.catalog import Catalog
    from jimu.platform.registry.model import EntityDef
    from jimu.platform.storage.bindings import EntityBinding


class ValueConversionError(ValueError):
    """A value that cannot become a value of the field's type; `code` is a catalogue code."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Problem:
    """A value or definition problem before it is placed at a path."""

    code: str
    params: dict[str, Any]
    at: str = ""  # a property below the path the problem is placed at (`pattern` of a field)


# JSON Schema of the properties every field may have, whatever its type.
COMMON_PROPERTIES: dict[str, Any] = {
    "name": {"type": "string"},
    "key": {"type": "string"},
    "type": {"type": "string"},
    "label": {"$ref": "#/$defs/label"},
    "help": {"$ref": "#/$defs/label"},
    "description": {"type": "string"},
    "required": {"type": "boolean"},
    "unique": {"type": "boolean"},
    "indexed": {"type": "boolean"},
    "read_only": {"type": "boolean"},
    "hidden": {"type": "boolean"},
    "default": {},
    "default_expression": {"type": "string"},
    "backfill_default": {"type": "boolean"},
    "visible_if": {"type": "string"},
    "required_if": {"type": "string"},
    "read_only_if": {"type": "string"},
}
# Common properties holding an expression in the field's own entity.
EXPRESSION_PROPERTIES = ("default_expression", "visible_if", "required_if", "read_only_if")


class FieldType:
    """Base of every field type. Subclasses override what differs."""

    name: ClassVar[str]
    label: ClassVar[Label]
    # JSON Schema of the type's own properties (merged with COMMON_PROPERTIES).
    properties: ClassVar[dict[str, Any]] = {}
    required_properties: ClassVar[tuple[str, ...]] = ()
    # Whether the type can carry `unique` / `indexed` / a `default`.
    indexable: ClassVar[bool] = True
    # Computed types are never written by users (formula, rollup, lookup, auto-number).
    computed: ClassVar[bool] = False
    # Whose value derives from other fields (formula, lookup, rollup): recomputed when they change,
    # its type resolved when a catalog is built (`resolve_type`).
    derived: ClassVar[bool] = False
    # A many-to-one reference to a record of another entity (link); `target_entity` names it.
    follows_link: ClassVar[bool] = False
    # Owns ordered line rows kept in a child entity's table (child table); `target_entity` names it.
    owns_rows: ClassVar[bool] = False
    # Takes the next number of its series when a record is created (auto-number): unique, never rewritten.
    numbered: ClassVar[bool] = False
    # Its value is a platform user's id (user): who a record names, for approvers and "who may", and
    # what record rules compare with the caller (`owner is me`).
    names_user: ClassVar[bool] = False
    # How values appear in lists: searched by `q` when no `search_fields` are set; sortable; held as
    # text (compared and searched without a cast), as JSON, or as a decimal; the Python kind a keyset
    # cursor carries them as.
    searchable: ClassVar[bool] = False
    sortable: ClassVar[bool] = True
    text_valued: ClassVar[bool] = False
    json_valued: ClassVar[bool] = False
    decimal_valued: ClassVar[bool] = False
    cursor_kind: ClassVar[str] = "str"
    # Which list filter operators the type's values take (None: every one); `multi_valued` values are
    # lists, for which `contains` means holding every value given.
    filter_ops: ClassVar[frozenset[str] | None] = None
    multi_valued: ClassVar[bool] = False
    # Can name an entity's records when its definition names no `title_field` (the first such field does).
    titles_records: ClassVar[bool] = False
    # Its values are among the `options` of its definition (a removed option is a schema change to confirm).
    has_options: ClassVar[bool] = False
    # Values describe files kept in the file store (attachments): uploaded first, then referenced by key.
    holds_files: ClassVar[bool] = False

    # ---- definition -------------------------------------------------------------
    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        """Semantic checks beyond the JSON Schema (targets exist, options unique...)."""
        return []

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        """The field's type inside expressions; None when it cannot be referenced as a scalar."""
        return None

    def target_entity(self, field: FieldDef) -> str | None:
        """The entity a link points at or a child table owns; None for other types."""
        return None

    def value_def(self, field: FieldDef, catalog: Catalog) -> FieldDef:
        """The definition the field's values behave like when read (a computed field: its result's type)."""
        return field

    def resolve_type(self, field: FieldDef, catalog: Catalog) -> ExprType | None:
        """The value type of a field whose type derives from other fields (formula, lookup, rollup),
        worked out once while its catalog is built; reading another such field's type resolves it first."""
        return None

    # ---- derived values (formula, lookup, rollup) --------------------------------------
    def read_paths(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, ...]]:
        """Paths through single records the value is computed from (`link.field`); none for aggregates."""
        return []

    def dependency_paths(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, ...]]:
        """Paths of everything the value reads, for the dependency graph; a step may be a child table,
        a link, `parent`, or `entity.link` (the records of `entity` whose `link` points here)."""
        return self.read_paths(field, catalog)

    def computed_sql(self, field: FieldDef, binding: EntityBinding) -> ColumnElement[Any]:
        """The SQL computing the value from its sources in `binding`'s row (derived types only)."""
        raise KeyError(field.name)

    def definition_expressions(self, field: FieldDef, catalog: Catalog) -> list[tuple[str, str]]:
        """(entity key, source) of every expression the definition holds, compiled with the catalog."""
        return [(field.entity, str(field.get(prop))) for prop in EXPRESSION_PROPERTIES if field.get(prop)]

    def text_length(self, field: FieldDef) -> int | None:
        """The most characters a text value of the field has, bounding the texts expressions build from
        it (engines/expressions/bounds.py); None: not known (as long as any text may be)."""
        return None

    # ---- the API's documents --------------------------------------------------------
    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        """The JSON Schema of the field's values in the API's records (`write`: as a create or update
        accepts them); `ref(entity, write)` refers to another entity's record schema. {}: any JSON value."""
        return {}

    # ---- storage ----------------------------------------------------------------
    def choices(self, field: FieldDef) -> list[str] | None:
        """The values a single-choice field may hold, in order (None: the type is not a single choice)."""
        return None

    def stored(self, field: FieldDef) -> bool:
        """Whether the field has a column in the entity's table."""
        return True

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        raise NotImplementedError

    def foreign_key(self, field: FieldDef, catalog: Catalog) -> str | None:
        """`table.column` the column refers to, if any."""
        return None

    # ---- values -----------------------------------------------------------------
    def coerce(self, field: FieldDef, value: Any) -> Any:
        """Turn input (JSON, CSV text, spreadsheet cell) into the stored Python value, or raise."""
        return value

    def to_json(self, field: FieldDef, value: Any) -> Any:
        """The JSON form of a stored value."""
        return value

    def to_text(self, field: FieldDef, value: Any) -> str:
        """The text form of a stored value (CSV export); `coerce` reads it back."""
        return "" if value is None else str(value)

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        """Constraint checks on a coerced, non-null value (range, length, pattern, options)."""
        return []

    def is_blank(self, value: Any) -> bool:
        return value is None or value == "" or value == []

    # ---- many values of one field (imports) -------------------------------------------
    def converter(self, field: FieldDef) -> Converter:
        """`coerce` for one field, made once for many values; types override it with a closure that
        reads the field's properties once (same results and errors as `coerce`)."""
        return partial(self.coerce, field)

    def checker(self, field: FieldDef) -> Checker | None:
        """`check_value` for one field, made once for many values; None when no value can fail it."""
        if not self.overrides(FieldType, "check_value"):
            return None
        return partial(self.check_value, field)

    def overrides(self, base: type[FieldType], *names: str) -> bool:
        """Whether this type's class redefines any of `names` below `base` (a fast path of `base` then
        no longer holds, so `converter` / `checker` fall back to the general method)."""
        cls = type(self)
        return any(getattr(cls, name) is not getattr(base, name) for name in names)


Converter = Callable[[Any], Any]
Checker = Callable[[Any], list[Problem]]


def check_range(field_type: FieldType, field: FieldDef, value: Any) -> list[Problem]:
    """min / max, the bounds read through the field type's own conversion."""
    problems = []
    low, high = field.get("min"), field.get("max")
    if low is not None and value < field_type.coerce(field, low):
        problems.append(Problem("value.below_min", {"min": low}))
    if high is not None and value > field_type.coerce(field, high):
        problems.append(Problem("value.above_max", {"max": high}))
    return problems


def range_checker(field_type: FieldType, field: FieldDef) -> Checker | None:
    """`check_range` with the bounds converted once; None when the field has neither bound."""
    low, high = field.get("min"), field.get("max")
    if low is None and high is None:
        return None
    try:
        low_value = None if low is None else field_type.coerce(field, low)
        high_value = None if high is None else field_type.coerce(field, high)
    except (ValueError, TypeError):  # a bad bound fails each check, as check_range does
        return partial(check_range, field_type, field)

    def check(value: Any) -> list[Problem]:
        problems = []
        if low is not None and value < low_value:
            problems.append(Problem("value.below_min", {"min": low}))
        if high is not None and value > high_value:
            problems.append(Problem("value.above_max", {"max": high}))
        return problems

    return check


def check_length_and_pattern(field: FieldDef, value: str) -> list[Problem]:
    problems = []
    max_length = field.get("max_length")
    min_length = field.get("min_length")
    if max_length is not None and len(value) > max_length:
        problems.append(Problem("value.too_long", {"max_length": max_length}))
    if min_length is not None and len(value) < min_length:
        problems.append(Problem("value.too_short", {"min_length": min_length}))
    pattern = field.get("pattern")
    if pattern and not patterns.matches(pattern, value):
        problems.append(Problem("value.pattern_mismatch", {"pattern": pattern}))
    return problems
