"""mypy sees Jimu's own code: `jimu.*` imports resolve to their files, not to `Any`.

A scratch module outside the repository imports a Jimu function and uses it wrongly; mypy, run with
the project's configuration, must report exactly that misuse (an unresolved import would make it
`Any` and pass silently).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRATCH = '''\
from jimu.platform.database import is_sqlite
from jimu.platform.errors import ValidationError

reveal_type(is_sqlite)
wrong: str = is_sqlite("sqlite")
error: ValidationError = ValidationError("checked")
'''


def _mypy(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary",
               "--hide-error-context", str(path)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_mypy_reports_a_wrong_annotation_on_a_jimu_function(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch.py"
    scratch.write_text(SCRATCH, encoding="utf-8")
    result = _mypy(scratch)
    lines = [line.split(": ", 1)[1] for line in result.stdout.splitlines()]
    assert lines == [
        'note: Revealed type is "def (engine_or_dialect: Any) -> bool"',
        'error: Incompatible types in assignment (expression has type "bool", variable has type "str")  [assignment]',
    ], result.stdout + result.stderr
    assert result.returncode == 1
