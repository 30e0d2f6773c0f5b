"""``python -m condividi newsletter signup-server`` and the endpoint's place in ``make serve``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlsplit

from condividi.newsletter import sending_commands
from condividi.services import Service

DEFAULT_PORT = 8090
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def listen_address(signup_url: str) -> tuple[str, int]:
    """Return the ``(host, port)`` a development endpoint for ``signup_url`` listens on.

    A loopback ``signup_url`` gives its own host and port; any other gives 127.0.0.1:8090
    (the public URL then belongs to a reverse proxy in front of it).
    """
    parts = urlsplit(signup_url)
    if parts.hostname in _LOOPBACK:
        return parts.hostname or "127.0.0.1", parts.port or DEFAULT_PORT
    return "127.0.0.1", DEFAULT_PORT


def _cmd_signup_server(args: argparse.Namespace) -> int:
    from werkzeug.serving import run_simple

    from condividi.config import ConfigError
    from condividi.newsletter.signup import create_app, load_endpoint_settings

    try:
        config, site_url = load_endpoint_settings(Path(args.settings))
        app = create_app(config, site_url)
    except ConfigError as error:
        print(f"condividi: {error}", file=sys.stderr)
        return 1
    host, port = listen_address(config.signup_url)
    host, port = args.host or host, args.port or port
    print(
        f"condividi: newsletter signup endpoint ({config.provider} provider) on "
        f"http://{host}:{port}/subscribe for {site_url}",
        flush=True,
    )
    run_simple(host, port, app, threaded=True)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    """Add the ``newsletter`` command and its ``signup-server`` subcommand to ``commands``."""
    newsletter = commands.add_parser("newsletter", help="newsletter signup and sending")
    subcommands = newsletter.add_subparsers(dest="newsletter_command", required=True)
    server = subcommands.add_parser(
        "signup-server", help="run the signup endpoint (development server)"
    )
    server.add_argument("--settings", "-s", default="pelicanconf.py")
    server.add_argument("--host", default=None, help="default: the host of NEWSLETTER_SIGNUP_URL")
    server.add_argument("--port", type=int, default=None, help="default: its port, or 8090")
    server.set_defaults(handler=_cmd_signup_server)
    sending_commands.add_subcommands(subcommands)


def signup_service(project: Path) -> Service:
    """Return the signup endpoint as a ``make serve`` service (settings: pelicanconf.py)."""
    return Service(
        name="newsletter signup endpoint",
        command=[
            sys.executable,
            "-m",
            "condividi",
            "newsletter",
            "signup-server",
            "--settings",
            str(project / "pelicanconf.py"),
        ],
    )
