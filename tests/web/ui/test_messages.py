"""The UI's own strings (web/ui/src/messages.js) exist in both zh-CN and en, with the same placeholders."""
from __future__ import annotations

import re
from pathlib import Path

MESSAGES = Path(__file__).resolve().parents[3] / "web" / "ui" / "src" / "messages.js"
ENTRY = re.compile(r"^\s+'([\w.]+)': '((?:[^'\\]|\\.)*)',$", re.M)


def catalogues() -> dict[str, dict[str, str]]:
    text = MESSAGES.read_text()
    zh_at = text.index("'zh-CN': {")
    return {"en": dict(ENTRY.findall(text[:zh_at])), "zh-CN": dict(ENTRY.findall(text[zh_at:]))}


def test_both_languages_have_every_key() -> None:
    both = catalogues()
    assert len(both["en"]) > 50
    assert set(both["en"]) == set(both["zh-CN"])


def test_placeholders_match() -> None:
    both = catalogues()
    for key, text in both["en"].items():
        assert set(re.findall(r"\{(\w+)\}", text)) == set(re.findall(r"\{(\w+)\}", both["zh-CN"][key])), key


def test_every_key_used_in_the_sources_exists() -> None:
    keys = set(catalogues()["en"])
    used: set[str] = set()
    for path in MESSAGES.parent.rglob("*"):
        if path.suffix in {".vue", ".js"}:
            used.update(re.findall(r"\bt\('([\w.]+)'", path.read_text()))
    assert used - keys == set()
