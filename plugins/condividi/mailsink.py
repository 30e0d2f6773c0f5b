"""A local SMTP sink for ``make serve``: it takes every message and files it in a folder.

Isso can only send mail over SMTP; on the author's computer, with no SMTP server set
(``NEWSLETTER_SMTP_HOST``), ``make serve`` runs this sink (aiosmtpd) on 127.0.0.1 so the comment
mail lands as ``.eml`` files in the local provider's outbox, next to the newsletter's own mail.
Run it as ``python -m condividi.mailsink --listen 127.0.0.1:8025 --folder var/newsletter/outbox``.
"""

from __future__ import annotations

import argparse
import signal
import threading
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from condividi.newsletter.local_mail import OutboxMailer


class OutboxHandler:
    """An aiosmtpd handler writing each message it accepts into ``folder`` (an outbox)."""

    def __init__(self, folder: Path) -> None:
        self.outbox = OutboxMailer(folder)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd hook
        """File the message; answer 250, or 451 when it cannot be written (the sender retries)."""
        message = message_from_bytes(envelope.content, policy=policy.default)
        try:
            with self.outbox as outbox:
                outbox.send(message)  # type: ignore[arg-type]
        except OSError as error:
            return f"451 4.3.0 cannot file the message: {error.strerror}"
        return "250 OK: filed in the outbox"


def parse_listen(value: str) -> tuple[str, int]:
    """Return the host and port of ``"127.0.0.1:8025"``; raise ``ValueError`` otherwise."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def serve(host: str, port: int, folder: Path, stop: threading.Event) -> None:
    """Run the sink on ``host``:``port`` filing into ``folder`` until ``stop`` is set."""
    controller = Controller(OutboxHandler(folder), hostname=host, port=port)
    controller.start()
    try:
        print(f"condividi: local SMTP sink on {host}:{port}, mail filed in {folder}", flush=True)
        stop.wait()
    finally:
        controller.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the sink from the command line until SIGINT or SIGTERM; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m condividi.mailsink", description=__doc__)
    parser.add_argument("--listen", default="127.0.0.1:8025", help="HOST:PORT to listen on")
    parser.add_argument("--folder", required=True, help="where each message is filed (.eml)")
    args = parser.parse_args(argv)
    try:
        host, port = parse_listen(args.listen)
    except ValueError as error:
        parser.error(str(error))
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    serve(host, port, Path(args.folder), stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
