"""Printing: human lines on stdout, or one JSON document with `--json`; failures on stderr."""
from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from jimu.web.cli.failures import Failure


class Output:
    """Where a command's results go; every command prints through one of these."""

    def __init__(self, as_json: bool, stdout: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.as_json = as_json
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def result(self, data: Any, lines: Iterable[str]) -> None:
        """`data` as JSON with --json, else the human `lines`."""
        if self.as_json:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        else:
            for line in lines:
                self.stdout.write(line + "\n")
        self.stdout.flush()

    def failure(self, failure: Failure) -> None:
        """One sentence on stderr (plus `path: message` problems); with --json also the error on stdout."""
        self.stderr.write(failure.sentence.rstrip() + "\n")
        for problem in failure.problems:
            self.stderr.write(f"  {problem}\n")
        self.stderr.flush()
        if self.as_json:
            self.stdout.write(json.dumps(failure.as_dict(), ensure_ascii=False, default=str) + "\n")
            self.stdout.flush()

    def binary(self, chunks: Iterable[bytes]) -> None:
        """Raw bytes to stdout (CSV export)."""
        self.stdout.flush()
        buffer = getattr(self.stdout, "buffer", None)
        for chunk in chunks:
            if buffer is not None:
                buffer.write(chunk)
            else:
                self.stdout.write(chunk.decode("utf-8"))
        if buffer is not None:
            buffer.flush()
        self.stdout.flush()
