"""Streaming row readers for imports: CSV (UTF-8 with or without BOM, GB18030) and XLSX.

A reader yields the header once, then `SheetRow`s one at a time; nothing holds the whole file.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

from jimu.platform.errors import ImportFileError

FORMATS = ("csv", "xlsx")
SNIFF_BYTES = 64 * 1024
ZIP_MAGIC = b"PK\x03\x04"
Source = BinaryIO | IO[bytes] | str | os.PathLike[str]


@dataclass(frozen=True)
class SheetRow:
    """One data row: its 1-based line (CSV) or row number (XLSX) in the file, and its cell values."""

    number: int
    values: list[Any]


@dataclass
class TableReader:
    """A header and a lazy iterator over the rows after it."""

    header: list[str]
    rows: Iterator[SheetRow]
    encoding: str | None = None


def detect_format(name: str | None, head: bytes) -> str:
    """`csv` or `xlsx`, from the file name's extension, else from the first bytes (zip magic)."""
    suffix = Path(name).suffix.lower().lstrip(".") if name else ""
    if suffix in FORMATS:
        return suffix
    return "xlsx" if head.startswith(ZIP_MAGIC) else "csv"


@contextmanager
def open_table(source: Source, fmt: str | None = None) -> Iterator[TableReader]:
    """Open a CSV or XLSX source (a path or a binary stream) as a TableReader; closes what it opened."""
    with _binary(source) as stream:
        name = _name_of(source, stream)
        if fmt is None:
            fmt = detect_format(name, _peek(stream, len(ZIP_MAGIC)))
        if fmt == "csv":
            yield csv_table(stream)
        elif fmt == "xlsx":
            with xlsx_table(stream) as table:
                yield table
        else:
            raise ImportFileError(f"Unsupported import format {fmt!r}.", code="import.unsupported_format", format=fmt)


@contextmanager
def _binary(source: Source) -> Iterator[IO[bytes]]:
    if isinstance(source, (str, os.PathLike)):
        try:
            stream = open(source, "rb")  # noqa: SIM115 -- closed by the `with` below
        except OSError as error:
            raise ImportFileError(f"Cannot open {os.fspath(source)!r}: {error.strerror}.", code="import.cannot_open",
                                  file=os.fspath(source)) from None
        with stream:
            yield stream
    else:
        yield source


def _name_of(source: Source, stream: IO[bytes]) -> str | None:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else None


def _peek(stream: IO[bytes], size: int) -> bytes:
    """The first bytes of a stream without consuming them (seek back, or buffer when not seekable)."""
    if stream.seekable():
        position = stream.tell()
        head = stream.read(size)
        stream.seek(position)
        return head
    peek = getattr(stream, "peek", None)
    return peek(size)[:size] if peek else b""


# ---- CSV ---------------------------------------------------------------------------
class _Prefixed(io.RawIOBase):
    """A raw stream that first returns already-read bytes, then the rest of another stream."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def sniff_encoding(head: bytes) -> str:
    """`utf-8-sig` when the first chunk is UTF-8 (BOM or not), else `gb18030` (Chinese Excel)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def csv_table(stream: IO[bytes]) -> TableReader:
    """A CSV reader over a binary stream: encoding detected on the first chunk, rows streamed."""
    head = stream.read(SNIFF_BYTES)
    encoding = sniff_encoding(head)
    text = io.TextIOWrapper(io.BufferedReader(_Prefixed(head, stream)), encoding=encoding, newline="")
    reader = csv.reader(text)
    try:
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        raise _unreadable(error) from None
    if header is None:
        raise ImportFileError("The file is empty: it has no header row.", code="import.empty_file")
    return TableReader(header=[h.strip() for h in header], rows=_csv_rows(reader), encoding=encoding)


def _csv_rows(reader: Any) -> Iterator[SheetRow]:
    line = reader.line_num
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(error, line + 1) from None
        yield SheetRow(line + 1, values)
        line = reader.line_num


def _unreadable(error: Exception, line: int | None = None) -> ImportFileError:
    where = f" near line {line}" if line else ""
    return ImportFileError(f"The file cannot be read{where}: {error}.", code="import.unreadable",
                           line=line, error=str(error))


# ---- XLSX --------------------------------------------------------------------------
@contextmanager
def xlsx_table(stream: IO[bytes]) -> Iterator[TableReader]:
    """An XLSX reader (openpyxl read-only mode, first sheet); rows are read from the zip as iterated."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    with _seekable(stream) as seekable:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # e.g. "Workbook contains no default style"
                workbook = load_workbook(seekable, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise _unreadable(error) from None
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # trust the rows, not a possibly wrong <dimension>
            rows = sheet.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                raise ImportFileError("The file is empty: it has no header row.", code="import.empty_file")
            header = [("" if v is None else str(v)).strip() for v in first]
            while header and not header[-1]:
                header.pop()
            yield TableReader(header=header, rows=_xlsx_rows(rows))
        finally:
            workbook.close()


def _xlsx_rows(rows: Iterator[tuple[Any, ...]]) -> Iterator[SheetRow]:
    for number, values in enumerate(rows, start=2):
        yield SheetRow(number, list(values))


@contextmanager
def _seekable(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """The stream itself when seekable; else a spooled temporary copy (zip needs random access)."""
    if stream.seekable():
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as copy:
        shutil.copyfileobj(stream, copy)
        copy.seek(0)
        yield copy
