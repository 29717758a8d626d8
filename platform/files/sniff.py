"""The content type of a file, from its first bytes (never from the client's claim or the name).

A small table of well-known signatures, one entry per type; anything else is `text/plain` when it is
UTF-8 text without control characters, else `application/octet-stream`. HTML, SVG and XML are not in
the table on purpose: they are served as plain text (and always as a download), never as markup.
"""
from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 512
OCTET_STREAM = "application/octet-stream"
TEXT = "text/plain"


@dataclass(frozen=True)
class Signature:
    media_type: str
    magic: bytes
    offset: int = 0
    also: tuple[int, bytes] | None = None  # a second (offset, bytes) that must match too

    def matches(self, head: bytes) -> bool:
        if head[self.offset:self.offset + len(self.magic)] != self.magic:
            return False
        if self.also is None:
            return True
        offset, magic = self.also
        return head[offset:offset + len(magic)] == magic


SIGNATURES: tuple[Signature, ...] = (
    Signature("application/pdf", b"%PDF-"),
    Signature("image/png", b"\x89PNG\r\n\x1a\n"),
    Signature("image/jpeg", b"\xff\xd8\xff"),
    Signature("image/gif", b"GIF87a"),
    Signature("image/gif", b"GIF89a"),
    Signature("image/webp", b"RIFF", also=(8, b"WEBP")),
    Signature("image/bmp", b"BM"),
    Signature("image/tiff", b"II*\x00"),
    Signature("image/tiff", b"MM\x00*"),
    Signature("application/zip", b"PK\x03\x04"),  # also docx, xlsx, pptx, odt (zip containers)
    Signature("application/gzip", b"\x1f\x8b"),
    Signature("application/x-7z-compressed", b"7z\xbc\xaf\x27\x1c"),
    Signature("application/vnd.ms-office", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"),  # doc, xls, ppt
    Signature("audio/mpeg", b"ID3"),
    Signature("video/mp4", b"ftyp", offset=4),
)
_CONTROL = frozenset(range(0, 32)) - {9, 10, 12, 13}


def sniff(head: bytes) -> str:
    """The media type of content starting with `head` (its first HEAD_BYTES bytes, or all of it)."""
    for signature in SIGNATURES:
        if signature.matches(head):
            return signature.media_type
    return TEXT if head and _is_text(head) else OCTET_STREAM


def _is_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # a character cut at the end of the head is fine
            return False
        text = head[:error.start].decode("utf-8")
    return not any(ord(ch) in _CONTROL for ch in text)
