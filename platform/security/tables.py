"""Tables of the security kernel: roles, departments, permissions, rules, sessions, tokens, login attempts.

They live on the shared `platform_metadata`, so `platform_metadata.create_all` and Alembic see them
(migration `0002_security_tables`).
"""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, JsonType, UTCDateTime

_BOOL = sa.Boolean(create_constraint=False)


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("jimu_user.id", ondelete="CASCADE")


def _role_fk() -> sa.ForeignKey:
    return sa.ForeignKey("jimu_role.key", ondelete="CASCADE")


roles = sa.Table(
    "jimu_role",
    platform_metadata,
    sa.Column("key", sa.String(48), primary_key=True),
    sa.Column("label", JsonType, nullable=False),  # {"en": ..., "zh-CN": ...}
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

user_roles = sa.Table(
    "jimu_user_role",
    platform_metadata,
    sa.Column("user_id", IdType, _user_fk(), primary_key=True),
    sa.Column("role_key", sa.String(48), _role_fk(), primary_key=True),
)

departments = sa.Table(
    "jimu_department",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("parent_id", IdType, sa.ForeignKey("jimu_department.id", ondelete="RESTRICT"), nullable=True, index=True),
    sa.Column("manager_id", IdType, sa.ForeignKey("jimu_user.id", ondelete="SET NULL"), nullable=True, index=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)

user_departments = sa.Table(
    "jimu_user_department",
    platform_metadata,
    sa.Column("user_id", IdType, _user_fk(), primary_key=True),
    sa.Column("department_id", IdType, sa.ForeignKey("jimu_department.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)

# What a role may do with an entity; entity "*" applies to every entity.
permissions = sa.Table(
    "jimu_permission",
    platform_metadata,
    sa.Column("role_key", sa.String(48), _role_fk(), primary_key=True),
    sa.Column("entity", sa.String(48), primary_key=True),
    *(sa.Column(f"can_{action}", _BOOL, nullable=False, server_default=sa.false())
      for action in ("read", "create", "update", "delete", "import", "export", "design")),
)

# Which rows a role sees for some actions: {"expression": ...} or {"field": ..., "is": ...}.
record_rules = sa.Table(
    "jimu_record_rule",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("role_key", sa.String(48), _role_fk(), nullable=False),
    sa.Column("entity", sa.String(48), nullable=False),
    sa.Column("actions", JsonType, nullable=False),  # ["read", "update", ...]
    sa.Column("rule", JsonType, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Index("ix_jimu_record_rule_role", "role_key", "entity"),
)

field_permissions = sa.Table(
    "jimu_field_permission",
    platform_metadata,
    sa.Column("role_key", sa.String(48), _role_fk(), primary_key=True),
    sa.Column("entity", sa.String(48), primary_key=True),
    sa.Column("field", sa.String(48), primary_key=True),
    sa.Column("can_read", _BOOL, nullable=False),
    sa.Column("can_write", _BOOL, nullable=False),
)

# Grows on every change of roles, permissions, rules or field permissions (cache stamp).
security_revision = sa.Table(
    "jimu_security_revision",
    platform_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", sa.BigInteger, nullable=False),
)

sessions = sa.Table(
    "jimu_session",
    platform_metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 (hex) of the session token
    sa.Column("user_id", IdType, _user_fk(), nullable=False, index=True),
    sa.Column("kind", sa.String(10), nullable=False),  # browser | api
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.Column("expires_at", UTCDateTime(), nullable=False),  # absolute expiry
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
    sa.Column("csrf_hash", sa.String(64), nullable=True),  # SHA-256 of the CSRF token (browser sessions)
    sa.Column("ip", sa.String(45), nullable=True),
)

api_tokens = sa.Table(
    "jimu_api_token",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("user_id", IdType, _user_fk(), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("hint", sa.String(12), nullable=False),  # first characters, to recognise a token in a list
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("last_used_at", UTCDateTime(), nullable=True),
    sa.Column("expires_at", UTCDateTime(), nullable=True),
    sa.Column("revoked_at", UTCDateTime(), nullable=True),
)

login_attempts = sa.Table(
    "jimu_login_attempt",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(150), nullable=False),  # lower-cased as typed
    sa.Column("ip", sa.String(45), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("success", _BOOL, nullable=False),
    sa.Index("ix_jimu_login_attempt_username", "username", "at"),
    sa.Index("ix_jimu_login_attempt_ip", "ip", "at"),
)

# Who changed which user, role, department, grant or rule, when, and how (the administration's trail).
security_audit = sa.Table(
    "jimu_security_audit",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor_id", sa.BigInteger, nullable=True),  # None: the command line (system work)
    sa.Column("source", sa.String(10), nullable=False),  # api | cli
    sa.Column("action", sa.String(40), nullable=False),  # e.g. user.create, role.permission_set
    sa.Column("target_kind", sa.String(20), nullable=False),  # user | role | department | record_rule
    sa.Column("target", sa.String(200), nullable=False),  # the object's id or key
    sa.Column("changes", JsonType, nullable=False),  # what was set (never a password)
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Index("ix_jimu_security_audit_target", "target_kind", "target", "id"),
)
