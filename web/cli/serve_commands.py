"""`jimu serve`: run the HTTP API under uvicorn, in one or several worker processes.

Workers share nothing but the database: each builds its own app from the environment
(`jimu.web.api.asgi:create`), and the only per-process state, the definitions cache, is
checked against the database stamp on every unit of work.
"""
from __future__ import annotations

import argparse
import errno
import importlib.util
import inspect
import socket
from typing import Any

from jimu.platform.i18n import translate
from jimu.web.cli.failures import cli_error
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import display_url, open_kernel
from jimu.web.cli.session import Session

APP_FACTORY = "jimu.web.api.asgi:create"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug")
# Seconds a worker may take to start before the supervisor restarts it (imports take seconds on a busy machine).
WORKER_START_SECONDS = 60


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=_positive, default=1, metavar="N", help="worker processes (default 1)")
    serve.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    access = serve.add_mutually_exclusive_group()
    access.add_argument("--access-log", action="store_true", help="log every request (default: off)")
    access.add_argument("--no-access-log", action="store_true", help="do not log every request (the default)")
    serve.add_argument("--forwarded-allow-ips", default=None, metavar="IPS",
                       help="proxies trusted for X-Forwarded-* headers (default 127.0.0.1)")
    serve.set_defaults(handler=serve_command)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(translate("serve.workers_positive"))
    return value


def serve_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    """Check the database is initialised, then serve until interrupted."""
    import uvicorn  # imported here: every other command starts faster without it

    with open_kernel(session.settings):
        pass  # raises "not initialised" before any worker starts
    check_can_listen(args.host, args.port, session.locale)  # before "Serving Jimu on ..."
    url = display_url(session.settings.database_url)
    if args.workers > 1 and url.startswith("sqlite"):
        out.stderr.write(translate("serve.sqlite_workers", session.locale, workers=args.workers) + "\n")
    out.result({"host": args.host, "port": args.port, "workers": args.workers, "database": url},
               [translate("serve.starting", session.locale, host=args.host, port=args.port,
                          workers=args.workers, url=url)])
    try:
        uvicorn.run(APP_FACTORY, factory=True, host=args.host, port=args.port, workers=args.workers,
                    forwarded_allow_ips=args.forwarded_allow_ips,
                    **server_options(args.log_level, access_log=args.access_log), **_supported(uvicorn.run))
    except SystemExit as exit_:  # uvicorn exits when it cannot bind or start
        if exit_.code:
            raise cli_error("serve.failed", session.locale, host=args.host, port=args.port) from None
    return 0


def server_options(log_level: str, *, access_log: bool) -> dict[str, Any]:
    """uvicorn's settings of the request path: uvloop and httptools when installed (the C event loop and
    HTTP parser cost a fraction of asyncio's and h11's per request), the access log only when asked (a log
    line per request costs about as much as routing it; the request id and the audit trail stay).
    The API bench runs its bare baseline with these same settings."""
    return {"loop": "uvloop" if _installed("uvloop") else "asyncio",
            "http": "httptools" if _installed("httptools") else "h11",
            "log_level": log_level, "access_log": access_log}


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def check_can_listen(host: str, port: int, locale: str) -> None:
    """Raise CliError (exit 2) when `host:port` cannot be bound: the port is taken, the address is not
    this machine's, the port needs privileges. Bound as uvicorn binds (SO_REUSEADDR), then released."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise cli_error("serve.port_taken", locale, host=host, port=port) from None
        reason = error.strerror or str(error)
        raise cli_error("serve.cannot_listen", locale, host=host, port=port, reason=reason) from None


def _supported(run: Any) -> dict[str, Any]:
    """Options of newer uvicorn releases, passed only when the installed one knows them."""
    known = inspect.signature(run).parameters
    return {"timeout_worker_healthcheck": WORKER_START_SECONDS} if "timeout_worker_healthcheck" in known else {}
