"""pyproject.toml maps every folder of code and data into the `jimu` package.

A wheel holds only the packages listed in `[tool.setuptools] packages` and the files matched by
`package-data`, so a folder or a data file left out works in the editable install and is missing
from a real one. Checked against the folders, without building.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IGNORED = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules"}
# The browser UI's development sources (built into web/ui/dist, which is shipped) stay out of the wheel.
UI_SOURCES = ROOT / "web" / "ui"
UI_BUILT = UI_SOURCES / "dist"


def _setuptools() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        config: dict[str, Any] = tomllib.load(handle)["tool"]["setuptools"]
    return config


def _folders(config: dict[str, Any]) -> dict[str, Path]:
    """Package name → folder, for every folder under a mapped root (namespace folders included)."""
    found: dict[str, Path] = {}
    for package, folder in config["package-dir"].items():
        root = ROOT / folder
        for path in [root, *sorted(p for p in root.rglob("*") if p.is_dir())]:
            parts = path.relative_to(root).parts
            if not IGNORED.intersection(parts):
                found[".".join([package, *parts])] = path
    return found


def _unlisted(config: dict[str, Any]) -> list[str]:
    """Folders holding Python that are not listed as packages (a wheel would leave them out)."""
    with_python = {name for name, folder in _folders(config).items() if any(folder.glob("*.py"))}
    return sorted(with_python - set(config["packages"]))


def _shipped(path: Path) -> bool:
    return not path.is_relative_to(UI_SOURCES) or path.is_relative_to(UI_BUILT)


def _unmatched(config: dict[str, Any]) -> list[str]:
    """Files that are not Python and match no package-data glob (setuptools globs the same way)."""
    folders = _folders(config)
    matched = {
        path for package, patterns in config["package-data"].items() for pattern in patterns
        for path in folders[package].glob(pattern)
    }
    data = [
        path for folder in folders.values() for path in folder.iterdir()
        if path.is_file() and path.suffix not in {".py", ".pyc"} and _shipped(path)
    ]
    return sorted(path.relative_to(ROOT).as_posix() for path in data if path not in matched)


def test_every_folder_with_python_is_a_listed_package() -> None:
    assert _unlisted(_setuptools()) == []


def test_every_listed_package_is_a_folder() -> None:
    config = _setuptools()
    assert sorted(set(config["packages"]) - set(_folders(config))) == []


def test_every_data_file_is_package_data() -> None:
    assert _unmatched(_setuptools()) == []


def test_the_checks_see_a_package_or_a_data_file_left_out() -> None:
    config = _setuptools()
    config["packages"] = [name for name in config["packages"] if name != "jimu.platform.security"]
    config["package-data"] = {**config["package-data"], "jimu.engines.expressions": []}
    assert _unlisted(config) == ["jimu.platform.security"]
    assert _unmatched(config) == ["engines/expressions/grammar.lark"]
