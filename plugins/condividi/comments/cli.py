"""``python -m condividi comments run|config|import``: the Isso server's command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from condividi.comments import isso, wordpress
from condividi.comments.isso_mail import check_mail_server
from condividi.config import ConfigError
from condividi.mail import SMTP_PASSWORD_VARIABLE


def _cmd_run(args: argparse.Namespace) -> int:
    return isso.run(Path(args.settings), args.mail_sink)


def _cmd_config(args: argparse.Namespace) -> int:
    site = isso.IssoSite.from_settings_file(Path(args.settings))
    check_mail_server(site.config, site.smtp)
    output = Path(args.output) if args.output else None
    password = isso.admin_password(site, os.environ) if site.config.isso_admin else None
    overrides = {"admin_password": password.value} if password else {}
    path = isso.write_config(site, output, **overrides)
    print(f"condividi: Isso configuration written to {path} (readable by you only)")
    if password:
        where = f"{site.config.isso_url}/admin/"
        print(f"condividi: the admin's password (at {where}) is {password.source}")
    if site.config.notify and site.smtp.username:
        print(
            f"condividi: Isso logs in to {site.smtp.host} as {site.smtp.username!r}: start it "
            f"with {SMTP_PASSWORD_VARIABLE} in its environment (docs/deploying.md)"
        )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    status, plan = wordpress.import_wxr(Path(args.settings), Path(args.wxr), args.dry_run)
    verb = "would go" if args.dry_run else "went"
    print(f"condividi: {plan.comments} comments {verb} to {len(plan.threads)} posts")
    for thread, count in sorted(plan.threads.items()):
        print(f"  {thread}: {count}")
    if plan.dropped:
        print(
            f"condividi: left out {plan.dropped} pending, spam or trashed comments, "
            "pingbacks and trackbacks (only approved comments are imported)"
        )
    if plan.already:
        print(
            f"condividi: {len(plan.already)} posts already have comments in Isso; left as they are:"
        )
        for thread in plan.already:
            print(f"  {thread}")
    if plan.unmatched:
        print("condividi: these WordPress posts match no post of the site; their comments were")
        print("not imported (give the post the WordPress slug with `Slug:` and import again):")
        for post in plan.unmatched:
            print(f"  {post}")
    if status != 0:
        print(f"condividi: isso import failed with status {status}", file=sys.stderr)
    return status


Handler = Callable[[argparse.Namespace], int]


def _handle_errors(handler: Handler) -> Handler:
    """Turn a bad setting or file into a one-line message and exit status 1."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(handler(args))
        except (ConfigError, wordpress.WxrError, FileNotFoundError) as error:
            print(f"condividi: {error}", file=sys.stderr)
            return 1

    return run


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``comments`` and its subcommands to the command line's subparsers."""
    parser = commands.add_parser(
        "comments", help="the Isso comment server: run it, write its configuration, import"
    )
    actions = parser.add_subparsers(dest="comments_command", required=True)

    run = actions.add_parser("run", help="run Isso on COMMENTS_ISSO_LISTEN (make comments)")
    run.add_argument(
        "--mail-sink",
        default=None,
        metavar="HOST:PORT",
        help="send the comment mail to this local SMTP sink (make serve) when no server is set",
    )
    run.set_defaults(handler=_handle_errors(_cmd_run))

    config = actions.add_parser("config", help="write Isso's configuration and print its path")
    config.add_argument("--output", "-o", default=None, help="default: next to the database")
    config.set_defaults(handler=_handle_errors(_cmd_config))

    imprt = actions.add_parser(
        "import", help="import a WordPress export's comments (WXR file) into Isso"
    )
    imprt.add_argument("wxr", help="the file from WordPress's Tools > Export")
    imprt.add_argument("--dry-run", "-n", action="store_true", help="show what would happen")
    imprt.set_defaults(handler=_handle_errors(_cmd_import))

    for action in (run, config, imprt):
        action.add_argument("--settings", "-s", default="pelicanconf.py")
