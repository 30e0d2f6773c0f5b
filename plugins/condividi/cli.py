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
    return devserver.serve(Path(args.project).resolve(), args.port)


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

    serve_cmd = commands.add_parser("serve", help="serve the site and local services")
    serve_cmd.add_argument("--port", type=int, default=8000)
    serve_cmd.add_argument("--project", default=".")
    serve_cmd.set_defaults(handler=_cmd_serve)

    comments_cli.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv``; return the exit status."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    args = build_parser().parse_args(argv)
    return int(args.handler(args))
