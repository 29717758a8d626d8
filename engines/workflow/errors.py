"""Errors of the workflow engine, each with a stable code (the web layer maps them to HTTP by class)."""
from __future__ import annotations

from typing import Any

from jimu.platform.errors import ConflictError, ErrorDetail, JimuError, NotFoundError, PermissionDeniedError
from jimu.platform.errors import ValidationError as _ValidationError
from jimu.platform.i18n import translate


class TransitionNotFoundError(NotFoundError):
    """The record's process has no transition of that key (or the entity has no process)."""

    code = "workflow.transition_not_found"


class TransitionNotAllowedError(PermissionDeniedError):
    """The caller is not among those who may run the transition."""

    code = "workflow.not_allowed"


class TransitionBlockedError(ConflictError):
    """The transition cannot run from the record's state, or a guard or required field stops it."""

    code = "workflow.blocked"


class FieldLockedError(_ValidationError):
    """A write changed a field its record's state locks (or the state field itself)."""

    code = "workflow.field_locked"


class ActionFailedError(JimuError):
    """An action of a transition or rule failed: the whole chain is rolled back; says which action and why."""

    code = "workflow.action_failed"
    http_status = 422


class WorkflowLimitError(JimuError):
    """A chain went deeper than allowed (an action list calling itself, a rule triggering itself)."""

    code = "workflow.depth_exceeded"
    http_status = 422


class NotEnoughError(ConflictError):
    """An update would take a field of a record below its minimum (stock, credit): says which record and how much
    is missing."""

    code = "workflow.not_enough"


class OverDeliveryError(ConflictError):
    """Records created from a line would carry more than its quantity allows (with the allowance)."""

    code = "workflow.over_allowance"


class LedgerUnbalancedError(ConflictError):
    """The rows an action posts to a ledger do not balance (debits differ from credits)."""

    code = "workflow.ledger_unbalanced"


class InnerTransitionError(ConflictError):
    """A transition run by an action was refused or failed (its reason and details kept)."""

    code = "workflow.transition_failed"


def error(kind: type[JimuError], code: str, locale: str, *, details: list[ErrorDetail] | None = None,
          **params: Any) -> JimuError:
    """An error of `kind` whose message is the catalogue's `code` in `locale`."""
    return kind(translate(code, locale, **params), details=details, code=code, **params)


def detail(path: str, code: str, locale: str, **params: Any) -> ErrorDetail:
    return ErrorDetail(path=path, code=code, params=params, message=translate(code, locale, **params))
