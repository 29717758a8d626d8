"""The repository layout: the standard library is not shadowed, and imports only go downwards.

`web → engines → platform → engines.expressions`; the expression package imports nothing else
of ours. Checked statically over the AST of every module, so an import hidden in a function
counts as much as one at the top.
"""
from __future__ import annotations

import ast
import importlib
import platform
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"platform": "jimu.platform", "engines": "jimu.engines", "web": "jimu.web"}


def test_platform_is_the_standard_library() -> None:
    assert ROOT not in Path(platform.__file__).resolve().parents
    assert platform.python_version().count(".") == 2


def _run_in_root(*args: str) -> subprocess.CompletedProcess[str]:
    """Python with the repository root as the working directory (so the root is on sys.path)."""
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_python_started_in_the_root_finds_the_standard_library() -> None:
    result = _run_in_root("-c", "import platform, uuid; print(platform.system(), platform.__file__)")
    assert result.returncode == 0, result.stderr
    system, location = result.stdout.split()
    assert system == platform.system()
    assert ROOT not in Path(location).resolve().parents


def test_pytest_started_in_the_root_collects() -> None:
    result = _run_in_root("-m", "pytest", "--collect-only", "-p", "no:cacheprovider", "tests/test_i18n.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "tests/test_i18n.py::" in result.stdout


@pytest.mark.parametrize("folder", [*PACKAGES, "migrations"])
def test_root_folders_are_namespace_portions(folder: str) -> None:
    assert not (ROOT / folder / "__init__.py").exists()


@pytest.mark.parametrize("folder", [*PACKAGES, "migrations"])
def test_jimu_subpackages_come_from_the_repo(folder: str) -> None:
    module = importlib.import_module(f"jimu.{folder}")
    locations = [Path(p).resolve() for p in module.__path__]
    assert ROOT / folder in locations


def test_templates_library_holds_no_python() -> None:
    python = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "templates_library").rglob("*.py"))
    assert python == []


def _modules() -> Iterator[tuple[str, Path]]:
    for folder, package in PACKAGES.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            yield ".".join([package, *parts]), path


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every `import` / `from ... import` in a module."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from jimu.engines import forms` imports jimu.engines.forms
                yield node.lineno, f"{target}.{alias.name}"


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _forbidden(module: str, target: str) -> bool:
    if not _within(target, "jimu"):
        return False
    if _within(module, "jimu.engines.expressions"):
        return not _within(target, "jimu.engines.expressions")
    if _within(module, "jimu.platform"):
        if _within(target, "jimu.web"):
            return True
        return _within(target, "jimu.engines") and target != "jimu.engines" and not _within(target, "jimu.engines.expressions")
    if _within(module, "jimu.engines.reports") and _within(target, "jimu.engines.workflow"):
        return True  # reports read; they never act
    if _within(module, "jimu.engines"):
        return _within(target, "jimu.web")
    return False


def test_imports_only_go_downwards() -> None:
    violations = [
        f"{path.relative_to(ROOT)}:{line}: {module} imports {target}"
        for module, path in _modules()
        for line, target in _imports(module, path)
        if _forbidden(module, target)
    ]
    assert violations == []


def test_the_checker_sees_violations() -> None:
    assert _forbidden("jimu.platform.kernel", "jimu.engines.forms.records")
    assert _forbidden("jimu.platform.kernel", "jimu.web.cli")
    assert not _forbidden("jimu.platform.kernel", "jimu.engines.expressions.types")
    assert _forbidden("jimu.engines.expressions.parser", "jimu.platform.errors")
    assert _forbidden("jimu.engines.forms.records", "jimu.web.api")
    assert not _forbidden("jimu.engines.forms.records", "jimu.platform.errors")
    assert not _forbidden("jimu.web.cli.main", "jimu.engines.forms.records")
    assert _forbidden("jimu.engines.reports.runner", "jimu.engines.workflow.transitions")
    assert not _forbidden("jimu.engines.reports.compiler", "jimu.engines.forms.listing_fields")
