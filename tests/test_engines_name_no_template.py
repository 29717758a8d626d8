"""The engines and the platform never name an entity of a template app: CRM and ERP are data.

Every string literal in platform/ and engines/ is checked against the entity keys of the template apps
in templates_library/ and the business entities such apps are made of (so the check bites before the
templates exist). Checked over the AST, so a name in a docstring or comment is fine; a name in code is not.
"""
from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = ("platform", "engines")
# The entities of lead-to-cash, procure-to-stock, inventory, MRP and finance, in the words templates use.
# Words that are also plain programming words (item, delivery, account, payment...) are left out: they
# name a chart tooltip or a job payload as often as an entity.
BUSINESS_ENTITIES = frozenset({
    "lead", "opportunity", "customer", "quotation", "sales_order", "sales_order_line", "delivery_note",
    "sales_invoice", "purchase_invoice", "receivable", "supplier", "purchase_order", "purchase_receipt",
    "warehouse", "stock_balance", "stock_ledger", "stock_movement", "stock_layer", "bom", "bill_of_materials",
    "work_order", "production_order", "journal_entry", "gl_entry", "ledger_entry",
})


def template_entities() -> set[str]:
    keys: set[str] = set()
    for path in (ROOT / "templates_library").rglob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for entity in data.get("entities", []) if isinstance(data, dict) else []:
            if isinstance(entity, dict) and isinstance(entity.get("key"), str):
                keys.add(entity["key"])
    return keys


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def named_entities(source: str, names: frozenset[str] | set[str]) -> Iterator[tuple[int, str]]:
    """(line, name) of every string literal of the code (not a docstring) that is one of `names`."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if node.value in names:
                yield node.lineno, node.value


def test_no_engine_or_platform_code_names_a_template_entity() -> None:
    names = BUSINESS_ENTITIES | template_entities()
    found = [f"{path.relative_to(ROOT)}:{line}: {name!r}"
             for folder in CODE for path in sorted((ROOT / folder).rglob("*.py"))
             for line, name in named_entities(path.read_text(encoding="utf-8"), names)]
    assert found == []


def test_the_check_sees_a_named_entity_but_not_a_docstring() -> None:
    source = '"""About sales_order."""\ndef f(entity):\n    """item"""\n    return entity == "sales_order"\n'
    assert list(named_entities(source, BUSINESS_ENTITIES)) == [(4, "sales_order")]
