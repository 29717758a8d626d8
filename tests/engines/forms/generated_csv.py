"""A CSV file produced on demand, for tests that prove imports stream rather than read whole files."""
from __future__ import annotations

import io
from collections.abc import Callable, Iterator


class GeneratedCsv(io.RawIOBase):
    """`rows` lines made by `line(i)` after `header`; `served` counts the bytes handed out so far."""

    def __init__(self, rows: int, header: str, line: Callable[[int], str]) -> None:
        self._lines: Iterator[bytes] = (f"{line(i)}\n".encode() for i in range(rows))
        self._pending = f"{header}\n".encode()
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        view = memoryview(buffer)  # type: ignore[arg-type]
        while len(self._pending) < len(view):
            line = next(self._lines, None)
            if line is None:
                break
            self._pending += line
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        self.served += size
        return size
