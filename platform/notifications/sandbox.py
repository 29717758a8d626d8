"""The Jinja2 sandbox notification templates run in: no attribute escapes, and every way to grow work bounded.

`ImmutableSandboxedEnvironment` already refuses private and internal attributes (`''.__class__`) and
changes to lists, dicts and sets. On top of it, each render carries a `RenderBudget` (under a context key
no template can name) and this environment spends it:

* every call (`environment.call`), every loop step (each `for` iterable is wrapped) and every `range`
  element costs a step; a deadline is checked with them;
* `*`, `**`, `+` and `%` are intercepted and refused before they would build a value over the size limit;
  `~` joins are measured after each join; `replace`, `join`, `center`, `indent` are checked versions;
  the `format` filter, `str.format` and `lipsum` are not available;
* the output is bounded by the caller while it streams (`templates.render`).
"""
from __future__ import annotations

import math
import operator
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

BUDGET_KEY = "jimu.budget"  # a context key with a dot: no template can read or set it
BUDGET_FILTER = "jimu_step"
SIZED_FILTER = "jimu_sized"
MAX_POWER_BITS = 4096


class TemplateLimitExceeded(Exception):
    """A render went over its budget (steps, time or size); `limit` names which."""

    def __init__(self, limit: str, value: int | float) -> None:
        super().__init__(f"template {limit} limit ({value}) exceeded")
        self.limit = limit
        self.value = value


@dataclass
class RenderBudget:
    """What one render may spend: steps (calls and loop iterations), seconds, characters of any value."""

    max_steps: int
    seconds: float
    max_chars: int
    steps: int = 0
    deadline: float = field(init=False)

    def __post_init__(self) -> None:
        self.deadline = time.monotonic() + self.seconds

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.max_steps:
            raise TemplateLimitExceeded("steps", self.max_steps)
        if time.monotonic() > self.deadline:
            raise TemplateLimitExceeded("seconds", self.seconds)

    def sized(self, length: int) -> None:
        if length > self.max_chars:
            raise TemplateLimitExceeded("size", self.max_chars)


def budget_of(context: Context) -> RenderBudget:
    found = context.get(BUDGET_KEY)
    if not isinstance(found, RenderBudget):
        raise SecurityError("templates render only through jimu.platform.notifications.templates")
    return found


class _Budgeted(NodeTransformer):
    """Wraps each loop's iterable (one step per element) and each `~` join (measured)."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, BUDGET_FILTER, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(node, SIZED_FILTER, [], [], None, None, lineno=node.lineno)


class _BudgetedCodeGenerator(CodeGenerator):
    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(_Budgeted().visit(node), frame)


@pass_context
def _step_through(context: Context, iterable: Iterable[Any]) -> Iterator[Any]:
    budget = budget_of(context)
    for item in iterable:
        budget.step()
        yield item


@pass_context
def _sized(context: Context, value: Any) -> Any:
    budget_of(context).sized(len(value) if isinstance(value, str) else 0)
    return value


def _length(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_binop(budget: RenderBudget, op: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be over the size limit, before computing it."""
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if _length(seq) and isinstance(times, int):
                budget.sized(_length(seq) * max(times, 0))
    elif op == "+":
        budget.sized(_length(left) + _length(right))
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        if right * math.log2(abs(left)) > MAX_POWER_BITS:
            raise TemplateLimitExceeded("size", MAX_POWER_BITS)
    elif op == "%" and isinstance(left, str):
        raise SecurityError("string formatting with % is not available in templates")


class JimuSandbox(ImmutableSandboxedEnvironment):
    """The one environment of notification templates (`autoescape` for HTML e-mail bodies)."""

    code_generator_class = _BudgetedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *, autoescape: bool) -> None:
        super().__init__(autoescape=autoescape, undefined=StrictUndefined, keep_trailing_newline=True,
                         cache_size=200)
        self.filters[BUDGET_FILTER] = _step_through
        self.filters[SIZED_FILTER] = _sized
        for name, checked in _checked_filters(self.filters).items():
            self.filters[name] = checked
        self.filters.pop("format", None)
        self.globals.pop("lipsum", None)
        self.globals["range"] = _budgeted_range

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(budget_of(context), operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        budget_of(__context).step()
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if super().wrap_str_format(value) is None:
            return None

        def refused(*args: Any, **kwargs: Any) -> str:
            raise SecurityError("str.format is not available in templates")

        return refused


@pass_context
def _budgeted_range(context: Context, *args: int) -> Iterator[int]:
    budget = budget_of(context)
    for number in range(*args):
        budget.step()
        yield number


def _checked_filters(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Versions of the filters that can build a value far larger than their input, checked first."""
    replace, join, center, indent = filters["replace"], filters["join"], filters["center"], filters["indent"]

    @pass_context
    def checked_replace(context: Context, value: Any, old: Any, new: Any, count: int | None = None) -> Any:
        text, old_text, new_text = str(value), str(old), str(new)
        hits = text.count(old_text) if old_text else len(text) + 1
        budget_of(context).sized(len(text) + hits * max(len(new_text) - len(old_text), 0))
        return replace(context.eval_ctx, value, old, new, count)

    @pass_context
    def checked_join(context: Context, value: Iterable[Any], d: str = "", attribute: Any = None) -> Any:
        items = list(value)
        budget_of(context).sized(sum(len(str(item)) for item in items) + len(str(d)) * max(len(items) - 1, 0))
        return join(context.eval_ctx, items, d, attribute)

    @pass_context
    def checked_center(context: Context, value: str, width: int = 80) -> str:
        budget_of(context).sized(operator.index(width))
        return str(center(value, width))

    @pass_context
    def checked_indent(context: Context, s: str, width: int | str = 4, first: bool = False,
                       blank: bool = False) -> Any:
        size = len(width) if isinstance(width, str) else operator.index(width)
        budget_of(context).sized(len(str(s)) + size * (str(s).count("\n") + 1))
        return indent(s, width, first, blank)

    return {"replace": checked_replace, "join": checked_join, "center": checked_center, "indent": checked_indent}
