"""Typed views of a transition's `approval` (the JSON stays the source of truth).

    {"levels": [{"key": "lead", "approvers": [{"manager": "submitter"}], "remind_after": "1d",
                 "escalate_after": "3d", "escalate_to": [{"role": "director"}]},
                {"key": "finance", "approvers": [{"role": "finance"}], "mode": "n_of_m", "n": 2,
                 "condition": "amount > 50000"}],
     "reject_to": "draft"}
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from jimu.platform.registry.model import Label, as_label

_DURATION = re.compile(r"^([1-9][0-9]{0,5})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def duration(text: str | None) -> timedelta | None:
    """'30m', '4h', '2d', '1w' as a timedelta (the schema admits only these forms)."""
    if text is None:
        return None
    found = _DURATION.match(text)
    if found is None:
        raise ValueError(f"not a duration: {text!r}")
    return timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})


@dataclass(frozen=True)
class LevelDef:
    index: int
    key: str
    label: Label
    approvers: tuple[dict[str, Any], ...]  # approver sources: {"role": ...} / {"field": ...} / {"manager": ...}
    mode: str  # all | any | n_of_m | veto
    n: int | None
    condition: str | None
    reject_to: str | None
    remind_after: timedelta | None
    escalate_after: timedelta | None
    escalate_to: tuple[dict[str, Any], ...]
    channels: tuple[str, ...] = ()  # channels that also get its notices (the level's, else the approval's)


@dataclass(frozen=True)
class ApprovalDef:
    levels: tuple[LevelDef, ...]
    reject_to: str | None

    def level(self, index: int) -> LevelDef | None:
        return self.levels[index] if 0 <= index < len(self.levels) else None

    def reject_state(self, level: LevelDef, source: str) -> str:
        """Where a rejection at `level` sends the record: the level's, the approval's, else the source state."""
        return level.reject_to or self.reject_to or source

    def reject_choices(self, level: LevelDef, source: str) -> list[str]:
        """The states a rejector at `level` may send the record back to: where it goes by default first, then
        the other states this approval names as `reject_to`, then the state it was submitted from."""
        named = [level.reject_to, self.reject_to, *(other.reject_to for other in self.levels), source]
        return list(dict.fromkeys([self.reject_state(level, source), *(s for s in named if s is not None)]))

    @staticmethod
    def build(raw: Mapping[str, Any]) -> ApprovalDef:
        channels = tuple(raw.get("channels", ()))
        return ApprovalDef(levels=tuple(_level(n, level, channels) for n, level in enumerate(raw.get("levels", ()))),
                           reject_to=raw.get("reject_to"))


def _level(index: int, raw: Mapping[str, Any], channels: tuple[str, ...] = ()) -> LevelDef:
    key = str(raw["key"])
    label = as_label(raw.get("label"))
    return LevelDef(
        index=index, key=key, label=dict(label) if isinstance(label, dict) else {"en": key},
        approvers=tuple(raw.get("approvers", ())), mode=str(raw.get("mode") or "all"), n=raw.get("n"),
        condition=raw.get("condition"), reject_to=raw.get("reject_to"),
        remind_after=duration(raw.get("remind_after")), escalate_after=duration(raw.get("escalate_after")),
        escalate_to=tuple(raw.get("escalate_to", ())),
        channels=tuple(raw["channels"]) if "channels" in raw else channels,
    )
