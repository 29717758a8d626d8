"""One message catalogue for every user-facing string, in zh-CN and en.

Messages live in `<locale>/<domain>.json` (codes are namespaced, e.g. `definition.unknown_type`);
each domain file exists in every locale (a test checks both have the same codes).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SUPPORTED_LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
_HERE = Path(__file__).parent


@lru_cache(maxsize=None)
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


def translate(code: str, locale: str = DEFAULT_LOCALE, /, **params: Any) -> str:
    """The message for `code` in `locale`, formatted with `params`; falls back to English, then the code."""
    template = _catalogue(locale if locale in SUPPORTED_LOCALES else DEFAULT_LOCALE).get(code)
    if template is None:
        template = _catalogue(DEFAULT_LOCALE).get(code, code)
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def label(value: dict[str, str] | str | None, locale: str = DEFAULT_LOCALE) -> str:
    """Pick the text of a definition label ({"en": ..., "zh-CN": ...}) for a locale."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(locale) or value.get(DEFAULT_LOCALE) or next(iter(value.values()), "")
