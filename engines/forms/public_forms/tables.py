"""The public forms' own tables (Alembic revision 0013_public_forms): each form's link (token, signing
secret, switch, the user it writes as) and the submission attempts the rate limits count."""
from __future__ import annotations

import sqlalchemy as sa

from jimu.platform.meta import platform_metadata
from jimu.platform.storage.sqltypes import IdType, UTCDateTime

# One row per published form: the unguessable token of its link (rotating it kills the old link), the secret
# its opening tickets are signed with, whether it is on, and the account whose permissions its writes use.
links = sa.Table(
    "jimu_public_form",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("app", sa.String(48), nullable=False),
    sa.Column("form_key", sa.String(48), nullable=False),
    sa.Column("token", sa.String(64), nullable=False, unique=True),
    sa.Column("secret", sa.String(64), nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("actor_id", sa.BigInteger, sa.ForeignKey("jimu_user.id"), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("rotated_at", UTCDateTime(), nullable=False),
    sa.UniqueConstraint("app", "form_key", name="uq_jimu_public_form_key"),
)

# Every submission attempt, accepted or refused (spam, too fast, invalid): what the per-address and per-form
# limits count over their window.
attempts = sa.Table(
    "jimu_public_form_attempt",
    platform_metadata,
    sa.Column("id", IdType, primary_key=True, autoincrement=True),
    sa.Column("form_id", sa.BigInteger, sa.ForeignKey("jimu_public_form.id", ondelete="CASCADE"), nullable=False),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("outcome", sa.String(20), nullable=False),  # accepted | spam | too_fast | invalid | limited
    sa.Index("ix_jimu_public_form_attempt_form", "form_id", "at"),
    sa.Index("ix_jimu_public_form_attempt_ip", "form_id", "ip", "at"),
)
