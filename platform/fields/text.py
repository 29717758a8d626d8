"""Text-like field types: text, long text, email, phone, url."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

from jimu.engines.expressions.types import ExprType
from jimu.platform.fields.api_schemas import EntityRef, Schema
from jimu.platform.fields.base import (
    Checker,
    Converter,
    FieldType,
    Problem,
    ValueConversionError,
    check_length_and_pattern,
)
from jimu.platform.fields.patterns import MAX_PATTERN_LENGTH, matches, portable, refusal
from jimu.platform.registry.model import FieldDef

if TYPE_CHECKING:
    from jimu.platform.registry.catalog import Catalog
    from jimu.platform.registry.model import EntityDef

_LENGTH_PROPS: dict[str, Any] = {
    "max_length": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
    "min_length": {"type": "integer", "minimum": 0},
    "pattern": {"type": "string", "minLength": 1, "maxLength": MAX_PATTERN_LENGTH,
                "description": "RE2 syntax, matched against the whole value (see docs/definitions.md)."},
    "searchable": {"type": "boolean"},
    "strip": {"type": "boolean", "description": "Trim surrounding blanks from input (default true)."},
}


def storable(text: str) -> str:
    """The text itself, or ValueConversionError when it holds a character no database can store: a NUL
    (PostgreSQL refuses it) or an unpaired surrogate (not UTF-8)."""
    if text.isascii():
        if "\x00" in text:
            raise ValueConversionError("value.unstorable_character", position=text.index("\x00") + 1)
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueConversionError("value.unstorable_character", position=error.start + 1) from None
    if "\x00" in text:
        raise ValueConversionError("value.unstorable_character", position=text.index("\x00") + 1)
    return text


class TextType(FieldType):
    name = "text"
    searchable = True
    titles_records = True
    text_valued = True
    label = {"en": "Text", "zh-CN": "文本"}
    properties: ClassVar[dict[str, Any]] = _LENGTH_PROPS
    default_max_length: ClassVar[int | None] = 1000
    json_format: ClassVar[str | None] = None  # the JSON Schema `format` of its values (email, uri)

    def check_definition(self, field: FieldDef, entity: EntityDef, catalog: Catalog) -> list[Problem]:
        pattern = field.get("pattern")
        reason = refusal(pattern) if pattern else None
        if reason is None:
            return []
        return [Problem("definition.pattern_invalid", {"pattern": pattern, "reason": reason}, at="pattern")]

    def expr_type(self, field: FieldDef, catalog: Catalog) -> ExprType:
        return ExprType.TEXT

    def json_schema(self, field: FieldDef, catalog: Catalog, *, write: bool, ref: EntityRef) -> Schema:
        schema: Schema = {"type": "string"}
        if write:
            limit = field.get("max_length") or self.default_max_length
            if limit:
                schema["maxLength"] = int(limit)
            if field.get("pattern") and portable(field.get("pattern")):  # else clients would misread it
                schema["pattern"] = f"^(?:{field.get('pattern')})$"
        if self.json_format:
            schema["format"] = self.json_format
        return schema

    def text_length(self, field: FieldDef) -> int | None:
        declared = field.get("max_length")
        return int(declared) if isinstance(declared, int) else self.default_max_length

    def sa_type(self, field: FieldDef, catalog: Catalog) -> sa.types.TypeEngine[Any]:
        return sa.Text()

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise ValueConversionError("value.not_text")
        text = storable(value if isinstance(value, str) else str(value))
        return text.strip() if field.get("strip", True) else text

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        problems = check_length_and_pattern(field, value)
        limit = self.default_max_length
        if field.get("max_length") is None and limit is not None and len(value) > limit:
            problems.append(Problem("value.too_long", {"max_length": limit}))
        return problems

    def converter(self, field: FieldDef) -> Converter:
        if self.overrides(TextType, "coerce"):
            return super().converter(field)
        coerce = self.coerce
        strip = field.get("strip", True)

        def convert(value: Any) -> Any:
            if type(value) is str:
                return storable(value.strip() if strip else value)
            return coerce(field, value)

        return convert

    def checker(self, field: FieldDef) -> Checker | None:
        if self.overrides(TextType, "check_value"):
            return super().checker(field)
        max_length, min_length, pattern = field.get("max_length"), field.get("min_length"), field.get("pattern")
        default_limit = self.default_max_length if max_length is None else None
        matcher = partial(matches, pattern) if pattern else None

        def check(value: Any) -> list[Problem]:  # the problems of check_value, in its order
            problems = []
            if max_length is not None and len(value) > max_length:
                problems.append(Problem("value.too_long", {"max_length": max_length}))
            if min_length is not None and len(value) < min_length:
                problems.append(Problem("value.too_short", {"min_length": min_length}))
            if matcher is not None and not matcher(value):
                problems.append(Problem("value.pattern_mismatch", {"pattern": pattern}))
            if default_limit is not None and len(value) > default_limit:
                problems.append(Problem("value.too_long", {"max_length": default_limit}))
            return problems

        return check


class LongTextType(TextType):
    name = "long_text"
    titles_records = False
    label = {"en": "Long text", "zh-CN": "多行文本"}
    default_max_length = 1_000_000
    indexable = False

    def coerce(self, field: FieldDef, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            raise ValueConversionError("value.not_text")
        return storable(value if isinstance(value, str) else str(value))


_BLANK = r"\s\v\x1c-\x1f\x85\p{Z}"  # in RE2, what Python's Unicode `\s` matches


class _CheckedTextType(TextType):
    """Text with a format check: an RE2 pattern (linear time, like the designers' own patterns)."""

    format_pattern: ClassVar[str]
    invalid_code: ClassVar[str]
    default_max_length = 320
    titles_records = False

    def check_value(self, field: FieldDef, value: Any) -> list[Problem]:
        problems = super().check_value(field, value)
        if value and not matches(self.format_pattern, value):
            problems.append(Problem(self.invalid_code, {}))
        return problems


class EmailType(_CheckedTextType):
    name = "email"
    label = {"en": "Email", "zh-CN": "邮箱"}
    format_pattern = rf"[^@{_BLANK}]+@[^@{_BLANK}]+\.[^@{_BLANK}]+"
    invalid_code = "value.invalid_email"
    json_format = "email"

    def coerce(self, field: FieldDef, value: Any) -> Any:
        text = super().coerce(field, value)
        return text.lower() if text else text


class PhoneType(_CheckedTextType):
    name = "phone"
    label = {"en": "Phone", "zh-CN": "电话"}
    format_pattern = (rf"\+?(?:[0-9]|\([0-9]{{1,5}}\))[0-9 ()\-.]{{2,30}}"
                      rf"(?:[{_BLANK}]*(?:ext|x|转)[{_BLANK}]*[0-9]{{1,6}})?")
    invalid_code = "value.invalid_phone"
    default_max_length = 40


class UrlType(_CheckedTextType):
    name = "url"
    searchable = False
    label = {"en": "URL", "zh-CN": "网址"}
    format_pattern = rf"(?i)https?://[^{_BLANK}/$.?#][^{_BLANK}]*"
    invalid_code = "value.invalid_url"
    json_format = "uri"
    default_max_length = 2048


TYPES: tuple[type[FieldType], ...] = (TextType, LongTextType, EmailType, PhoneType, UrlType)
