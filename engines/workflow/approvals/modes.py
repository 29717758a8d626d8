"""How a level with several approvers completes: one registry entry per mode (`all`, `any`, `n_of_m`, `veto`).

A mode looks at the tally of the level's live tasks (approved, rejected, still pending; tasks handed on by
delegation or escalation are not counted, their successors are) and says whether the level is approved,
rejected, or still open.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from .tables import APPROVED, REJECTED


@dataclass(frozen=True)
class Tally:
    approved: int
    rejected: int
    pending: int

    @property
    def total(self) -> int:
        return self.approved + self.rejected + self.pending


class CompletionMode:
    name: ClassVar[str]
    accepts_n: ClassVar[bool] = False  # the level may give `n`
    needs_n: ClassVar[bool] = False  # the level must give `n`

    def outcome(self, tally: Tally, n: int | None) -> str | None:
        """APPROVED, REJECTED, or None while the level is still open."""
        raise NotImplementedError


class All(CompletionMode):
    """Every approver approves; one rejection rejects."""

    name = "all"

    def outcome(self, tally: Tally, n: int | None) -> str | None:
        if tally.rejected:
            return REJECTED
        return APPROVED if tally.pending == 0 and tally.approved else None


class Any(CompletionMode):
    """The first approval approves; rejected only when every approver rejects."""

    name = "any"

    def outcome(self, tally: Tally, n: int | None) -> str | None:
        if tally.approved:
            return APPROVED
        return REJECTED if tally.pending == 0 else None


class NOfM(CompletionMode):
    """`n` approvals approve (all of them when fewer were asked); rejected once `n` cannot be reached."""

    name = "n_of_m"
    accepts_n = needs_n = True

    def outcome(self, tally: Tally, n: int | None) -> str | None:
        need = min(n or tally.total, tally.total)
        if tally.approved >= need:
            return APPROVED
        return REJECTED if tally.approved + tally.pending < need else None


class Veto(CompletionMode):
    """Any rejection ends the level at once; `n` approvals (default: all) approve it."""

    name = "veto"
    accepts_n = True

    def outcome(self, tally: Tally, n: int | None) -> str | None:
        if tally.rejected:
            return REJECTED
        return APPROVED if tally.approved >= min(n or tally.total, tally.total) else None


COMPLETION_MODES: dict[str, CompletionMode] = {mode.name: mode for mode in (All(), Any(), NOfM(), Veto())}
