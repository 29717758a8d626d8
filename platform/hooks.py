"""Engine hooks run inside a record write's transaction (workflow, automation, ledgers...)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jimu.platform.context import Context

# Events: before_create, after_create, before_update, after_update, before_delete, after_delete, after_restore.
EVENTS = frozenset({
    "before_create", "after_create", "before_update", "after_update", "before_delete", "after_delete", "after_restore",
})


@dataclass(frozen=True)
class RecordEvent:
    """What a hook sees: the entity, the record id, the values before and after (None where absent)."""

    name: str
    entity: str
    record_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


Hook = Callable[["Context", RecordEvent], None]


@dataclass
class Hooks:
    """Hooks by event and entity ("*" for every entity). Built at start-up, passed in the context."""

    _hooks: dict[tuple[str, str], list[Hook]] = field(default_factory=dict)

    def on(self, event: str, entity: str, hook: Hook) -> None:
        if event not in EVENTS:
            raise ValueError(f"unknown hook event {event!r}")
        self._hooks.setdefault((event, entity), []).append(hook)

    def wants(self, event: str, entity: str) -> bool:
        """Whether any hook listens to `event` on `entity` (so callers can skip building the event)."""
        return bool(self._hooks.get((event, entity)) or self._hooks.get((event, "*")))

    def run(self, ctx: Context, event: RecordEvent) -> None:
        """Run the hooks of an event in order; an exception aborts (and rolls back) the write."""
        for key in ((event.name, event.entity), (event.name, "*")):
            for hook in self._hooks.get(key, ()):
                hook(ctx, event)
