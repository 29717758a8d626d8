"""A signed-in user changes their own password: the current one proves it is them, the policy checks the
new one, every other session of theirs ends (this one stays) and the security audit trail records it."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from jimu.platform.errors import ErrorDetail, ValidationError
from jimu.platform.i18n import translate
from jimu.platform.security.passwords import check_policy, verify_password
from jimu.platform.security.principal import Principal
from jimu.platform.security.tables import security_audit
from jimu.platform.security.users import require_user, set_password


def _refused(field: str, code: str) -> ValidationError:
    return ValidationError(translate(code, "en"), code=code, details=[ErrorDetail(field, code)])


def change_own_password(conn: sa.Connection, principal: Principal, current: str, new: str, *, now: datetime,
                        request_id: str | None = None) -> None:
    """Replace the principal's password; a wrong `current` is a 422 on `current_password`."""
    row = require_user(conn, principal.user_id)
    if not verify_password(row.password_hash, current):
        raise _refused("current_password", "security.wrong_current_password")
    if new == current:
        raise _refused("new_password", "security.password_unchanged")
    try:
        check_policy(new)
    except ValidationError as error:
        error.details = [ErrorDetail("new_password", d.code, d.params, d.message) for d in error.details]
        raise
    credential = principal.credential
    keep = credential.id if credential is not None and credential.kind in ("browser", "api") else None
    set_password(conn, principal.user_id, new, now=now, keep_session=keep)
    conn.execute(sa.insert(security_audit).values(
        at=now, actor_id=principal.user_id, source="api", action="user.password_change", target_kind="user",
        target=str(principal.user_id), changes={}, request_id=request_id))
