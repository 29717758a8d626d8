"""The message catalogue: both locales complete, and every code the source uses is in it."""
from __future__ import annotations

import ast
import json
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from jimu.platform.i18n import SUPPORTED_LOCALES, _catalogue, translate

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / "platform" / "i18n"
SOURCE_FOLDERS = ("platform", "engines", "web")
# Catalogue codes are namespaced: `definition.unknown_type`, `value.required`...
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
# Calls whose first string argument is a message code.
CODE_CALLS = {"Problem", "translate", "ValueConversionError"}


def _domains(locale: str) -> set[str]:
    return {p.name for p in (CATALOGUE / locale).glob("*.json")}


def _load(locale: str, domain: str) -> dict[str, str]:
    with open(CATALOGUE / locale / domain, encoding="utf-8") as fh:
        data: dict[str, str] = json.load(fh)
    return data


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_domain_exists_in_every_locale() -> None:
    domains = [_domains(locale) for locale in SUPPORTED_LOCALES]
    assert domains[0], "no message files found"
    assert all(d == domains[0] for d in domains), dict(zip(SUPPORTED_LOCALES, domains))


@pytest.mark.parametrize("domain", sorted(_domains("en")))
def test_locales_have_the_same_codes_and_placeholders(domain: str) -> None:
    english = _load("en", domain)
    for locale in SUPPORTED_LOCALES[1:]:
        other = _load(locale, domain)
        assert sorted(set(english) ^ set(other)) == [], f"{locale}/{domain} differs from en/{domain}"
        mismatched = {code: (_placeholders(text), _placeholders(other[code]))
                      for code, text in english.items() if _placeholders(text) != _placeholders(other[code])}
        assert mismatched == {}, f"placeholders differ in {locale}/{domain}"
        assert all(text.strip() for text in other.values())


def test_codes_are_unique_across_domains() -> None:
    seen: dict[str, str] = {}
    duplicates = []
    for domain in sorted(_domains("en")):
        for code in _load("en", domain):
            if code in seen:
                duplicates.append(f"{code} in {seen[code]} and {domain}")
            seen[code] = domain
    assert duplicates == []


def _literal(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _used_codes() -> Iterator[tuple[str, str]]:
    """(where, code) of message codes written as literals in the source (best effort)."""
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                candidates: list[str | None] = [kw.value.value for kw in node.keywords
                                                if kw.arg == "code" and isinstance(kw.value, ast.Constant)]
                name = _call_name(node)
                if name in CODE_CALLS and node.args:
                    candidates.append(_literal(node.args[0]))
                if name == "add" and len(node.args) >= 2:  # problems.add(path, "definition.x", ...)
                    candidates.append(_literal(node.args[1]))
                for code in candidates:
                    if isinstance(code, str) and CODE.match(code):
                        yield where, code


def test_source_codes_exist_in_the_catalogue() -> None:
    used = list(_used_codes())
    assert len(used) > 20, "the scan found suspiciously few codes"
    for locale in SUPPORTED_LOCALES:
        known = _catalogue(locale)
        missing = sorted({f"{where}: {code}" for where, code in used if code not in known})
        assert missing == [], f"codes missing from the {locale} catalogue"


def test_translate_formats_and_falls_back() -> None:
    assert translate("definition.unknown_entity", "zh-CN", entity="x") == "没有定义或安装实体“x”。"
    assert translate("definition.unknown_entity", "fr", entity="x") == "No entity 'x' is defined or installed."
    assert translate("no.such_code", "en") == "no.such_code"


def _enum_codes() -> Iterator[tuple[str, str]]:
    """Codes declared as members of `...Code` enums (e.g. the expression language's ErrorCode)."""
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ClassDef) and node.name.endswith("Code"):
                    for item in node.body:
                        value = _literal(item.value) if isinstance(item, ast.Assign) else None
                        if value and CODE.match(value):
                            yield f"{path.relative_to(ROOT)}:{item.lineno}", value


def test_enum_codes_exist_in_the_catalogue() -> None:
    used = list(_enum_codes())
    assert used
    for locale in SUPPORTED_LOCALES:
        known = _catalogue(locale)
        assert sorted({f"{where}: {code}" for where, code in used if code not in known}) == []
