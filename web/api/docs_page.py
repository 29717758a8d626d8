"""The interactive API reference at `/docs`: Swagger UI from vendored files (static/swagger-ui/, no CDN).

The page loads the caller's own OpenAPI document (a browser session's cookie is sent with it), so it
shows the entities and fields the caller may read.
"""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

SWAGGER_UI = Path(__file__).resolve().parent / "static" / "swagger-ui"
DOCS_URL = "/docs"
ASSETS_URL = "/docs/assets"
ALIASES = ("/api/docs",)  # where FastAPI's default page used to be


def install_docs(app: FastAPI, openapi_url: str) -> None:
    """Serve the reference page at /docs (and its aliases) and the vendored assets under /docs/assets."""
    page = get_swagger_ui_html(
        openapi_url=openapi_url, title=f"{app.title} — API reference",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js", swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon-32x32.png",
        swagger_ui_parameters={"persistAuthorization": False, "displayRequestDuration": True},
    ).body

    def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"X-Content-Type-Options": "nosniff"})

    app.mount(ASSETS_URL, StaticFiles(directory=SWAGGER_UI), name="docs-assets")
    for url in (DOCS_URL, *ALIASES):
        app.add_api_route(url, docs, methods=["GET"], include_in_schema=False)
