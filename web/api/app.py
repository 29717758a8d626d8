"""The FastAPI application: /healthz, /api/v1 (records, apps and entities, authentication), /docs and the UI at /."""
from __future__ import annotations

import sqlalchemy as sa
from fastapi import FastAPI, Request
from starlette.responses import Response

from jimu.platform.files import FileStore
from jimu.platform.files import file_store as local_file_store
from jimu.platform.kernel import Kernel
from jimu.platform.settings import Settings
from jimu.web.api.config import ApiSettings
from jimu.web.api.deps import ApiServices
from jimu.web.api.docs_page import install_docs
from jimu.web.api.errors import install_error_handlers
from jimu.web.api.middleware import BodyLimitMiddleware, RequestIdMiddleware
from jimu.web.api.openapi import ROOT_OPENAPI_URL, install_openapi
from jimu.web.api.openapi_caller import install_caller_documents
from jimu.web.api.print_page import install_print
from jimu.web.api.problems import problem, problem_response
from jimu.web.api.request_info import request_locale
from jimu.web.api.routers import (
    admin_channels,
    admin_departments,
    admin_effective,
    admin_jobs,
    admin_public_forms,
    admin_report_schedules,
    admin_roles,
    admin_users,
    approvals,
    apps,
    auth,
    automations,
    bulk,
    designer,
    files,
    notifications,
    public_forms,
    records,
    reports,
    search,
    transitions,
    users,
    views,
)
from jimu.web.api.serialize import json_response
from jimu.web.api.ui_page import install_ui
from jimu.web.assembly import assemble

API_PREFIX = "/api/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"


def create_app(kernel: Kernel | None = None, *, settings: Settings | None = None,
               api_settings: ApiSettings | None = None, file_store: FileStore | None = None) -> FastAPI:
    """The API application around a kernel (built from `settings`, else the environment, when not given);
    attachments in `file_store`, else the store the kernel's settings name."""
    if kernel is None:
        kernel = Kernel.from_settings(settings or Settings.from_env())
    assemble(kernel)
    # FastAPI's own document and docs routes are off: each caller gets their own view (openapi_caller),
    # and /docs is served from vendored assets (docs_page).
    app = FastAPI(title="Jimu API", version="1", docs_url=None, redoc_url=None, openapi_url=None)
    app.openapi_url = OPENAPI_URL  # where the document is; read by tools and tests
    app.state.jimu = ApiServices(kernel=kernel, settings=api_settings or ApiSettings.from_env())
    app.state.files = file_store or local_file_store(kernel.settings)
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, settings=app.state.jimu.settings)
    app.add_middleware(RequestIdMiddleware)  # outermost: every response, even a 413 or 500, has the id
    # records first: routes are matched in order, and record reads and writes are most of the traffic
    for router in (records.router, auth.router, transitions.router, automations.router, approvals.router,
                   files.router, apps.router, designer.router,
                   admin_users.router, admin_effective.router, admin_roles.router, admin_departments.router,
                   admin_channels.router,
                   admin_report_schedules.router,
                   notifications.router, users.router, reports.router, reports.dashboards, admin_jobs.router,
                   search.router, views.router, bulk.router, public_forms.router,
                   admin_public_forms.router):
        app.include_router(router, prefix=API_PREFIX)
    app.add_api_route("/healthz", healthz, methods=["GET"], include_in_schema=False)
    install_openapi(app)  # the entity-aware document, rebuilt when a definition is applied
    install_caller_documents(app, (OPENAPI_URL, ROOT_OPENAPI_URL), API_PREFIX)
    install_docs(app, OPENAPI_URL)
    install_print(app)  # records' print views at /print/...
    install_ui(app)  # the browser UI at / (web/ui/dist)
    return app


def healthz(request: Request) -> Response:
    """200 when the database answers `SELECT 1`, else 503."""
    api: ApiServices = request.app.state.jimu
    try:
        with api.kernel.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        return problem_response(problem(503, "api.database_unavailable", request_locale(request)))
    return json_response({"status": "ok"})
