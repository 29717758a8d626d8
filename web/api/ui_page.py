"""The browser UI at `/`: the built single-page app from web/ui/dist (committed; no Node at run time).

`index.html` is served at `/` and at every client route (`/login`, `/apps/...`), so a reload or a
shared link opens the same page; the hashed assets under `/assets/` are cached for a year (and sent
gzipped to browsers that accept it). Every UI
response carries a strict Content-Security-Policy: scripts only from Jimu itself, no inline script
and no `eval` (the build precompiles the templates), no framing.
"""
from __future__ import annotations

import gzip
import mimetypes
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response

DIST = Path(__file__).resolve().parents[1] / "ui" / "dist"
ASSETS_URL = "/assets"
CLIENT_ROUTES = ("/", "/login", "/apps", "/apps/{rest:path}", "/design", "/design/{rest:path}", "/admin",
                 "/admin/{rest:path}", "/f/{token}", "/inbox/{rest:path}")

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # Element Plus sets element styles (never scripts)
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
UI_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
ASSET_CACHE = "public, max-age=31536000, immutable"  # names carry their content hash
COMPRESSED = (".js", ".css", ".svg", ".json")


class _Asset:
    """One built file: its bytes, and (for text) the gzip of them, made once on first request."""

    def __init__(self, path: Path) -> None:
        self.body = path.read_bytes()
        self.kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.compressible = path.name.endswith(COMPRESSED)
        self._gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=9, mtime=0)
        return self._gzipped

    def response(self, request: Request) -> Response:
        headers = {**UI_HEADERS, "Cache-Control": ASSET_CACHE, "Vary": "Accept-Encoding"}
        if self.compressible and "gzip" in request.headers.get("accept-encoding", ""):
            return Response(self.gzipped(), media_type=self.kind, headers={**headers, "Content-Encoding": "gzip"})
        return Response(self.body, media_type=self.kind, headers=headers)


def _assets(dist: Path) -> dict[str, _Asset]:
    """Every built asset by its file name: only these names are ever served (no path from the URL)."""
    folder = dist / "assets"
    return {p.name: _Asset(p) for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}


def install_ui(app: FastAPI, dist: Path = DIST) -> None:
    """Serve the UI's index at `/` and the client routes, and its assets under /assets."""
    index = dist / "index.html"
    page = index.read_bytes() if index.is_file() else None
    assets = _assets(dist)

    def ui_index() -> Response:
        if page is None:
            raise HTTPException(404)
        return HTMLResponse(page, headers={**UI_HEADERS, "Cache-Control": "no-cache"})

    def ui_asset(name: str, request: Request) -> Response:
        asset = assets.get(name)
        if asset is None:
            raise HTTPException(404)
        return asset.response(request)

    for url in CLIENT_ROUTES:
        app.add_api_route(url, ui_index, methods=["GET"], include_in_schema=False)
    app.add_api_route(f"{ASSETS_URL}/{{name}}", ui_asset, methods=["GET"], include_in_schema=False)
