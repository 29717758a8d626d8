"""Text, long text, email, phone and URL."""
from __future__ import annotations

from jimu.platform.fields.registry import FIELD_TYPES

from .helpers import coerce, field, problems, refused


def test_text_is_trimmed_and_numbers_become_text() -> None:
    assert coerce("text", "  张三  ") == "张三"
    assert coerce("text", 12) == "12"
    assert coerce("text", None) is None
    assert coerce("text", "  a ", strip=False) == "  a "


def test_text_refuses_booleans_and_structures() -> None:
    for value in (True, {"a": 1}, ["a"]):
        assert refused("text", value).code == "value.not_text"


def test_long_text_keeps_blanks() -> None:
    assert coerce("long_text", "  line 1\nline 2  ") == "  line 1\nline 2  "
    assert refused("long_text", [1]).code == "value.not_text"


def test_length_limits() -> None:
    assert problems("text", "abcd", max_length=3) == ["value.too_long"]
    assert problems("text", "ab", min_length=3) == ["value.too_short"]
    assert problems("text", "abc", max_length=3, min_length=3) == []
    assert problems("text", "x" * 1001) == ["value.too_long"]  # the default limit of text
    assert problems("long_text", "x" * 5000) == []


def test_length_counts_characters_not_bytes() -> None:
    assert problems("text", "积木积木", max_length=4) == []


def test_pattern_must_match_the_whole_value() -> None:
    assert problems("text", "AB-12", pattern="[A-Z0-9-]+") == []
    assert problems("text", "ab-12", pattern="[A-Z0-9-]+") == ["value.pattern_mismatch"]
    assert problems("text", "AB-12 x", pattern="[A-Z0-9-]+") == ["value.pattern_mismatch"]


def test_email_is_lowercased_and_checked() -> None:
    assert coerce("email", " Li.Lei@Example.COM ") == "li.lei@example.com"
    assert problems("email", "li.lei@example.com") == []
    assert problems("email", "not an email") == ["value.invalid_email"]
    assert problems("email", "a@b") == ["value.invalid_email"]


def test_phone_numbers() -> None:
    for good in ("+86 138 0013 8000", "010-6552 9988", "021-5555-1234", "0755 8888 1234 转 123"):
        assert problems("phone", good) == [], good
    for bad in ("call me", "12", "+86 abc"):
        assert problems("phone", bad) == ["value.invalid_phone"], bad


def test_urls() -> None:
    assert problems("url", "https://jimu.example.cn/a?b=1") == []
    assert problems("url", "HTTP://EXAMPLE.COM") == []
    assert problems("url", "ftp://example.com") == ["value.invalid_url"]
    assert problems("url", "example.com") == ["value.invalid_url"]


def test_text_round_trips_through_its_text_form() -> None:
    f = field("text")
    assert FIELD_TYPES["text"].to_text(f, None) == ""
    assert coerce("text", FIELD_TYPES["text"].to_text(f, "积木")) == "积木"
