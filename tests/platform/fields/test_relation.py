"""Link, child table, user and attachment values."""
from __future__ import annotations

import pytest

from jimu.platform.fields.registry import FIELD_TYPES

from .helpers import coerce, field, problems, refused

PDF = {"name": "contract.pdf", "key": "a1/contract.pdf", "size": 2048, "content_type": "application/pdf"}
PNG = {"name": "photo.PNG", "size": 9000}


@pytest.mark.parametrize("type_name", ["link", "user"])
def test_ids(type_name: str) -> None:
    assert coerce(type_name, 12, entity="customer") == 12
    assert coerce(type_name, " 12 ", entity="customer") == 12
    assert coerce(type_name, {"id": 3, "title": "ACME"}, entity="customer") == 3
    assert coerce(type_name, "", entity="customer") is None
    for bad in (True, "ACME", 1.5, "-1"):
        assert refused(type_name, bad, entity="customer").code == "value.not_id"


def test_child_rows() -> None:
    assert coerce("child_table", None, entity="line") == []
    rows = [{"qty": 1}, {"qty": 2}]
    assert coerce("child_table", rows, entity="line") == rows
    for bad in ({"qty": 1}, [1, 2], "rows"):
        assert refused("child_table", bad, entity="line").code == "value.not_rows"
    assert FIELD_TYPES["child_table"].is_blank([])


def test_attachments_are_lists_of_file_metadata() -> None:
    assert coerce("attachment", PDF) == [PDF]
    assert coerce("attachment", [PDF, PNG], multiple=True) == [PDF, PNG]
    assert coerce("attachment", "a.pdf, b.png") == [{"name": "a.pdf"}, {"name": "b.png"}]
    assert coerce("attachment", [{**PDF, "secret": "x"}]) == [PDF]  # unknown keys are dropped
    assert coerce("attachment", []) is None


@pytest.mark.parametrize("value", [[{"size": 1}], [{"name": ""}], ["a.pdf"], 5, [{"name": 3}]])
def test_not_files(value: object) -> None:
    assert refused("attachment", value).code == "value.not_files"


def test_attachment_checks() -> None:
    assert problems("attachment", [PDF, PNG]) == ["value.single_file_only"]
    assert problems("attachment", [PDF, PNG], multiple=True) == []
    assert problems("attachment", PNG, max_size=4096) == ["value.file_too_large"]
    assert problems("attachment", PDF, max_size=4096) == []
    assert problems("attachment", PNG, accept=[".pdf"]) == ["value.file_type_not_accepted"]
    assert problems("attachment", PNG, accept=[".pdf", ".png"]) == []  # extensions compare case-insensitively


def test_attachment_text_form() -> None:
    assert FIELD_TYPES["attachment"].to_text(field("attachment"), [PDF, PNG]) == "contract.pdf, photo.PNG"
    assert FIELD_TYPES["attachment"].to_text(field("attachment"), None) == ""
