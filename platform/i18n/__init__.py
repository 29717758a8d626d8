"""One message catalogue for every user-facing string, in zh-CN and en.

Messages live in `<locale>/<domain>.json` (codes are namespaced, e.g. `definition.unknown_type`);
each domain file exists in every locale (a test checks both have the same codes).
"""
from __future__ import annotations

import json
import string
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

SUPPORTED_LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
_HERE = Path(__file__).parent


@cache
def _catalogue(locale: str) -> dict[str, str]:
    """All messages of a locale: every `<locale>/*.json` file (one per domain), merged."""
    data: dict[str, str] = {}
    for path in sorted((_HERE / locale).glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            data.update(json.load(fh))
    return data


def negotiate_locale(accept_language: str | None) -> str:
    """Pick a supported locale from an Accept-Language header value."""
    if not accept_language:
        return DEFAULT_LOCALE
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


class Message(dict[str, Any]):
    """A catalogue message not yet rendered: `{"code": ..., "params": {...}}`.

    Used as a parameter of another message (e.g. an expression error inside
    `definition.expression_invalid`): `translate` renders it first, in the same locale.
    Being a plain dict, it stays JSON-serialisable wherever params are echoed.
    """

    def __init__(self, code: str, /, **params: Any) -> None:
        super().__init__(code=code, params=params)

    @property
    def code(self) -> str:
        return str(self["code"])

    @property
    def params(self) -> dict[str, Any]:
        return dict(self["params"])


_LIST_SEPARATOR = {"en": ", ", "zh-CN": "、"}


def _render(value: Any, locale: str) -> Any:
    """A parameter as shown in a message: nested messages translated, lists joined."""
    if isinstance(value, Message):
        return translate(value.code, locale, **value.params)
    if isinstance(value, (list, tuple)):
        return _LIST_SEPARATOR.get(locale, ", ").join(str(_render(item, locale)) for item in value)
    return value


def translate(code: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The message for `code` in `locale`, formatted with `params`; falls back to English, then the code.

    A `Message` parameter is translated first (in the same locale); a list parameter is joined.
    """
    if locale not in SUPPORTED_LOCALES:
        locale = DEFAULT_LOCALE
    template = _catalogue(locale).get(code)
    if template is None:
        template = _catalogue(DEFAULT_LOCALE).get(code, code)
    try:
        return template.format(**{name: _render(value, locale) for name, value in params.items()})
    except (KeyError, IndexError, ValueError):
        return template


@lru_cache(maxsize=2048)
def placeholders(code: str, locale: str = DEFAULT_LOCALE) -> frozenset[str]:
    """The `{names}` the message of `code` in `locale` needs (none for an unknown code)."""
    template = _catalogue(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE).get(code)
    if template is None:
        template = _catalogue(DEFAULT_LOCALE).get(code, "")
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


def label(value: dict[str, str] | str | None, locale: str = DEFAULT_LOCALE) -> str:
    """Pick the text of a definition label ({"en": ..., "zh-CN": ...}) for a locale."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(locale) or value.get(DEFAULT_LOCALE) or next(iter(value.values()), "")
