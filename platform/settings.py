"""Process settings read from the environment."""
from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///jimu.db"
DEFAULT_FILES_DIR = "jimu-files"
DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Settings of one Jimu process; built once at start-up and passed down."""

    database_url: str = DEFAULT_DATABASE_URL
    default_locale: str = "en"
    timezone: str = "UTC"
    # Seconds (0: no limit). Every statement; then a schema change's statements and its wait for locks.
    statement_timeout: float = 30.0
    schema_statement_timeout: float = 600.0
    schema_lock_timeout: float = 5.0
    files_dir: str = DEFAULT_FILES_DIR  # the local file store of attachments
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # the largest upload (a field's max_size may be lower)
    notify_timeout: float = 10.0  # seconds for each call of a notification channel (SMTP, robots, webhooks)
    notify_allow_private_networks: bool = False  # robots and webhooks may call loopback/private addresses

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("JIMU_DATABASE_URL", DEFAULT_DATABASE_URL),
            default_locale=os.environ.get("JIMU_LOCALE", "en"),
            timezone=os.environ.get("JIMU_TIMEZONE", "UTC"),
            statement_timeout=_seconds("JIMU_STATEMENT_TIMEOUT", cls.statement_timeout),
            schema_statement_timeout=_seconds("JIMU_SCHEMA_STATEMENT_TIMEOUT", cls.schema_statement_timeout),
            schema_lock_timeout=_seconds("JIMU_SCHEMA_LOCK_TIMEOUT", cls.schema_lock_timeout),
            files_dir=os.environ.get("JIMU_FILES_DIR", DEFAULT_FILES_DIR),
            max_file_bytes=int(os.environ.get("JIMU_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)),
            notify_timeout=_seconds("JIMU_NOTIFY_TIMEOUT", cls.notify_timeout) or cls.notify_timeout,
            notify_allow_private_networks=_flag("JIMU_NOTIFY_ALLOW_PRIVATE_NETWORKS"),
        )


def _flag(name: str) -> bool:
    """A yes/no setting: 1, true, yes or on (any case) is yes; unset or anything else is no."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _seconds(name: str, default: float) -> float:
    """A duration in seconds from the environment (0 for none); a malformed or negative one is refused."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < 1e9:
        raise ValueError(f"{name} must be a number of seconds (0 for no limit), not {text!r}.")
    return value
