"""`jimu report run APP REPORT [--param k=v] [--format table|csv|json]`: run a report on the configured database;
`jimu report schedules`: the scheduled exports of reports (one line each, or JSON with --json)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from jimu.engines.reports import RunOptions, run_report
from jimu.engines.reports.export import export_csv, table_lines
from jimu.engines.reports.schedules import list_report_schedules
from jimu.platform.i18n import translate
from jimu.web.cli.failures import cli_error
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import open_kernel
from jimu.web.cli.session import Session


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    report = commands.add_parser("report", help="run reports")
    sub = report.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = sub.add_parser("run", parents=[common], help="run a report and print its rows and totals")
    run.add_argument("app", metavar="APP")
    run.add_argument("report", metavar="REPORT")
    run.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                     help="a parameter (repeatable; a JSON value such as true or [\"a\",\"b\"], else text)")
    run.add_argument("--format", choices=("table", "csv", "json"), default="table")
    run.set_defaults(handler=run_command)
    schedules = sub.add_parser("schedules", parents=[common], help="list the scheduled exports of reports")
    schedules.set_defaults(handler=schedules_command)


def parse_params(pairs: list[str], locale: str) -> dict[str, Any]:
    """`--param period=this_month --param status=won --param status=lost` → {period: ..., status: [...]}."""
    params: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise cli_error("cli.bad_param", locale, pair=pair)
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        key = key.strip()
        if key in params:
            before = params[key]
            params[key] = [*(before if isinstance(before, list) else [before]), value]
        else:
            params[key] = value
    return params


def run_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    params = parse_params(args.param, session.locale)
    options = RunOptions(timezone=session.settings.timezone)
    with open_kernel(session.settings) as kernel, kernel.unit_of_work(locale=session.locale) as ctx:
        result = run_report(ctx, args.app, args.report, params, options)
    if args.format == "csv":
        out.binary(export_csv(result, session.locale))
    elif args.format == "json" or out.as_json:
        out.as_json = True
        out.result(result, [])
    else:
        out.result(result, table_lines(result, session.locale))
    return 0


def _schedule_line(found: dict[str, Any], locale: str) -> str:
    recipients = [*(found.get("to") or ()), *(f"#{u}" for u in found.get("users") or ())]
    return translate("reports.schedules_line", locale, key=found["key"], app=found["app"], report=found["report"],
                     format=found["format"], cron=found["cron"], timezone=found["timezone"], channel=found["channel"],
                     recipients=", ".join(recipients) or "-",
                     next=found["next_run_at"] or "-", last=found["last_run_at"] or "-")


def schedules_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings) as kernel, kernel.unit_of_work(locale=session.locale, read_only=True) as ctx:
        found = list_report_schedules(ctx)
    lines = [_schedule_line(s, session.locale) for s in found] or [translate("reports.schedules_empty", session.locale)]
    out.result(found, lines)
    return 0
