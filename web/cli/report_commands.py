"""`jimu report run APP REPORT [--param k=v] [--format table|csv|json]`: run a report on the configured database."""
from __future__ import annotations

import argparse
import json
from typing import Any

from jimu.engines.reports import RunOptions, run_report
from jimu.engines.reports.export import export_csv, table_lines
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
