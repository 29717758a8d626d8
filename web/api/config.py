"""Tunable limits and cookie settings of the HTTP API (from the environment, or given to create_app)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from jimu.platform.security import DEFAULT_AUTH_SETTINGS, AuthSettings

MB = 1024 * 1024


@dataclass(frozen=True)
class ApiSettings:
    """Body limits (bytes), the session cookie and the authentication limits."""

    max_json_bytes: int = 10 * MB  # any body that is not multipart
    max_upload_bytes: int = 100 * MB  # multipart bodies (imports)
    cookie_name: str = "jimu_session"
    secure_cookie: bool | None = None  # None: Secure when the request came over https
    auth: AuthSettings = field(default=DEFAULT_AUTH_SETTINGS)

    @classmethod
    def from_env(cls) -> ApiSettings:
        secure = os.environ.get("JIMU_SECURE_COOKIE", "").strip().lower()
        return cls(
            max_json_bytes=int(os.environ.get("JIMU_API_MAX_JSON_BYTES", 10 * MB)),
            max_upload_bytes=int(os.environ.get("JIMU_API_MAX_UPLOAD_BYTES", 100 * MB)),
            secure_cookie={"1": True, "true": True, "0": False, "false": False}.get(secure),
        )
