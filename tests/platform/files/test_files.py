"""The file store, content sniffing and file names: nothing escapes the store, nothing is trusted."""
from __future__ import annotations

from pathlib import Path

import pytest

from jimu.platform.files import LocalFileStore, content_disposition, safe_name, sniff
from jimu.platform.files.store import new_key


def test_the_local_store_puts_opens_and_deletes_by_key(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    key = new_key()
    store.put(key, iter([b"ab", b"cd"]))
    assert store.exists(key)
    with store.open(key) as data:
        assert data.read() == b"abcd"
    store.delete(key)
    store.delete(key)  # twice is fine
    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "/etc/passwd", "a" * 31, "A" * 32, "g" * 32, "", "0" * 32 + "\n"])
def test_keys_are_only_ours(tmp_path: Path, key: str) -> None:
    store = LocalFileStore(tmp_path)
    for call in (lambda: store.open(key), lambda: store.exists(key), lambda: store.put(key, iter([b"x"]))):
        with pytest.raises(ValueError):
            call()


def test_a_failed_put_leaves_nothing(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path)
    key = new_key()

    def chunks() -> object:
        yield b"part"
        raise RuntimeError("client went away")

    with pytest.raises(RuntimeError):
        store.put(key, chunks())  # type: ignore[arg-type]
    assert not store.exists(key)
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize(("head", "media_type"), [
    (b"%PDF-1.4\n...", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "application/octet-stream"),
    (b"PK\x03\x04\x14\x00", "application/zip"),
    (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
    (b"<html><script>alert(1)</script>", "text/plain"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='x()'/>", "text/plain"),
    ("名称,数量\n螺丝,3\n".encode(), "text/plain"),
    ("合同".encode()[:-1], "text/plain"),  # a character cut at the end of the head
    (b"\x00\x01\x02binary", "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_the_content_type_comes_from_the_bytes(head: bytes, media_type: str) -> None:
    assert sniff(head) == media_type


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\x\\report.pdf", "report.pdf"), ("合同.pdf", "合同.pdf"),
    ('a"b;c.txt', "a_b_c.txt"), ("line\r\nbreak.txt", "line_break.txt"), ("..", "file"), ("", "file"),
    (None, "file"), ("x" * 300, "x" * 255),
])
def test_names_are_metadata_made_safe(given: str | None, kept: str) -> None:
    assert safe_name(given) == kept


def test_the_download_header_names_the_file_in_ascii_and_utf8() -> None:
    header = content_disposition("合同 v1.pdf")
    assert header == "attachment; filename=\"v1.pdf\"; filename*=UTF-8''%E5%90%88%E5%90%8C%20v1.pdf"
    assert "\n" not in content_disposition(safe_name("a\nb.txt"))
