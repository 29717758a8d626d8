"""`jimu jobs list|show|retry` (the durable jobs, dead letters included) and `jimu worker` (run them).

`jimu worker` runs until SIGTERM or Ctrl+C, finishing the jobs in progress first; several may run at
once, on one machine or many. `--once` runs what is due now and exits (cron, tests).
"""
from __future__ import annotations

import argparse
import signal
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from jimu.platform import jobs
from jimu.platform.i18n import translate
from jimu.web.assembly import job_handlers, worker_options
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import display_url, open_kernel
from jimu.web.cli.session import Session


def _number(kind: type[int] | type[float], code: str) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if not 0 < value < 1e9:
            raise argparse.ArgumentTypeError(translate(code, "en", value=text))
        return value
    return parse


_positive = _number(int, "jobs.positive_integer")
_seconds = _number(float, "jobs.positive_seconds")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("jobs", help="durable jobs: list, show, retry")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = sub.add_parser("list", parents=[common], help="jobs, newest first")
    listing.add_argument("--state", choices=jobs.STATES, help="only jobs in this state (dead: the dead letters)")
    listing.add_argument("--kind", help="only jobs of this kind")
    listing.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N jobs (default 50)")
    listing.add_argument("--cursor", help="the next page (from the previous page)")
    listing.set_defaults(handler=list_command)
    show = sub.add_parser("show", parents=[common], help="one job with its payload, result and error")
    show.add_argument("id", type=_positive, metavar="ID")
    show.set_defaults(handler=show_command)
    again = sub.add_parser("retry", parents=[common], help="queue a failed or dead job again")
    again.add_argument("id", type=_positive, metavar="ID")
    again.set_defaults(handler=retry_command)
    worker = commands.add_parser("worker", parents=[common], help="run due jobs until stopped")
    worker.add_argument("--concurrency", type=_positive, default=1, metavar="N", help="threads (default 1)")
    worker.add_argument("--batch", type=_positive, default=1, metavar="N",
                        help="jobs a thread claims at once (default 1)")
    worker.add_argument("--once", action="store_true", help="run the jobs due now, then exit")
    worker.add_argument("--poll", type=_seconds, default=None, metavar="S",
                        help="seconds between looks when idle (default JIMU_JOB_POLL or 1)")
    worker.add_argument("--lease", type=_seconds, default=None, metavar="S",
                        help="seconds a claim holds (default JIMU_JOB_LEASE or 60)")
    worker.set_defaults(handler=worker_command)


def _line(job: dict[str, Any], locale: str) -> str:
    error = f" — {job['last_error'].splitlines()[0][:160]}" if job.get("last_error") else ""
    return translate("jobs.list_line", locale, id=job["id"], kind=job["kind"],
                     state=translate(f"jobs.state.{job['state']}", locale), attempts=job["attempts"],
                     max_attempts=job["max_attempts"], due=job["due_at"] or "-", error=error)


def list_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings) as kernel, kernel.engine.connect() as conn:
        page = jobs.list_jobs(conn, state=args.state, kind=args.kind, cursor=args.cursor, limit=args.limit)
    lines = [_line(job, session.locale) for job in page.data] or [translate("jobs.list_empty", session.locale)]
    if page.next_cursor:
        lines.append(translate("jobs.list_more", session.locale, cursor=page.next_cursor))
    out.result(page.as_dict(), lines)
    return 0


def show_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings) as kernel, kernel.engine.connect() as conn:
        job = jobs.job_view(conn, args.id)
    lines = [_line(job, session.locale)] + [f"  {name}: {job[name]}" for name in
                                             ("payload", "result", "run_at", "worker", "last_error") if job[name]]
    out.result(job, lines)
    return 0


def retry_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings) as kernel, kernel.engine.begin() as conn:
        jobs.retry(conn, args.id, now=kernel.clock())
        job = jobs.job_view(conn, args.id)
    out.result(job, [translate("jobs.retried", session.locale, id=args.id)])
    return 0


def worker_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    options = worker_options(session.settings, concurrency=args.concurrency, batch=args.batch, poll=args.poll,
                             lease=args.lease)
    with open_kernel(session.settings) as kernel:
        worker = jobs.Worker(kernel, job_handlers(), options)
        if args.once:
            return _run_once(worker, session, out)
        out.stderr.write(translate("jobs.worker_starting", session.locale, name=options.name,
                                   url=display_url(session.settings.database_url), concurrency=options.concurrency,
                                   kinds=list(worker.handlers.kinds())) + "\n")
        run_until_signalled(worker)
    out.result({"worker": options.name, "stopped": True},
               [translate("jobs.worker_stopped", session.locale, name=options.name)])
    return 0


def _run_once(worker: jobs.Worker, session: Session, out: Output) -> int:
    attempts = worker.run_once()
    outcomes = Counter(attempt.outcome for attempt in attempts)
    out.result({"ran": len(attempts), "outcomes": dict(outcomes)},
               [translate("jobs.worker_once", session.locale, count=len(attempts), done=outcomes[jobs.DONE],
                          failed=outcomes[jobs.FAILED], dead=outcomes[jobs.DEAD])])
    return 0


def run_until_signalled(worker: jobs.Worker) -> None:
    """Run the worker in this (main) thread until SIGTERM or SIGINT; jobs in progress are finished first."""
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        worker.run(stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
