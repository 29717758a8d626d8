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
    # Jobs: `jimu serve` runs a worker thread in each web process when on (auto: on SQLite only).
    embedded_worker: str = "auto"
    job_lease: float = 60.0  # seconds a worker's claim on a job holds (a crashed worker's jobs wait this long)
    job_poll: float = 1.0  # seconds an idle worker waits before it looks for due jobs again

    def runs_embedded_worker(self) -> bool:
        """Whether `jimu serve` runs jobs in-process: JIMU_EMBEDDED_WORKER on/off, auto: on SQLite."""
        if self.embedded_worker == "auto":
            return self.database_url.startswith("sqlite")
        return self.embedded_worker == "on"

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
            embedded_worker=_choice("JIMU_EMBEDDED_WORKER", ("auto", "on", "off")),
            job_lease=_seconds("JIMU_JOB_LEASE", cls.job_lease, positive=True),
            job_poll=_seconds("JIMU_JOB_POLL", cls.job_poll, positive=True),
        )


def _flag(name: str) -> bool:
    """A yes/no setting: 1, true, yes or on (any case) is yes; unset or anything else is no."""
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _seconds(name: str, default: float, *, positive: bool = False) -> float:
    """A duration in seconds from the environment (0 for none, unless `positive`); a malformed or negative
    one is refused."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (0 < value if positive else 0 <= value) or not value < 1e9:
        kind = "a number of seconds above 0" if positive else "a number of seconds (0 for no limit)"
        raise ValueError(f"{name} must be {kind}, not {text!r}.")
    return value


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` from the environment (the first when unset)."""
    text = os.environ.get(name, "").strip().lower() or choices[0]
    if text not in choices:
        raise ValueError(f"{name} must be one of {', '.join(choices)}, not {text!r}.")
    return text
