"""The committed build in web/ui/dist is the build of the sources beside it.

`npm run build` writes dist/manifest.json: the sha256 of every built file and one hash over the
sources (index.html, package.json, package-lock.json, vite.config.js, scripts/, src/). Recomputed
here without Node, so a source edited without `make ui`, or a built file edited by hand, fails.
(.ci/run rebuilds with Node and checks the build reproduces the same files.)
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

UI = Path(__file__).resolve().parents[3] / "web" / "ui"
SOURCES = ("index.html", "package.json", "package-lock.json", "vite.config.js", "scripts", "src")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(root: Path) -> list[Path]:
    return sorted(p for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file())


def sources_hash() -> str:
    listed = sorted((p.relative_to(UI).as_posix(), _sha(p)) for name in SOURCES for p in _files(UI / name))
    return hashlib.sha256("".join(f"{rel} {digest}\n" for rel, digest in listed).encode()).hexdigest()


def manifest() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((UI / "dist" / "manifest.json").read_text())
    return loaded


def test_the_build_is_of_the_current_sources() -> None:
    assert manifest()["sources"] == sources_hash(), "web/ui sources changed since the build: run `make ui`"


def test_every_built_file_is_as_built() -> None:
    dist = UI / "dist"
    found = {p.relative_to(dist).as_posix(): _sha(p) for p in _files(dist) if p.name != "manifest.json"}
    assert found == manifest()["files"]


def test_the_bundled_packages_are_listed_with_their_licences() -> None:
    listing = (UI / "THIRD_PARTY_LICENSES").read_text().split("=====")[0]
    names = {line.split(" ")[0] for line in listing.splitlines()[2:] if line}
    assert {"@vue/runtime-core", "element-plus", "vue-router"} <= names
    assert all(":" in line and line.split(": ", 1)[1] for line in listing.splitlines()[2:] if line)
