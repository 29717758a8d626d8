"""docs/api.md: every ```sh api``` curl example runs through the TestClient and matches its ```json response```."""
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

from .conftest import World

PAGE = Path(__file__).resolve().parents[3] / "docs" / "api.md"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```\s*$", re.S | re.M)


def _examples() -> list[tuple[str, dict[str, Any] | None]]:
    blocks = [(m.group(1).strip(), m.group(2)) for m in FENCE.finditer(PAGE.read_text(encoding="utf-8"))]
    found = []
    for n, (info, text) in enumerate(blocks):
        if info == "sh api":
            after = blocks[n + 1] if n + 1 < len(blocks) else ("", "")
            found.append((text.strip(), json.loads(after[1]) if after[0] == "json response" else None))
    return found


def _request(command: str, token: str) -> dict[str, Any]:
    args = shlex.split(command.replace("$TOKEN", token))
    assert args.pop(0) == "curl"
    request: dict[str, Any] = {"method": "GET", "headers": {}}
    while args:
        arg = args.pop(0)
        if arg == "-X":
            request["method"] = args.pop(0)
        elif arg == "-H":
            name, _, value = args.pop(0).partition(":")
            request["headers"][name.strip()] = value.strip()
        elif arg == "-d":
            request["content"] = args.pop(0).encode()
            if request["method"] == "GET":
                request["method"] = "POST"
        else:
            request["url"] = arg.replace("http://localhost:8000", "")
    return request


def _contains(actual: Any, expected: Any) -> bool:
    if expected == "...":
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(
            _contains(a, e) for a, e in zip(actual, expected, strict=True))
    return bool(actual == expected)


def test_every_example_runs(world: World) -> None:
    examples = _examples()
    assert len(examples) >= 5
    token = ""
    for command, expected in examples:
        response = world.client.request(**_request(command, token))
        assert response.status_code < 500, (command, response.text)
        body = response.json()
        if not token:
            token = body["access_token"]
        assert expected is None or _contains(body, expected), (command, body)
