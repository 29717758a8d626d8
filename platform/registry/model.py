"""Typed views of app and entity definitions (the JSON stays the source of truth)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Label = dict[str, str]

# Columns every entity table has; field names may not take them.
SYSTEM_COLUMNS = ("id", "_version", "_created_at", "_created_by", "_updated_at", "_updated_by", "_deleted_at")
# Extra columns of a child (line) table.
CHILD_COLUMNS = ("_parent_id", "_position")
# In a child entity's expressions, `parent.x` reads the owning record's field x.
PARENT = "parent"
RESERVED_NAMES = frozenset(
    {"id", "and", "or", "not", "in", "true", "false", "null", "is", "like", "select", "from", "where"}
)


@dataclass(frozen=True)
class FieldDef:
    """One field of an entity. `key` is stable (it names the column); `name` may be renamed."""

    name: str
    key: str
    type: str
    raw: dict[str, Any]
    entity: str = ""

    @property
    def column(self) -> str:
        return self.key

    @property
    def label(self) -> Label:
        return self.raw.get("label") or {"en": self.name}

    def get(self, prop: str, default: Any = None) -> Any:
        return self.raw.get(prop, default)

    @property
    def target(self) -> str:
        """The `entity` a link points at or a child table owns ("" on other fields)."""
        return str(self.raw.get("entity") or "")

    @property
    def required(self) -> bool:
        return bool(self.raw.get("required", False))

    @property
    def unique(self) -> bool:
        return bool(self.raw.get("unique", False))

    @property
    def indexed(self) -> bool:
        return bool(self.raw.get("indexed", False))

    @property
    def read_only(self) -> bool:
        return bool(self.raw.get("read_only", False))

    @property
    def hidden(self) -> bool:
        return bool(self.raw.get("hidden", False))


@dataclass(frozen=True)
class IndexDef:
    key: str
    fields: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True)
class RuleDef:
    key: str
    expression: str
    message: Label
    fields: tuple[str, ...] = ()  # the fields its message is attached to (none: the record itself)


@dataclass(frozen=True)
class EntityDef:
    """An entity: a real table whose columns are its stored fields."""

    key: str
    app: str
    raw: dict[str, Any]
    fields: tuple[FieldDef, ...]
    indexes: tuple[IndexDef, ...] = ()
    rules: tuple[RuleDef, ...] = ()
    is_child: bool = False
    _by_name: dict[str, FieldDef] = field(default_factory=dict, repr=False, compare=False)

    @property
    def table_name(self) -> str:
        return table_name_for(self.key)

    @property
    def label(self) -> Label:
        return self.raw.get("label") or {"en": self.key}

    @property
    def declared_title_field(self) -> str | None:
        """The `title_field` the definition names, if any."""
        title = self.raw.get("title_field")
        return str(title) if title else None

    @property
    def title_field(self) -> str | None:
        """The field naming the entity's records: the declared `title_field`, else the first field whose
        type can title records (`FieldType.titles_records`: text, auto-number)."""
        from jimu.platform.fields.registry import FIELD_TYPES  # the field types import this module

        return self.declared_title_field or next(
            (f.name for f in self.fields if f.type in FIELD_TYPES and FIELD_TYPES[f.type].titles_records), None)

    def field(self, name: str) -> FieldDef | None:
        return self._by_name.get(name)

    def field_by_key(self, key: str) -> FieldDef | None:
        return next((f for f in self.fields if f.key == key), None)

    @staticmethod
    def build(app: str, raw: dict[str, Any]) -> EntityDef:
        fields = tuple(
            FieldDef(name=f["name"], key=f.get("key") or f["name"], type=f["type"], raw=f, entity=raw["key"])
            for f in raw.get("fields", [])
        )
        indexes = tuple(
            IndexDef(key=i.get("key") or "_".join(i["fields"]), fields=tuple(i["fields"]), unique=bool(i.get("unique")))
            for i in raw.get("indexes", [])
        )
        rules = tuple(
            RuleDef(key=r.get("key") or f"rule_{n}", expression=r["expression"], message=r.get("message") or {},
                    fields=tuple(r.get("fields") or ()))
            for n, r in enumerate(raw.get("rules", []), start=1)
        )
        entity = EntityDef(
            key=raw["key"], app=app, raw=raw, fields=fields, indexes=indexes, rules=rules,
            is_child=bool(raw.get("child"))
        )
        entity._by_name.update({f.name: f for f in fields})
        return entity


@dataclass(frozen=True)
class AppDef:
    """An installable app: a named, versioned set of entities."""

    key: str
    version: str
    raw: dict[str, Any]
    entities: tuple[EntityDef, ...]

    @property
    def label(self) -> Label:
        return self.raw.get("label") or {"en": self.key}

    def entity(self, key: str) -> EntityDef | None:
        return next((e for e in self.entities if e.key == key), None)

    @staticmethod
    def build(raw: dict[str, Any]) -> AppDef:
        """The typed app of a definition, its labels normalised (see `normalise_labels`); `raw` is not changed."""
        raw = normalise_labels(raw)
        key = raw["key"]
        return AppDef(
            key=key,
            version=str(raw.get("version", "0.0.0")),
            raw=raw,
            entities=tuple(EntityDef.build(key, e) for e in raw.get("entities", [])),
        )


# The properties holding a label ({"en": ..., "zh-CN": ...}, or a plain string the docs allow), by owner.
_APP_LABELS = ("label", "description")
_ENTITY_LABELS = ("label", "label_plural", "description")
_FIELD_LABELS = ("label", "help")


def as_label(value: Any) -> Any:
    """A plain-string label as a label of every locale's fallback ({"en": text}); other values unchanged."""
    return {"en": value} if isinstance(value, str) else value


def _with_labels(node: Any, keys: tuple[str, ...], **children: Any) -> Any:
    """A copy of a definition object with its label properties normalised and `children` (lists) mapped."""
    if not isinstance(node, dict):
        return node
    out = {k: as_label(v) if k in keys else v for k, v in node.items()}
    for name, convert in children.items():
        if isinstance(out.get(name), list):
            out[name] = [convert(item) for item in out[name]]
    return out


def _field_labels(raw: Any) -> Any:
    return _with_labels(raw, _FIELD_LABELS, options=lambda o: _with_labels(o, ("label",)))


def _layout_labels(raw: Any) -> Any:
    def section(s: Any) -> Any:
        return _with_labels(s, ("label",))

    return _with_labels(raw, (), sections=section, tabs=lambda t: _with_labels(t, ("label",), sections=section))


def _entity_labels(raw: Any) -> Any:
    out = _with_labels(raw, _ENTITY_LABELS, fields=_field_labels, rules=lambda r: _with_labels(r, ("message",)))
    if isinstance(out, dict) and "layout" in out:
        out["layout"] = _layout_labels(out["layout"])
    return out


def normalise_labels(raw: dict[str, Any]) -> dict[str, Any]:
    """A definition whose every label is a dict: callers never meet a plain-string label. Idempotent; the
    objects it does not change are shared with `raw`, so build from a copy when `raw` will be mutated."""
    out: dict[str, Any] = _with_labels(raw, _APP_LABELS, entities=_entity_labels)
    return out


def table_name_for(entity_key: str) -> str:
    """The SQL table of an entity: derived from its stable key, never from a label."""
    return f"t_{entity_key}"
