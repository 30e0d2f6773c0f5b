"""Condividi's command line: ``python -m condividi <command>`` (the Makefile wraps it).

Each capability adds its own subcommand in :func:`build_parser`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from condividi import build, devserver, newpost
from condividi.comments import cli as comments_cli
from condividi.config import ConfigError
from condividi.feeds import websub
from condividi.feeds.config import feeds_config
from condividi.migrate import cli as migrate_cli
from condividi.newsletter import commands as newsletter_commands


def _cmd_build(args: argparse.Namespace) -> int:
    overrides = {"SITEURL": args.siteurl} if args.siteurl is not None else {}
    try:
        output = build.build_site(Path(args.settings), Path(args.output), overrides)
    except build.BuildError as error:
        print(f"condividi: {error}", file=sys.stderr)
        print(f"condividi: {args.output}/ was left as it was.", file=sys.stderr)
        return 1
    print(f"condividi: site built into {output}")
    return 0


def _cmd_newpost(args: argparse.Namespace) -> int:
    try:
        path = newpost.create_post(args.title, Path(args.content))
    except FileExistsError as error:
        print(f"condividi: {error.filename} already exists; not overwritten", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"condividi: {error}", file=sys.stderr)
        return 1
    print(f"condividi: new post {path}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    return devserver.serve(Path(args.project).resolve(), args.port, services=args.services)


def _cmd_ping(args: argparse.Namespace) -> int:
    try:
        config = feeds_config(build.load_settings(Path(args.settings)))
        if not config.websub_hub:
            raise ConfigError(f"no WebSub hub to notify: set FEEDS_WEBSUB_HUB in {args.settings}")
        feeds = websub.published_feeds(Path(args.output), config)
        websub.ping(config.websub_hub, feeds)
    except (ConfigError, websub.WebSubError) as error:
        print(f"condividi: {error}", file=sys.stderr)
        return 1
    print(f"condividi: the hub {config.websub_hub} accepted {len(feeds)} feeds")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="condividi", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_cmd = commands.add_parser("build", help="build the site safely into the output folder")
    build_cmd.add_argument("--settings", "-s", default="pelicanconf.py")
    build_cmd.add_argument("--output", "-o", default="output")
    build_cmd.add_argument("--siteurl", default=None, help="override SITEURL")
    build_cmd.set_defaults(handler=_cmd_build)

    post_cmd = commands.add_parser("newpost", help="create a new draft post")
    post_cmd.add_argument("title")
    post_cmd.add_argument("--content", default="content")
    post_cmd.set_defaults(handler=_cmd_newpost)

    ping_cmd = commands.add_parser(
        "ping", help="tell the WebSub hub that the published feeds changed"
    )
    ping_cmd.add_argument("--settings", "-s", default="publishconf.py")
    ping_cmd.add_argument("--output", "-o", default="output")
    ping_cmd.set_defaults(handler=_cmd_ping)

    serve_cmd = commands.add_parser("serve", help="serve the site and local services")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--project", default=".")
    serve_cmd.add_argument(
        "--no-services",
        dest="services",
        action="store_false",
        help="serve the site only: no local comment server or signup endpoint",
    )
    serve_cmd.set_defaults(handler=_cmd_serve)

    newsletter_commands.add_commands(commands)
    comments_cli.add_commands(commands)
    migrate_cli.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
