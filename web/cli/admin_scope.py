"""One administrative command's unit of work: a transaction, the installed definitions, the CLI as actor."""
from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from jimu.platform.security.admin import CLI_ACTOR, AdminScope
from jimu.platform.security.admin.users import user_id_of
from jimu.web.cli.runtime import open_kernel
from jimu.web.cli.session import Session


@contextmanager
def admin_scope(session: Session) -> Iterator[AdminScope]:
    """Committed when the block ends, rolled back whole on any exception."""
    with open_kernel(session.settings) as kernel, kernel.engine.begin() as conn:
        yield AdminScope(conn, kernel.definitions(conn).catalog, CLI_ACTOR, kernel.clock())


def user_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("user", metavar="USER", help="the username")


def user_of(scope: AdminScope, username: str) -> int:
    return user_id_of(scope.conn, username)


def id_list(values: list[int]) -> str:
    return ", ".join(str(v) for v in values)
