"""Errors of approvals, each with a stable code (mapped to HTTP by class in web/api/errors.py)."""
from __future__ import annotations

from jimu.platform.errors import ConflictError, JimuError, NotFoundError, PermissionDeniedError, ValidationError


class ApprovalNotFoundError(NotFoundError):
    """No approval task (or approval) of that id."""

    code = "approval.task_not_found"


class ApprovalNotAllowedError(PermissionDeniedError):
    """The caller may not act on this task (not theirs) or approval (not its submitter)."""

    code = "approval.not_yours"


class ApprovalClosedError(ConflictError):
    """The task was already decided or handed on, or the approval is no longer pending."""

    code = "approval.closed"


class ApprovalInputError(ValidationError):
    """A decision lacks what it needs (a rejection's comment, a known active user to delegate to...)."""

    code = "approval.invalid"


class NoApproversError(JimuError):
    """A level's approver sources name nobody for this record (no one holds the role, the field is empty...)."""

    code = "approval.no_approvers"
    http_status = 422
