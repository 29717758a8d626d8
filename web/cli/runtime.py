"""Opening the database named by JIMU_DATABASE_URL, refusing an uninitialised one."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from jimu.platform.bootstrap import current_revision
from jimu.platform.i18n import Message
from jimu.platform.kernel import Kernel
from jimu.platform.settings import Settings
from jimu.web.assembly import assemble
from jimu.web.cli.failures import cli_error


def display_url(url: str) -> str:
    """The URL without its password."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:  # an unparsable URL is shown as given
        return url


def sqlite_file(url: str) -> Path | None:
    """The file of a file-backed SQLite URL, else None."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def database_name(url: str) -> str | Message:
    """The database as a message names it: the URL without its password, and for a SQLite file given by
    a relative path, the absolute file it resolves to (relative to the current folder)."""
    path = sqlite_file(url)
    if path is not None and not path.is_absolute():
        return Message("cli.sqlite_relative", url=display_url(url), path=str(path.resolve()))
    return display_url(url)


@contextmanager
def open_kernel(settings: Settings, *, require_initialised: bool = True) -> Iterator[Kernel]:
    """A kernel on the configured database; raises CliError when it is not initialised."""
    url = settings.database_url
    if require_initialised:
        path = sqlite_file(url)
        if path is not None and not path.exists():  # do not create an empty file just to say so
            raise cli_error("cli.not_initialised", settings.default_locale, url=database_name(url))
    kernel = assemble(Kernel.from_settings(settings))
    try:
        if require_initialised:
            with kernel.engine.connect() as conn:
                if current_revision(conn) is None:
                    raise cli_error("cli.not_initialised", settings.default_locale, url=database_name(url))
        yield kernel
    finally:
        kernel.engine.dispose()

