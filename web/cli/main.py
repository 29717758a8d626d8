"""The `jimu` entry point: parse the command line, run one command, map failures to exit statuses."""
from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from jimu.platform.settings import Settings
from jimu.web.cli import (
    admin_commands,
    app_commands,
    channels_commands,
    db_commands,
    jobs_commands,
    records_commands,
    report_commands,
    serve_commands,
)
from jimu.web.cli.failures import failure_of
from jimu.web.cli.output import Output
from jimu.web.cli.session import Session

COMMAND_GROUPS = (db_commands, app_commands, records_commands, report_commands, admin_commands, channels_commands,
                  serve_commands, jobs_commands)


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command; each group module registers its own subcommands."""
    parser = argparse.ArgumentParser(prog="jimu", description="Jimu low-code platform. "
                                     "The database is JIMU_DATABASE_URL (default sqlite:///jimu.db).")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a --json given before the command is not reset by the subcommand's default.
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="machine-readable output")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; 0 on success, 2 on bad input (nothing changed), 1 when an import was partial."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, or a usage error already printed by argparse
        return exit_.code if isinstance(exit_.code, int) else 2
    session = Session(Settings.from_env())
    out = Output(bool(getattr(args, "json", False)))
    try:
        return int(args.handler(args, session, out))
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # noqa: BLE001 -- every failure is reported in one place, as one sentence
        if os.environ.get("JIMU_DEBUG"):
            traceback.print_exc(file=sys.stderr)
        failure = failure_of(error, session.locale)
        out.failure(failure)
        return failure.status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
