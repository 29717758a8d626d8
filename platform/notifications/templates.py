"""Notification templates: Jinja2 in a sandbox, undefined names refused, every render bounded.

    problems = template_problems("Order {{ record.number }} approved", path="/actions/0/subject",
                                names={"record", "user"})          # [] when fine
    text = render_template("Order {{ record.number }} approved", {"record": {"number": "SO-1"}})
    html = render_template("<p>{{ note }}</p>", {"note": "<b>"}, html=True)   # "<p>&lt;b&gt;</p>"

`template_problems` is what a definition validator calls (each problem carries the JSON path it was
given); `render_template` raises `TemplateRenderError` (422) naming what went wrong. A template is at
most `MAX_TEMPLATE_CHARS`; a render stops past `RenderLimits` (steps, seconds, characters of output).
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError

from jimu.platform.errors import ErrorDetail
from jimu.platform.notifications.errors import TemplateRenderError
from jimu.platform.notifications.sandbox import BUDGET_KEY, JimuSandbox, RenderBudget, TemplateLimitExceeded

MAX_TEMPLATE_CHARS = 20_000
LIMIT_CODES = {"steps": "notifications.template_too_many_steps", "seconds": "notifications.template_too_slow",
               "size": "notifications.template_too_large"}


@dataclass(frozen=True)
class RenderLimits:
    max_steps: int = 100_000  # calls plus loop iterations
    seconds: float = 2.0
    max_output: int = 200_000  # characters of the rendered text (and of any value built on the way)


DEFAULT_LIMITS = RenderLimits()


def template_problems(source: Any, *, path: str = "", names: Collection[str] | None = None) -> list[ErrorDetail]:
    """What is wrong with a template: not text, too long, bad syntax, or (given `names`) unknown variables."""
    problems = _text_problems(source, path)
    if problems:
        return problems
    environment = JimuSandbox(autoescape=False)
    try:
        tree = environment.parse(source)
        environment.compile(tree)  # unknown filters and tests are found when compiling
    except TemplateSyntaxError as error:
        return [ErrorDetail(path, "notifications.template_syntax", {"line": error.lineno, "error": error.message})]
    if names is None:
        return []
    unknown = sorted(meta.find_undeclared_variables(tree) - set(names))
    return [ErrorDetail(path, "notifications.template_unknown_name", {"name": name, "known": sorted(names)})
            for name in unknown]


def _text_problems(source: Any, path: str) -> list[ErrorDetail]:
    if not isinstance(source, str):
        return [ErrorDetail(path, "notifications.template_not_text")]
    if len(source) > MAX_TEMPLATE_CHARS:
        return [ErrorDetail(path, "notifications.template_too_long", {"max": MAX_TEMPLATE_CHARS})]
    return []


def render_template(source: str, variables: Mapping[str, Any], *, html: bool = False,
                    limits: RenderLimits = DEFAULT_LIMITS, path: str = "") -> str:
    """The text of a template (HTML-escaped values when `html`); TemplateRenderError when it cannot be."""
    problems = _text_problems(source, path)
    if problems:
        raise TemplateRenderError("The template is not valid.", details=problems)
    budget = RenderBudget(limits.max_steps, limits.seconds, limits.max_output)
    try:
        template = JimuSandbox(autoescape=html).from_string(source)
        return _bounded_text(template.generate({**variables, BUDGET_KEY: budget}), limits.max_output)
    except TemplateSyntaxError as error:
        raise _failure(path, "notifications.template_syntax", line=error.lineno, error=error.message) from None
    except TemplateLimitExceeded as error:
        raise _failure(path, LIMIT_CODES[error.limit], max=error.value) from None
    except UndefinedError as error:
        raise _failure(path, "notifications.template_undefined", error=str(error.message)) from None
    except SecurityError as error:
        raise _failure(path, "notifications.template_refused", error=str(error)) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError,
            RecursionError) as error:
        raise _failure(path, "notifications.template_failed", error=f"{type(error).__name__}: {error}") from None


def _bounded_text(chunks: Any, max_output: int) -> str:
    """Join the streamed output, stopping as soon as it passes `max_output` characters."""
    parts: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > max_output:
            raise TemplateLimitExceeded("size", max_output)
        parts.append(chunk)
    return "".join(parts)


def _failure(path: str, code: str, **params: Any) -> TemplateRenderError:
    return TemplateRenderError("The template could not be rendered.", details=[ErrorDetail(path, code, params)])
