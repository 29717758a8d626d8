"""Link, child table, user and attachment values."""
from __future__ import annotations

import pytest

from jimu.platform.fields.registry import FIELD_TYPES

from .helpers import coerce, field, problems, refused

PDF = {"id": 1, "name": "contract.pdf", "key": "a1/contract.pdf", "size": 2048, "content_type": "application/pdf"}
PNG = {"id": 2, "name": "photo.PNG", "size": 9000}


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


def test_attachments_are_lists_of_stored_files() -> None:
    # only the ids are taken: the write fills in the stored file's name, size and type
    assert coerce("attachment", PDF) == [{"id": 1}]
    assert coerce("attachment", [PDF, PNG], multiple=True) == [{"id": 1}, {"id": 2}]
    assert coerce("attachment", [{**PDF, "secret": "x"}]) == [{"id": 1}]
    assert coerce("attachment", []) is None


@pytest.mark.parametrize("value", [[{"size": 1}], [{"name": "a.pdf"}], [{"id": "1"}], [{"id": True}], [{"id": 0}],
                                   [{"id": 2**63}], ["a.pdf"], 5])
def test_not_files(value: object) -> None:
    assert refused("attachment", value).code == "value.not_files"


def test_names_alone_reference_no_file() -> None:
    assert refused("attachment", "a.pdf, b.png").code == "value.attachment_needs_upload"


def test_attachment_checks() -> None:
    """On the stored files' metadata (what a write puts in the value)."""
    def found(value: list[dict[str, object]], **props: object) -> list[str]:
        return [p.code for p in FIELD_TYPES["attachment"].check_value(field("attachment", **props), value)]

    assert found([PDF, PNG]) == ["value.single_file_only"]
    assert found([PDF, PNG], multiple=True) == []
    assert found([PNG], max_size=4096) == ["value.file_too_large"]
    assert found([PDF], max_size=4096) == []
    assert found([PNG], accept=[".pdf"]) == ["value.file_type_not_accepted"]
    assert found([PNG], accept=[".pdf", ".png"]) == []  # extensions compare case-insensitively
    assert problems("attachment", [{"id": 3}], accept=[".pdf"]) == []  # ids alone: checked once stored


def test_attachment_text_form() -> None:
    assert FIELD_TYPES["attachment"].to_text(field("attachment"), [PDF, PNG]) == "contract.pdf, photo.PNG"
    assert FIELD_TYPES["attachment"].to_text(field("attachment"), None) == ""
    assert FIELD_TYPES["attachment"].to_text(field("attachment"), [{"id": 9}]) == "#9"
