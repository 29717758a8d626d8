"""`jimu channels list|set|remove|test`: the notification channels of the installation (secrets masked).

    jimu channels set sales_robot --type dingtalk --config-file robot.json    # or --config '{"url": ...}'
    echo '{"host": "smtp.example.com", "from": "jimu@example.com", "password": "…"}' | \\
        jimu channels set mail --type email --config-file -
    jimu channels test mail --to someone@example.com

Give secrets in a file or on standard input rather than in `--config` (shell history keeps arguments).
"""
from __future__ import annotations

import argparse
import json
import sys
import uuid
from pathlib import Path
from typing import Any

from jimu.platform.i18n import translate
from jimu.platform.notifications import (
    CHANNEL_TYPES,
    Message,
    NetworkPolicy,
    deliver,
    list_channels,
    load_channel,
    remove_channel,
    set_channel,
)
from jimu.web.cli.admin_scope import admin_scope
from jimu.web.cli.failures import cli_error
from jimu.web.cli.output import Output
from jimu.web.cli.session import Session


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("channels", help="notification channels (e-mail, robots, webhooks)")
    sub = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("list", parents=[common], help="every channel, secrets masked").set_defaults(handler=list_command)
    put = sub.add_parser("set", parents=[common], help="create or replace a channel")
    put.add_argument("key", metavar="KEY")
    configurable = sorted(name for name, kind in CHANNEL_TYPES.items() if not kind.in_transaction)
    put.add_argument("--type", required=True, choices=configurable)
    source = put.add_mutually_exclusive_group()
    source.add_argument("--config", help="the configuration as JSON")
    source.add_argument("--config-file", type=Path, metavar="FILE", help="a JSON file (- for standard input)")
    put.add_argument("--disabled", action="store_true", help="keep it, but send nothing through it")
    put.set_defaults(handler=set_command)
    remove = sub.add_parser("remove", parents=[common], help="remove a channel")
    remove.add_argument("key", metavar="KEY")
    remove.set_defaults(handler=remove_command)
    test = sub.add_parser("test", parents=[common], help="send a test message now")
    test.add_argument("key", metavar="KEY")
    test.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="e-mail recipient (repeatable)")
    test.set_defaults(handler=test_command)


def _config(args: argparse.Namespace, locale: str) -> Any:
    if args.config_file is not None:
        text = sys.stdin.read() if str(args.config_file) == "-" else args.config_file.read_text(encoding="utf-8")
    else:
        text = args.config if args.config is not None else "{}"
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise cli_error("cli.invalid_json", locale, reason=error.msg, line=error.lineno, column=error.colno) from None


def _line(channel: dict[str, Any]) -> str:
    state = "" if channel["enabled"] else "  (disabled)"
    return f"{channel['key']}  {channel['type']}  {json.dumps(channel['config'], ensure_ascii=False)}{state}"


def list_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        shown = list_channels(scope.conn)
    out.result({"data": shown}, [_line(channel) for channel in shown])
    return 0


def set_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    config = _config(args, session.locale)
    with admin_scope(session) as scope:
        channel = set_channel(scope, args.key, args.type, config, enabled=not args.disabled)
    out.result(channel.view(), [translate("notifications.channel_set", session.locale, channel=args.key,
                                          type=args.type)])
    return 0


def remove_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    with admin_scope(session) as scope:
        remove_channel(scope, args.key)
    out.result({"key": args.key, "removed": True},
               [translate("notifications.channel_removed", session.locale, channel=args.key)])
    return 0


def test_command(args: argparse.Namespace, session: Session, out: Output) -> int:
    """Send outside the transaction that read the channel (a slow receiver holds nothing open)."""
    with admin_scope(session) as scope:
        channel = load_channel(scope.conn, args.key)
        now = scope.now
    message = Message("Jimu test message", "This is a test message from Jimu.", to=tuple(args.to),
                      event="channel.test")
    result = deliver(channel, message, delivery_id=f"test-{uuid.uuid4().hex}", now=now,
                     network=NetworkPolicy.from_settings(session.settings))
    out.result({"channel": args.key, "sent": True, "result": result},
               [translate("notifications.test_sent", session.locale, channel=args.key)])
    return 0
