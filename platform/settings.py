"""Process settings read from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///jimu.db"


@dataclass(frozen=True)
class Settings:
    """Settings of one Jimu process; built once at start-up and passed down."""

    database_url: str = DEFAULT_DATABASE_URL
    default_locale: str = "en"
    timezone: str = "UTC"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("JIMU_DATABASE_URL", DEFAULT_DATABASE_URL),
            default_locale=os.environ.get("JIMU_LOCALE", "en"),
            timezone=os.environ.get("JIMU_TIMEZONE", "UTC"),
        )
