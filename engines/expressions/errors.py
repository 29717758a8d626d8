"""Typed errors of the expression language, each with a stable code for translation."""
from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any


class ErrorCode(str, Enum):
    # syntax
    UNEXPECTED_CHARACTER = "expression.syntax.unexpected_character"
    UNEXPECTED_TOKEN = "expression.syntax.unexpected_token"
    UNEXPECTED_END = "expression.syntax.unexpected_end"
    UNDERSCORE_IDENTIFIER = "expression.syntax.underscore_identifier"
    # types
    UNKNOWN_FIELD = "expression.type.unknown_field"
    NOT_A_LINK = "expression.type.not_a_link"
    UNKNOWN_FUNCTION = "expression.type.unknown_function"
    WRONG_ARITY = "expression.type.wrong_arity"
    WRONG_ARGUMENT_TYPE = "expression.type.wrong_argument_type"
    INCOMPATIBLE_TYPES = "expression.type.incompatible_types"
    OPERATOR_TYPE = "expression.type.operator_type"
    EXPECTED_TYPE = "expression.type.expected_type"
    COLLECTION_OUTSIDE_AGGREGATE = "expression.type.collection_outside_aggregate"
    AGGREGATE_NEEDS_COLLECTION = "expression.type.aggregate_needs_collection"
    MIXED_COLLECTIONS = "expression.type.mixed_collections"
    NESTED_AGGREGATE = "expression.type.nested_aggregate"
    LITERAL_REQUIRED = "expression.type.literal_required"
    INVALID_UNIT = "expression.type.invalid_unit"
    INVALID_DATE = "expression.type.invalid_date"
    INVALID_DATETIME = "expression.type.invalid_datetime"
    UNKNOWN_ENTITY = "expression.type.unknown_entity"
    QUERY_NEEDS_ENTITY = "expression.type.query_needs_entity"
    QUERY_NEEDS_AGGREGATE = "expression.type.query_needs_aggregate"
    QUERY_NOT_AVAILABLE = "expression.type.query_not_available"
    # limits
    SOURCE_TOO_LONG = "expression.limit.source_too_long"
    TOO_DEEP = "expression.limit.too_deep"
    TOO_MANY_NODES = "expression.limit.too_many_nodes"
    TOO_MANY_STEPS = "expression.limit.too_many_steps"
    STRING_TOO_LONG = "expression.limit.string_too_long"
    TEXT_MAY_BE_TOO_LONG = "expression.limit.text_may_be_too_long"
    NUMBER_TOO_LARGE = "expression.limit.number_too_large"
    INTEGER_TOO_LARGE = "expression.limit.integer_too_large"
    POWER_TOO_LARGE = "expression.limit.power_too_large"
    # evaluation
    DATE_OUT_OF_RANGE = "expression.evaluation.date_out_of_range"
    NUMBER_OUT_OF_RANGE = "expression.evaluation.number_out_of_range"
    QUERY_NEEDS_DATABASE = "expression.evaluation.query_needs_database"


class ExpressionError(Exception):
    """Base of every expression error: a message, a stable code, params and a position."""

    default_code: ErrorCode = ErrorCode.UNEXPECTED_TOKEN

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        params: Mapping[str, Any] | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.code: str = (code or self.default_code).value
        self.params: dict[str, Any] = dict(params or {})
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return f"{self.message} (line {self.line}, column {self.column})"


class ExpressionSyntaxError(ExpressionError):
    default_code = ErrorCode.UNEXPECTED_TOKEN


class ExpressionTypeError(ExpressionError):
    default_code = ErrorCode.INCOMPATIBLE_TYPES


class ExpressionLimitError(ExpressionError):
    default_code = ErrorCode.TOO_DEEP


class ExpressionEvaluationError(ExpressionError):
    default_code = ErrorCode.NUMBER_OUT_OF_RANGE
