"""Security tables: roles, departments, permissions, record and field rules, sessions, API tokens, login attempts.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copies of the shared column types (a migration must not change when the code does).
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
UTC = sa.DateTime(timezone=True)
BOOL = sa.Boolean(create_constraint=False)
ACTIONS = ("read", "create", "update", "delete", "import", "export", "design")


def _user_fk() -> sa.ForeignKey:
    return sa.ForeignKey("jimu_user.id", ondelete="CASCADE")


def _role_fk() -> sa.ForeignKey:
    return sa.ForeignKey("jimu_role.key", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "jimu_role",
        sa.Column("key", sa.String(48), primary_key=True),
        sa.Column("label", JSON, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_table(
        "jimu_user_role",
        sa.Column("user_id", ID, _user_fk(), primary_key=True),
        sa.Column("role_key", sa.String(48), _role_fk(), primary_key=True),
    )
    op.create_table(
        "jimu_department",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("parent_id", ID, sa.ForeignKey("jimu_department.id", ondelete="RESTRICT"), nullable=True),
        sa.Column("manager_id", ID, sa.ForeignKey("jimu_user.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_jimu_department_parent_id", "jimu_department", ["parent_id"])
    op.create_index("ix_jimu_department_manager_id", "jimu_department", ["manager_id"])
    op.create_table(
        "jimu_user_department",
        sa.Column("user_id", ID, _user_fk(), primary_key=True),
        sa.Column("department_id", ID, sa.ForeignKey("jimu_department.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_jimu_user_department_department_id", "jimu_user_department", ["department_id"])
    op.create_table(
        "jimu_permission",
        sa.Column("role_key", sa.String(48), _role_fk(), primary_key=True),
        sa.Column("entity", sa.String(48), primary_key=True),
        *(sa.Column(f"can_{a}", BOOL, nullable=False, server_default=sa.false()) for a in ACTIONS),
    )
    op.create_table(
        "jimu_record_rule",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("role_key", sa.String(48), _role_fk(), nullable=False),
        sa.Column("entity", sa.String(48), nullable=False),
        sa.Column("actions", JSON, nullable=False),
        sa.Column("rule", JSON, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_jimu_record_rule_role", "jimu_record_rule", ["role_key", "entity"])
    op.create_table(
        "jimu_field_permission",
        sa.Column("role_key", sa.String(48), _role_fk(), primary_key=True),
        sa.Column("entity", sa.String(48), primary_key=True),
        sa.Column("field", sa.String(48), primary_key=True),
        sa.Column("can_read", BOOL, nullable=False),
        sa.Column("can_write", BOOL, nullable=False),
    )
    revision_table = op.create_table(
        "jimu_security_revision",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(revision_table, [{"id": 1, "value": 0}])
    op.create_table(
        "jimu_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", ID, _user_fk(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_seen_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.Column("csrf_hash", sa.String(64), nullable=True),
        sa.Column("ip", sa.String(45), nullable=True),
    )
    op.create_index("ix_jimu_session_user_id", "jimu_session", ["user_id"])
    op.create_table(
        "jimu_api_token",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", ID, _user_fk(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("hint", sa.String(12), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("last_used_at", UTC, nullable=True),
        sa.Column("expires_at", UTC, nullable=True),
        sa.Column("revoked_at", UTC, nullable=True),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_jimu_api_token_user_id", "jimu_api_token", ["user_id"])
    op.create_table(
        "jimu_login_attempt",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(150), nullable=False),
        sa.Column("ip", sa.String(45), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.Column("success", BOOL, nullable=False),
    )
    op.create_index("ix_jimu_login_attempt_username", "jimu_login_attempt", ["username", "at"])
    op.create_index("ix_jimu_login_attempt_ip", "jimu_login_attempt", ["ip", "at"])


def downgrade() -> None:
    for index, table in (("ix_jimu_login_attempt_ip", "jimu_login_attempt"),
                         ("ix_jimu_login_attempt_username", "jimu_login_attempt")):
        op.drop_index(index, table_name=table)
    op.drop_table("jimu_login_attempt")
    op.drop_index("ix_jimu_api_token_user_id", table_name="jimu_api_token")
    op.drop_table("jimu_api_token")
    op.drop_index("ix_jimu_session_user_id", table_name="jimu_session")
    op.drop_table("jimu_session")
    op.drop_table("jimu_security_revision")
    op.drop_table("jimu_field_permission")
    op.drop_index("ix_jimu_record_rule_role", table_name="jimu_record_rule")
    op.drop_table("jimu_record_rule")
    op.drop_table("jimu_permission")
    op.drop_index("ix_jimu_user_department_department_id", table_name="jimu_user_department")
    op.drop_table("jimu_user_department")
    op.drop_index("ix_jimu_department_manager_id", table_name="jimu_department")
    op.drop_index("ix_jimu_department_parent_id", table_name="jimu_department")
    op.drop_table("jimu_department")
    op.drop_table("jimu_user_role")
    op.drop_table("jimu_role")
