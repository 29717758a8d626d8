"""Reading app definitions from a JSON file or a folder, in the order they must be applied."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jimu.web.cli.failures import cli_error


@dataclass(frozen=True)
class AppFile:
    """One app definition and the file it came from."""

    path: Path
    raw: Any

    @property
    def key(self) -> str | None:
        key = self.raw.get("key") if isinstance(self.raw, dict) else None
        return key if isinstance(key, str) else None


def read_apps(path: Path, locale: str = "en") -> list[AppFile]:
    """The apps of a JSON file, or of a folder (`*.json` and `*/app.json`), in dependency order."""
    if path.is_dir():
        files = sorted(path.glob("*.json")) + sorted(path.glob("*/app.json"))
        if not files:
            raise cli_error("cli.no_apps", locale, path=str(path))
    elif path.is_file():
        files = [path]
    else:
        raise cli_error("cli.file_not_found", locale, file=str(path))
    return order_apps([AppFile(f, _load_json(f, locale)) for f in files], locale)


def _load_json(path: Path, locale: str) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except json.JSONDecodeError as error:
        raise cli_error("cli.invalid_json_file", locale, file=str(path), reason=error.msg,
                        line=error.lineno, column=error.colno) from None
    except UnicodeDecodeError:
        raise cli_error("cli.not_utf8", locale, file=str(path)) from None
    except OSError as error:
        raise cli_error("cli.cannot_read", locale, file=str(path), reason=error.strerror or str(error)) from None


def order_apps(apps: list[AppFile], locale: str = "en") -> list[AppFile]:
    """Apps sorted so that each comes after the apps it depends on (`depends_on` or links)."""
    by_key: dict[str, AppFile] = {}
    for app in apps:
        if app.key is not None:
            if app.key in by_key:
                raise cli_error("cli.duplicate_app", locale, app=app.key, first=str(by_key[app.key].path),
                                second=str(app.path))
            by_key[app.key] = app
    owner = {entity: app.key for app in apps if app.key is not None for entity in _entities(app.raw)}
    needs = {app.key: _dependencies(app.raw, owner) & (set(by_key) - {app.key}) for app in apps if app.key}
    ordered: list[AppFile] = [a for a in apps if a.key is None]  # let validation report them
    done: set[str] = set()
    pending = [a for a in apps if a.key is not None]
    while pending:
        ready = [a for a in pending if needs[a.key] <= done]  # type: ignore[index]
        if not ready:
            raise cli_error("cli.dependency_cycle", locale, apps=", ".join(sorted(a.key or "" for a in pending)))
        for app in ready:
            ordered.append(app)
            done.add(app.key)  # type: ignore[arg-type]
        pending = [a for a in pending if a.key not in done]
    return ordered


def _entities(raw: Any) -> Iterator[str]:
    for entity in raw.get("entities", []) if isinstance(raw, dict) else []:
        if isinstance(entity, dict) and isinstance(entity.get("key"), str):
            yield entity["key"]


def _dependencies(raw: dict[str, Any], owner: dict[str, str]) -> set[str]:
    """Apps named in `depends_on`, and apps owning the entities this app's fields point at."""
    declared = raw.get("depends_on") or []
    deps = {d for d in declared if isinstance(d, str)} if isinstance(declared, list) else set()
    for entity in raw.get("entities", []) or []:
        for field in (entity.get("fields", []) or []) if isinstance(entity, dict) else []:
            target = field.get("entity") if isinstance(field, dict) else None
            if isinstance(target, str) and target in owner:
                deps.add(owner[target])
    return deps
