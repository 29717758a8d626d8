"""Context functions: who is evaluating."""
from __future__ import annotations

from ..sql_support import literal
from ..types import ExprType
from .registry import FUNCTIONS, FunctionDef

FUNCTIONS.register(
    FunctionDef("CURRENT_USER", "CURRENT_USER(): the id of the current user (null when anonymous).", 0, 0,
                lambda args: ExprType.INTEGER, lambda args, env: env.current_user,
                lambda args, ctx: literal(ctx.env.current_user, ExprType.INTEGER, ctx), volatile=True)
)
