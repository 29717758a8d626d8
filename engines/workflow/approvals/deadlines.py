"""When a level's next SLA timer is due: its reminder, then its escalation, counted from when it opened."""
from __future__ import annotations

from datetime import datetime

from .model import LevelDef


def next_timer(level: LevelDef, started: datetime, *, reminded: bool, escalated: bool = False) -> datetime | None:
    """The moment of the level's next timer not yet fired (None: nothing more to do)."""
    if escalated:
        return None
    if not reminded and level.remind_after is not None:
        return started + level.remind_after
    return started + level.escalate_after if level.escalate_after is not None else None
