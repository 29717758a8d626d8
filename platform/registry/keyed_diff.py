"""What changed between two versions of a definition part, with lists of keyed objects matched by `key`.

Every definition object with a list of parts (states, transitions, actions, widgets...) gives each part a
stable `key`, so two versions compare part by part — a renamed label is a change of that part, a new key
an added part — which is what lets packages diff and merge. Paths read like `transitions.submit.guards`.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _join(path: str, part: Any) -> str:
    return f"{path}.{part}" if path else str(part)


def _keyed(items: Sequence[Any]) -> bool:
    keys = [item.get("key") for item in items if isinstance(item, Mapping)]
    return len(keys) == len(items) and all(isinstance(k, str) for k in keys) and len(set(keys)) == len(keys)


def changed_paths(old: Any, new: Any, path: str = "") -> list[str]:
    """The paths where `new` differs from `old` (`x.y added` / `x.y removed` for keyed parts)."""
    if old == new:
        return []
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[str] = []
        for name in sorted(set(old) | set(new), key=str):
            found += changed_paths(old.get(name), new.get(name), _join(path, name))
        return found
    if isinstance(old, list) and isinstance(new, list) and _keyed(old) and _keyed(new):
        return _keyed_changes(old, new, path)
    return [path]


def _keyed_changes(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], path: str) -> list[str]:
    before = {item["key"]: item for item in old}
    after = {item["key"]: item for item in new}
    found: list[str] = []
    for key, item in after.items():
        if key not in before:
            found.append(f"{_join(path, key)} added")
        else:
            found += changed_paths(before[key], item, _join(path, key))
    found += [f"{_join(path, key)} removed" for key in before if key not in after]
    kept_before = [k for k in before if k in after]
    kept_after = [k for k in after if k in before]
    if kept_before != kept_after:
        found.append(f"{path} reordered")
    return found


def section_changes(section: str, old: Sequence[Any] | None, new: Sequence[Any] | None) -> list[dict[str, Any]]:
    """Per part of an engine section (a process, an automation...): added, removed or changed (with paths)."""
    before = {i.get("key"): i for i in old or () if isinstance(i, Mapping)}
    after = {i.get("key"): i for i in new or () if isinstance(i, Mapping)}
    found: list[dict[str, Any]] = []
    for key, item in after.items():
        if key not in before:
            found.append({"section": section, "key": key, "change": "added"})
        elif before[key] != item:
            found.append({"section": section, "key": key, "change": "changed",
                          "changed": changed_paths(before[key], item)})
    found += [{"section": section, "key": key, "change": "removed"} for key in before if key not in after]
    return found
