"""The function registry, filled by one module per family."""
from __future__ import annotations

from . import aggregate, context, date, logic, math, operators, text  # noqa: F401  (registration)
from .registry import AGGREGATES, FUNCTIONS, OPERATORS, AggregateDef, Arg, FunctionDef, SignatureError

__all__ = ["AGGREGATES", "FUNCTIONS", "OPERATORS", "AggregateDef", "Arg", "FunctionDef", "SignatureError"]
