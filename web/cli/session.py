"""What every command gets: the settings read from the environment and the output locale."""
from __future__ import annotations

from dataclasses import dataclass

from jimu.platform.settings import Settings


@dataclass(frozen=True)
class Session:
    """One CLI invocation's settings."""

    settings: Settings

    @property
    def locale(self) -> str:
        return self.settings.default_locale
