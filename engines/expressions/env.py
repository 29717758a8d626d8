"""The evaluation environment: who is asking and what time it is."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime


@dataclass(frozen=True)
class EvalEnv:
    current_user: int | None
    now: datetime  # aware; naive values are taken as UTC

    @property
    def now_utc(self) -> datetime:
        if self.now.tzinfo is None:
            return self.now.replace(tzinfo=UTC)
        return self.now.astimezone(UTC)

    @property
    def today(self) -> date:
        return self.now_utc.date()
