"""Every message the source raises gets the parameters its catalogue text needs, in both languages.

The source is scanned for the calls that render or carry a catalogue message (`translate`,
`problems.add`, `Problem`, `ValueConversionError`, `ErrorDetail`, typed errors with `code=`...); at
each call with a literal code and literal parameter names, the message is rendered in every locale
with those names and must leave no `{placeholder}` unfilled. Calls passing `**params` or a computed
params mapping are checked by the tests of their own paths (tests/web/api/test_messages.py renders
real import, record and definition errors over HTTP).
"""
from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from jimu.platform.i18n import SUPPORTED_LOCALES, _catalogue, placeholders, translate

ROOT = Path(__file__).resolve().parents[1]
SOURCE_FOLDERS = ("platform", "engines", "web")
KNOWN = _catalogue("en")
# callee name → (index of the code argument, index of a positional params mapping or None)
POSITIONAL: dict[str, tuple[int, int | None]] = {
    "translate": (0, None), "Message": (0, None), "ValueConversionError": (0, None), "cli_error": (0, None),
    "_bad": (0, None), "add": (1, None), "Problem": (0, 1), "ErrorDetail": (1, 2), "problem": (1, None),
}
# keywords of those calls (and of typed errors) that are not message parameters
NOT_PARAMS: dict[str, frozenset[str]] = {
    "ErrorDetail": frozenset({"path", "code", "params", "message"}),
    "problem": frozenset({"detail", "params", "errors", "extra"}),
}
ERROR_KEYWORDS = frozenset({"code", "details"})


def unfilled(code: str, locale: str, message: str) -> list[str]:
    """The placeholders of `code` still showing in a rendered `message` (`{{literal}}` braces are fine)."""
    return sorted(name for name in placeholders(code, locale)
                  if re.search(r"\{" + re.escape(name) + r"(![rsa])?(:[^{}]*)?\}", message))


@dataclass(frozen=True)
class Site:
    where: str
    code: str
    names: frozenset[str]


def _call_name(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literal_code(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KNOWN:
        return node.value
    return None


def _dict_names(node: ast.AST) -> frozenset[str] | None:
    """The keys of a dict literal with constant keys; None for anything computed."""
    if isinstance(node, ast.Dict) and all(isinstance(k, ast.Constant) for k in node.keys):
        return frozenset(str(k.value) for k in node.keys if isinstance(k, ast.Constant))
    return None


def _site(node: ast.Call, where: str) -> Site | None:
    """The code and parameter names of a message call; None when not one, or its params are computed."""
    name = _call_name(node)
    if any(k.arg is None for k in node.keywords):  # **params: checked by the path's own tests
        return None
    keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
    if name in POSITIONAL:
        code_at, params_at = POSITIONAL[name]
        code = _literal_code(node.args[code_at]) if len(node.args) > code_at else _literal_code(keywords.get("code"))
        params_node = node.args[params_at] if params_at is not None and len(node.args) > params_at else keywords.get("params")
        skip = NOT_PARAMS.get(name, frozenset())
    elif name.endswith("Error"):  # a typed JimuError: its params are the other keywords
        code, params_node, skip = _literal_code(keywords.get("code")), None, ERROR_KEYWORDS
    else:
        return None
    if code is None:
        return None
    names = frozenset(k for k in keywords if k not in skip)
    if params_node is not None:
        given = _dict_names(params_node)
        if given is None:
            return None
        names |= given
    return Site(where, code, names)


def _sites() -> Iterator[Site]:
    for folder in SOURCE_FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    site = _site(node, f"{path.relative_to(ROOT)}:{node.lineno}")
                    if site is not None:
                        yield site


SITES = list(_sites())


def test_the_scan_finds_the_message_calls() -> None:
    with_placeholders = {s.code for s in SITES if placeholders(s.code)}
    assert len(SITES) > 200 and len(with_placeholders) > 100, (len(SITES), len(with_placeholders))


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_call_fills_its_placeholders(locale: str) -> None:
    missing = []
    for site in SITES:
        message = translate(site.code, locale, **{name: "x" for name in site.names})
        if unfilled(site.code, locale, message) or not placeholders(site.code, locale) <= site.names:
            missing.append(f"{site.where}: {site.code} needs {sorted(placeholders(site.code, locale))}, "
                            f"gets {sorted(site.names)}")
    assert missing == []


def test_the_unfilled_check_catches_a_missing_parameter() -> None:
    call = ast.parse('translate("value.not_option", "en", options="a, b")').body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    site = _site(call.value, "here")
    assert site is not None and site.names == {"options"}
    assert "value" in unfilled(site.code, "en", translate(site.code, "en", **{n: "x" for n in site.names}))


def test_placeholders_of_every_code_are_the_same_in_every_locale() -> None:
    formatter = string.Formatter()
    for code, text in KNOWN.items():
        names = {name for _, name, _, _ in formatter.parse(text) if name}
        assert all(placeholders(code, locale) == names for locale in SUPPORTED_LOCALES), code
