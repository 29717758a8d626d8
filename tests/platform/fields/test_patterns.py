"""User patterns run on RE2: linear time, ASCII `\\d`, refused at definition time when RE2 cannot run them."""
from __future__ import annotations

import time
from typing import Any

import pytest

from jimu.platform.errors import DefinitionError
from jimu.platform.fields import patterns
from jimu.platform.fields.registry import FIELD_TYPES
from jimu.platform.registry.validation import validate_app

from .helpers import field, problems


def _app(**text_props: Any) -> dict[str, Any]:
    return {"key": "eq", "entities": [{"key": "equipment", "fields": [
        {"name": "title", "type": "text"},
        {"name": "code", "type": "text", **text_props},
    ]}]}


def test_a_catastrophic_pattern_matches_in_linear_time() -> None:
    started = time.perf_counter()
    assert problems("text", "a" * 30 + "!", pattern="^(a+)+$") == ["value.pattern_mismatch"]
    assert problems("long_text", "a" * 200_000 + "!", pattern="(a|aa)*(b|a*)*c") == ["value.pattern_mismatch"]
    assert time.perf_counter() - started < 1.0  # Python's backtracking `re` takes hours on the first


@pytest.mark.parametrize("value", ["EQ-١٢٣٤", "EQ-１２３４", "EQ-1234\n", "EQ-123"])
def test_digits_are_ascii_and_the_whole_value_must_match(value: str) -> None:
    assert problems("text", value, pattern=r"^EQ-\d{4}$", strip=False) == ["value.pattern_mismatch"]


def test_ascii_digits_and_unicode_classes_match() -> None:
    assert problems("text", "EQ-1234", pattern=r"^EQ-\d{4}$") == []
    assert problems("text", "积木-Ab", pattern=r"\p{Han}+-\p{L}+") == []
    assert problems("text", "É", pattern=r"(?i)é") == []


def test_a_value_with_a_lone_surrogate_does_not_match() -> None:
    # coercion already refuses such text (value.unstorable_character); the matcher must not crash on it either
    text = FIELD_TYPES["text"]
    assert [p.code for p in text.check_value(field("text", pattern="a."), "a\ud800")] == ["value.pattern_mismatch"]


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)a", r"(?<!x)a", "a++", "[a-", "a{1001}", "(a{100}){100}",
                                     "a" * (patterns.MAX_PATTERN_LENGTH + 1)])
def test_patterns_re2_cannot_run_are_refused_at_their_path(pattern: str) -> None:
    with pytest.raises(DefinitionError) as caught:
        validate_app(_app(pattern=pattern))
    (detail,) = caught.value.details
    assert detail.path == "/entities/0/fields/1/pattern"
    if len(pattern) <= patterns.MAX_PATTERN_LENGTH:
        assert detail.code == "definition.pattern_invalid"
        assert detail.params["reason"]  # RE2's own reason, e.g. "invalid perl operator: (?="
        assert "RE2" in detail.message


def test_the_refusal_reads_in_chinese() -> None:
    with pytest.raises(DefinitionError) as caught:
        validate_app(_app(pattern=r"(a)\1"), locale="zh-CN")
    assert "RE2" in caught.value.details[0].message and "反向引用" in caught.value.details[0].message


def test_a_pattern_re2_cannot_run_refuses_values_rather_than_accepting_them_unchecked() -> None:
    # an installed definition from before patterns were checked
    assert problems("text", "a", pattern=r"(?=a)a") == ["value.pattern_mismatch"]


def test_built_in_formats_are_linear_too() -> None:
    started = time.perf_counter()
    assert "value.invalid_email" in problems("email", "a@" + "." * 200_000 + "@")
    assert time.perf_counter() - started < 1.0
    assert problems("email", "li.lei@example.com") == []
    assert problems("email", "li lei@example.com") == ["value.invalid_email"]
    assert problems("email", "li\u3000lei@example.com") == ["value.invalid_email"]  # Unicode blanks too
    assert problems("phone", "+86 138 0000 0000 转 12") == []
    assert problems("url", "HTTPS://example.com/x") == []
    assert problems("url", "https://exa mple.com") == ["value.invalid_url"]


def test_records_with_a_catastrophic_pattern_are_checked_at_once(engine: Any) -> None:
    from jimu.engines.forms import records
    from jimu.platform.bootstrap import init_database
    from jimu.platform.errors import ValidationError
    from jimu.platform.kernel import Kernel

    init_database(engine)
    kernel = Kernel(engine)
    kernel.apply_app(_app(pattern="^(a+)+$", unique=True))
    started = time.perf_counter()
    with kernel.unit_of_work() as ctx, pytest.raises(ValidationError) as caught:
        records.create(ctx, "equipment", {"code": "a" * 30 + "!"})
    assert [(d.path, d.code) for d in caught.value.details] == [("code", "value.pattern_mismatch")]
    with kernel.unit_of_work() as ctx:
        assert records.create(ctx, "equipment", {"code": "aaa"})["code"] == "aaa"
    assert time.perf_counter() - started < 5.0


@pytest.mark.parametrize("pattern, shown", [
    ("[A-Z]{2}-[0-9]{4}", True), (r"^EQ-\d{4}$", True), (r"\p{Han}+", False), ("(?i)eq-[0-9]+", False),
    (r"(?P<year>\d{4})", False), (r"a\z", False), ("[[:alpha:]]+", False), (r"(?=a)a", False),
])
def test_only_patterns_that_read_the_same_in_json_schema_go_into_the_openapi_document(pattern: str,
                                                                                        shown: bool) -> None:
    assert patterns.portable(pattern) is shown
