"""A record's print view at /print/{entity}/{id}: the entity's print template as a page for print-to-PDF.

The body is rendered by the forms engine (engines/forms/printing.py: sandboxed Jinja2, autoescaped); this
module wraps it in a page with the print stylesheet and a strict policy: no script at all, styles only
from Jimu itself, no framing.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI
from fastapi import Path as PathParam
from markupsafe import escape
from starlette.responses import HTMLResponse, Response

from jimu.engines.forms.printing import print_body
from jimu.platform.context import Context
from jimu.platform.i18n import translate
from jimu.web.api.deps import in_unit_of_work

STYLESHEET = Path(__file__).resolve().parent / "static" / "print" / "print.css"
STYLE_URL = "/print-assets/print.css"
RecordId = Annotated[int, PathParam(ge=1, le=2**63 - 1)]
PRINT_POLICY = "; ".join((
    "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "font-src 'self' data:",
    "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
))
PRINT_HEADERS = {"Content-Security-Policy": PRINT_POLICY, "X-Content-Type-Options": "nosniff",
                 "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


@in_unit_of_work
def print_view(ctx: Context, entity: str, record_id: RecordId) -> Response:
    """The record's print page (the reader must be able to read it)."""
    body = print_body(ctx, entity, record_id)
    page = (f'<!doctype html><html lang="{escape(ctx.locale)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(entity)} #{record_id}</title><link rel="stylesheet" href="{STYLE_URL}"></head>'
            f'<body><p class="jm-print-hint">{escape(translate("records.print_hint", ctx.locale))}</p>'
            f'<main data-test="print-body">{body}</main></body></html>')
    return HTMLResponse(page, headers=PRINT_HEADERS)


def install_print(app: FastAPI) -> None:
    css = STYLESHEET.read_bytes()

    def stylesheet() -> Response:
        return Response(css, media_type="text/css", headers={**PRINT_HEADERS, "Cache-Control": "no-cache"})

    app.add_api_route("/print/{entity}/{record_id}", print_view, methods=["GET"], include_in_schema=False)
    app.add_api_route(STYLE_URL, stylesheet, methods=["GET"], include_in_schema=False)
