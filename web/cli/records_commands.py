"""`jimu records ...`: import a CSV / XLSX file into an entity, export an entity's records."""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from jimu.engines.forms.export import export_records
from jimu.engines.forms.importing import ImportReport, import_records
from jimu.engines.forms.query import ListQuery
from jimu.platform.i18n import translate
from jimu.web.cli.failures import BAD_INPUT, PARTIAL, cli_error
from jimu.web.cli.output import Output
from jimu.web.cli.runtime import open_kernel
from jimu.web.cli.session import Session


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    records = commands.add_parser("records", help="import and export records")
    sub = records.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser("import", parents=[common], help="import a CSV or XLSX file into an entity")
    imp.add_argument("entity", metavar="ENTITY")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--all-or-nothing", action="store_true", help="write nothing when any row is bad")
    imp.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                     help="read a column into a field (repeatable)")
    imp.add_argument("--format", choices=("csv", "xlsx"), help="the file's format (default: from its name)")
    imp.set_defaults(handler=import_command)
    exp = sub.add_parser("export", parents=[common], help="export an entity's records")
    exp.add_argument("entity", metavar="ENTITY")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: stdout, CSV only)")
    exp.set_defaults(handler=export_command)


def parse_mapping(pairs: list[str], locale: str) -> dict[str, str]:
    """`--map "Customer name=name"` pairs as {column: field}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, sep, field = pair.partition("=")
        if not sep or not column.strip() or not field.strip():
            raise cli_error("cli.bad_mapping", locale, pair=pair)
        mapping[column.strip()] = field.strip()
    return mapping


def import_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    mapping = parse_mapping(args.map, session.locale)
    if not args.file.is_file():
        raise cli_error("cli.file_not_found", session.locale, file=str(args.file))
    with open_kernel(session.settings) as kernel, kernel.unit_of_work(locale=session.locale) as ctx:
        report = import_records(ctx, args.entity, args.file, fmt=args.format, mapping=mapping or None,
                                all_or_nothing=args.all_or_nothing)
    out.result(report.as_dict(), _report_lines(report, session.locale))
    if report.ok:
        return 0
    return BAD_INPUT if report.rolled_back else PARTIAL


def _report_lines(report: ImportReport, locale: str) -> list[str]:
    code = "cli.import_rolled_back" if report.rolled_back else "cli.import_done"
    lines = [translate(code, locale, created=report.created, errors=report.bad_row_count, skipped=report.skipped)]
    for error in report.errors:
        where = translate("cli.row_column", locale, row=error.row, column=error.column) if error.column \
            else translate("cli.row", locale, row=error.row)
        lines.append(f"  {where}: {error.message}")
    if report.error_count > len(report.errors):
        lines.append("  " + translate("cli.more_errors", locale, count=report.error_count - len(report.errors)))
    return lines


def export_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    if args.output is None and args.format != "csv":
        raise cli_error("cli.binary_needs_output", session.locale, format=args.format)
    with open_kernel(session.settings) as kernel, kernel.unit_of_work(locale=session.locale) as ctx:
        ctx.catalog.require_entity(args.entity)
        chunks = export_records(ctx, args.entity, ListQuery(), args.format)
        if args.output is None:
            out.binary(chunks)
            return 0
        size = _write_file(args.output, chunks)
    out.result({"entity": args.entity, "file": str(args.output), "format": args.format, "bytes": size},
               [translate("cli.exported", session.locale, entity=args.entity, file=str(args.output), size=size)])
    return 0


def _write_file(path: Path, chunks: object) -> int:
    """Write the chunks to a temporary file next to `path`, then move it into place."""
    partial = path.with_name(path.name + ".partial")
    size = 0
    try:
        with open(partial, "wb") as fh:
            for chunk in chunks:  # type: ignore[attr-defined]
                fh.write(chunk)
                size += len(chunk)
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return size
