"""The ```python example``` blocks of docs/security.md run, against the tasks app."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from jimu.platform.kernel import Kernel

from .conftest import NOW

PAGE = Path(__file__).resolve().parents[3] / "docs" / "security.md"
EXAMPLE = re.compile(r"^```python example\n(.*?)^```\s*$", re.S | re.M)
BLOCKS = EXAMPLE.findall(PAGE.read_text(encoding="utf-8"))


def test_the_page_has_examples() -> None:
    assert BLOCKS


@pytest.mark.parametrize("source", BLOCKS)
def test_example_runs(kernel: Kernel, source: str) -> None:
    exec(compile(source, str(PAGE), "exec"), {"kernel": kernel, "now": NOW})
