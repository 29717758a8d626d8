"""Every example in README.md and docs/ is executed (FastAPI-style).

Fenced blocks are recognised by their info string:

* ```` ```json app ````: an app definition that must validate (apps earlier in the same page count
  as installed, so later examples may depend on them);
* ```` ```json field ````: a field (or a list of fields) that must validate when added to the
  `sales_order` entity of the page's first `json app`;
* ```` ```json invalid-app ```` followed by ```` ```text problems ````: a definition that must fail
  with exactly the listed `path  code` problems;
* ```` ```<any> file=NAME ````: a file written into the page's working folder;
* ```` ```console ````: `$ jimu ...` commands run in that folder, in page order, by the installed
  `jimu` console script on a scratch database. Lines after a command are output that must
  appear, in order, each within one output line (`...` stands for any text); `# exit N` after
  a command expects that exit status.

Other blocks (```` ```sh ````, ```` ```python ````...) are illustrations and are not run; every
```` ```json ```` block must at least parse.
"""
from __future__ import annotations

import copy
import functools
import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jimu.platform.errors import DefinitionError
from jimu.platform.registry.model import AppDef
from jimu.platform.registry.sections import Sections
from jimu.platform.registry.validation import validate_app

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.S | re.M)
JIMU = Path(sys.executable).with_name("jimu")
EXIT = re.compile(r"\s+#\s*exit\s+(\d+)\s*$")


@dataclass(frozen=True)
class Block:
    page: Path
    line: int
    info: str
    text: str

    @property
    def kind(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def tags(self) -> list[str]:
        return self.info.split()[1:]

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    def option(self, name: str) -> str | None:
        return next((t.split("=", 1)[1] for t in self.tags if t.startswith(name + "=")), None)


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [Block(page, text.count("\n", 0, m.start()) + 1, m.group(1).strip(), m.group(2)) for m in FENCE.finditer(text)]


def _all(predicate: Any) -> list[Block]:
    return [b for page in PAGES for b in _blocks(page) if predicate(b)]


def _id(block: Block) -> str:
    return block.where


# ---- definitions -------------------------------------------------------------------------------


@pytest.mark.parametrize("block", _all(lambda b: b.kind == "json"), ids=_id)
def test_json_blocks_parse(block: Block) -> None:
    json.loads(block.text)


def _apps_before(block: Block) -> list[AppDef]:
    apps = []
    for other in _blocks(block.page):
        if other.line >= block.line:
            break
        if other.kind == "json" and "app" in other.tags:
            apps.append(AppDef.build(json.loads(other.text)))
    return apps


@functools.cache
def _engine_sections() -> Sections:
    """The definition sections of every engine (processes, reports, public forms...), as `jimu serve` has them."""
    import sqlalchemy as sa

    from jimu.platform.kernel import Kernel
    from jimu.web.assembly import assemble

    return dict(assemble(Kernel(sa.create_engine("sqlite://"))).sections)


@pytest.mark.parametrize("block", _all(lambda b: b.kind == "json" and "app" in b.tags), ids=_id)
def test_app_examples_are_valid(block: Block) -> None:
    raw = json.loads(block.text)
    try:
        validate_app(raw, _apps_before(block), sections=_engine_sections())
    except DefinitionError as error:
        pytest.fail(f"{block.where}: {error}")


@pytest.mark.parametrize("block", _all(lambda b: b.kind == "json" and "field" in b.tags), ids=_id)
def test_field_examples_are_valid(block: Block) -> None:
    base = next(b for b in _blocks(block.page) if b.kind == "json" and "app" in b.tags)
    raw = copy.deepcopy(json.loads(base.text))
    entity = next(e for e in raw["entities"] if e["key"] == "sales_order")
    example = json.loads(block.text)
    entity["fields"].extend(example if isinstance(example, list) else [example])
    try:
        validate_app(raw)
    except DefinitionError as error:
        pytest.fail(f"{block.where}: {error}")


def _invalid_pairs() -> list[tuple[Block, Block]]:
    pairs = []
    for page in PAGES:
        blocks = _blocks(page)
        for n, block in enumerate(blocks):
            if block.kind == "json" and "invalid-app" in block.tags:
                expected = blocks[n + 1] if n + 1 < len(blocks) else None
                assert expected is not None and "problems" in expected.tags, f"{block.where}: no problems block follows"
                pairs.append((block, expected))
    return pairs


@pytest.mark.parametrize(("block", "expected"), _invalid_pairs(), ids=lambda b: b.where)
def test_invalid_examples_give_the_listed_problems(block: Block, expected: Block) -> None:
    with pytest.raises(DefinitionError) as caught:
        validate_app(json.loads(block.text), _apps_before(block))
    got = [f"{d.path}  {d.code}" for d in caught.value.details]
    want = [re.sub(r"\s{2,}", "  ", line.strip()) for line in expected.text.strip().splitlines()]
    assert got == want


def test_the_pages_have_examples() -> None:
    definitions = _blocks(ROOT / "docs" / "definitions.md")
    assert sum("app" in b.tags for b in definitions) >= 5
    assert sum("field" in b.tags for b in definitions) >= 15
    assert any(b.kind == "console" for b in _blocks(ROOT / "README.md"))


# ---- shell sessions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    line: int
    argv: list[str]
    status: int
    expected: list[str]


def _commands(block: Block) -> list[Command]:
    commands: list[Command] = []
    for offset, raw in enumerate(block.text.splitlines(), start=1):
        if raw.startswith("$ "):
            source = raw[2:]
            status = 0
            match = EXIT.search(source)
            if match:
                status, source = int(match.group(1)), source[: match.start()]
            argv = shlex.split(source)
            assert argv[0] == "jimu", f"{block.where}: only `jimu` commands can be run, not {argv[0]!r}"
            commands.append(Command(block.line + offset, argv, status, []))
        elif raw.strip():
            assert commands, f"{block.where}: output before the first command"
            commands[-1].expected.append(raw.strip())
    return commands


def _check_output(where: str, output: str, expected: list[str]) -> None:
    lines = [" ".join(line.split()) for line in output.splitlines()]
    at = 0
    for want in expected:
        if want == "...":
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in " ".join(want.split()).split("...")))
        found = next((n for n in range(at, len(lines)) if pattern.search(lines[n])), None)
        assert found is not None, f"{where}: expected {want!r} in order in the output:\n{output}"
        at = found + 1


def _session_pages() -> list[Path]:
    return [p for p in PAGES if any(b.kind == "console" for b in _blocks(p))]


@pytest.mark.parametrize("page", _session_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_sessions_run(page: Path, tmp_path: Path, database_url: str) -> None:
    env = {**os.environ, "JIMU_DATABASE_URL": database_url, "JIMU_LOCALE": "en"}
    env.pop("JIMU_DEBUG", None)
    for block in _blocks(page):
        name = block.option("file")
        if name:
            (tmp_path / name).write_text(block.text, encoding="utf-8")
            continue
        if block.kind != "console":
            continue
        for command in _commands(block):
            where = f"{page.relative_to(ROOT)}:{command.line}"
            done = subprocess.run([str(JIMU), *command.argv[1:]], cwd=tmp_path, env=env, capture_output=True,
                                  text=True, encoding="utf-8", timeout=120)
            output = done.stdout + done.stderr
            assert done.returncode == command.status, f"{where}: exit {done.returncode}:\n{output}"
            _check_output(where, output, command.expected)
