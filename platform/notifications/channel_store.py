"""Channel configurations of the installation (`jimu_channel`): set, remove, load, list (secrets masked).

    set_channel(scope, "sales_robot", "dingtalk", {"url": "https://oapi.dingtalk.com/robot/send?access_token=…",
                                                    "secret": "SEC…"})
    channel = load_channel(conn, "sales_robot")      # ChannelNotFound when there is none
    list_channels(conn)                              # [{"key", "type", "enabled", "config" (masked), ...}]

Changing a channel may leave out its secrets (or give them masked, as GET shows them): the stored ones
are kept. The key `inapp` is the built-in inbox and needs no row. Every change is in the security audit
trail (with the masked configuration).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail
from jimu.platform.notifications.channels import CHANNEL_TYPES, ChannelType
from jimu.platform.notifications.channels.base import MASK
from jimu.platform.notifications.errors import ChannelConfigInvalid, ChannelNotFound
from jimu.platform.notifications.tables import channels
from jimu.platform.security.admin import AdminScope

KEY = re.compile(r"[a-z][a-z0-9_]{0,47}")
INAPP = "inapp"


@dataclass(frozen=True)
class Channel:
    key: str
    kind: ChannelType
    config: Mapping[str, Any]
    enabled: bool = True
    updated_at: datetime | None = None

    def view(self) -> dict[str, Any]:
        """What administrators see: the configuration with its secrets masked."""
        return {"key": self.key, "type": self.kind.name, "enabled": self.enabled,
                "config": self.kind.masked(self.config), "builtin": self.updated_at is None and self.key == INAPP,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


BUILTIN_INAPP = Channel(INAPP, CHANNEL_TYPES["inapp"], {})


def _row_channel(row: Any) -> Channel:
    kind = CHANNEL_TYPES.get(row.type)
    if kind is None:  # a type this version no longer has: present, but unusable
        raise ChannelConfigInvalid("Unknown channel type.", details=[
            ErrorDetail("/type", "notifications.type_unknown", {"type": row.type, "known": sorted(CHANNEL_TYPES)})])
    return Channel(row.key, kind, dict(row.config), bool(row.enabled), row.updated_at)


def load_channel(conn: sa.Connection, key: str) -> Channel:
    row = conn.execute(sa.select(channels).where(channels.c.key == key)).first()
    if row is None:
        if key == INAPP:
            return BUILTIN_INAPP
        raise ChannelNotFound(key)
    return _row_channel(row)


def list_channels(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every channel by key (the built-in inbox included), secrets masked."""
    rows = conn.execute(sa.select(channels).order_by(channels.c.key)).all()
    shown = [_row_channel(row).view() for row in rows if row.type in CHANNEL_TYPES]
    return [BUILTIN_INAPP.view(), *shown]


def _checked(key: str, kind_name: str, config: Any, stored: Channel | None) -> tuple[ChannelType, dict[str, Any]]:
    problems = [] if KEY.fullmatch(key) else [ErrorDetail("/key", "notifications.key_invalid", {"key": key[:60]})]
    if key == INAPP:
        problems.append(ErrorDetail("/key", "notifications.key_reserved", {"key": key}))
    kind = CHANNEL_TYPES.get(kind_name)
    if kind is None or kind.in_transaction:
        known = sorted(name for name, entry in CHANNEL_TYPES.items() if not entry.in_transaction)
        problems.append(ErrorDetail("/type", "notifications.type_unknown", {"type": kind_name, "known": known}))
    if not isinstance(config, dict):
        problems.append(ErrorDetail("/config", "notifications.config_not_object"))
    if problems or kind is None or not isinstance(config, dict):
        raise ChannelConfigInvalid("The channel is not valid.", details=problems)
    merged = dict(config)
    if stored is not None and stored.kind is kind:
        for secret in kind.secrets:
            if merged.get(secret) in (None, MASK) and stored.config.get(secret):
                merged[secret] = stored.config[secret]
    problems = kind.config_problems(merged)
    if problems:
        raise ChannelConfigInvalid("The channel's configuration is not valid.", details=problems)
    return kind, merged


def set_channel(scope: AdminScope, key: str, kind_name: str, config: Any, *, enabled: bool = True) -> Channel:
    """Create or replace a channel (secrets left out or masked keep their stored values)."""
    row = scope.conn.execute(sa.select(channels).where(channels.c.key == key)).first()
    stored = _row_channel(row) if row is not None and row.type in CHANNEL_TYPES else None
    kind, merged = _checked(key, kind_name, config, stored)
    values = {"type": kind.name, "config": merged, "enabled": enabled, "updated_at": scope.now}
    if row is None:
        scope.conn.execute(sa.insert(channels).values(key=key, **values))
    else:
        scope.conn.execute(sa.update(channels).where(channels.c.key == key).values(**values))
    channel = Channel(key, kind, merged, enabled, scope.now)
    scope.audit("channel.set", "channel", key, {"type": kind.name, "enabled": enabled,
                                                "config": kind.masked(merged)})
    return channel


def remove_channel(scope: AdminScope, key: str) -> None:
    removed = scope.conn.execute(sa.delete(channels).where(channels.c.key == key)).rowcount
    if not removed:
        raise ChannelNotFound(key)
    scope.audit("channel.remove", "channel", key)
