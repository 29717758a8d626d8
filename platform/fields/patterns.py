"""User patterns (a text field's `pattern`): RE2 syntax, matched in time linear in the value.

Every pattern a designer writes is compiled and matched here and nowhere else. RE2 has no
backtracking, so no pattern can make a match run for long (`^(a+)+$` against `'a' * 30 + '!'` is
as quick as any); patterns RE2 cannot run (back-references, look-arounds, possessive repeats) are
refused when the definition is checked. The dialect, as docs/definitions.md describes it:

* the whole value must match (`fullmatch`): `^` and `$` are allowed and change nothing;
* `\\d`, `\\w`, `\\s` and `\\b` are ASCII (`\\d` is `[0-9]`, so `١٢٣٤` and `１２３４` are not digits);
  Unicode classes are spelled `\\p{L}`, `\\p{Han}`, `\\p{N}`...;
* `.` is any character but a newline; `(?i)` folds case in Unicode (`é` matches `É`).
"""
from __future__ import annotations

import re
from functools import lru_cache

import re2

MAX_PATTERN_LENGTH = 1000
"""Longest pattern accepted; RE2 also refuses patterns whose program outgrows its memory budget."""

_MAX_MEMORY = 8 << 20  # bytes RE2 may use for one compiled pattern (its default)
# RE2 syntax that JSON Schema's ECMA-262 dialect lacks or reads otherwise: inline flags and named
# groups `(?i)` `(?P<n>`, Unicode classes `\p{L}`, `\z` `\A` `\Q…\E` `\C`, POSIX classes `[[:alpha:]]`.
_RE2_ONLY = re.compile(r"\(\?[A-Za-z<]|\\[pPzAQEC]|\[:")


class PatternError(ValueError):
    """A pattern RE2 cannot run; `reason` is RE2's own message (or ours, for the length)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would print refused patterns on stderr
    options.max_mem = _MAX_MEMORY
    return options


@lru_cache(maxsize=512)
def compiled_pattern(pattern: str) -> re2._Regexp:
    """The compiled pattern (cached); raises PatternError for a pattern RE2 cannot run."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"longer than {MAX_PATTERN_LENGTH} characters")
    try:
        return re2.compile(pattern, _options())
    except re2.error as error:
        reason = error.args[0] if error.args else error
        raise PatternError(reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)) from None
    except UnicodeEncodeError:
        raise PatternError("not valid Unicode text") from None


def refusal(pattern: str) -> str | None:
    """Why RE2 cannot run `pattern`, or None when it can."""
    try:
        compiled_pattern(pattern)
    except PatternError as error:
        return error.reason
    return None


def portable(pattern: str) -> bool:
    """Whether a pattern means the same in JSON Schema's (ECMA-262) dialect, so the OpenAPI document can
    carry it for clients and test generators (which read it with their own engines, e.g. Python's `re`)."""
    if _RE2_ONLY.search(pattern) or refusal(pattern) is not None:
        return False
    try:
        re.compile(pattern)  # compiling is quick whatever the pattern; only matching can backtrack
    except re.error:
        return False
    return True


def matches(pattern: str, value: str) -> bool:
    """Whether the whole of `value` matches `pattern`.

    A pattern RE2 cannot run (one installed before patterns were checked) matches nothing, so the
    field refuses values until its definition is fixed, rather than accepting them unchecked.
    """
    try:
        return compiled_pattern(pattern).fullmatch(value) is not None
    except (PatternError, UnicodeEncodeError):  # UnicodeEncodeError: a lone surrogate is not text
        return False
