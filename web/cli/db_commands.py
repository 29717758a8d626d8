"""`jimu db ...`: database set-up."""
from __future__ import annotations

import argparse

from jimu.platform.bootstrap import current_revision, init_database
from jimu.platform.i18n import translate
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import display_url, open_kernel
from jimu.web.cli.session import Session


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    db = commands.add_parser("db", help="database set-up")
    sub = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    init = sub.add_parser("init", parents=[common], help="create or upgrade the platform tables")
    init.set_defaults(handler=init_command)


def init_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with open_kernel(session.settings, require_initialised=False) as kernel:
        init_database(kernel.engine)
        with kernel.engine.connect() as conn:
            revision = current_revision(conn)
    url = display_url(session.settings.database_url)
    out.result({"database": url, "revision": revision},
               [translate("cli.db_initialised", session.locale, url=url, revision=revision)])
    return 0
