"""Helpers for the newsletter tests: a real SMTP sink (aiosmtpd) and reading its mail."""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from condividi.newsletter.config import NewsletterConfig
from tests.conftest import ROOT, free_port

LINK = re.compile(r"https?://\S+/(confirm|unsubscribe)/([A-Za-z0-9_-]+)")


class SmtpSink:
    """An SMTP server on 127.0.0.1 (aiosmtpd, in a thread) that keeps every message.

    Use it as a context manager. ``refuse`` holds recipient addresses answered with 550.
    """

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.port = free_port()
        self.host = "127.0.0.1"
        self.refuse = {address.lower() for address in refuse or set()}
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._arrived = threading.Condition()
        self.controller = Controller(self, hostname=self.host, port=self.port)

    async def handle_RCPT(  # aiosmtpd hook
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._arrived:
            self.messages.append(message)  # type: ignore[arg-type]
            self.recipients.append(list(envelope.rcpt_tos))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 15.0) -> list[EmailMessage]:
        """Return the messages once at least ``count`` have arrived; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{len(self.messages)} message(s) reached the SMTP sink, {count} expected"
                    )
                self._arrived.wait(left)
            return list(self.messages)

    def message_to(self, address: str, timeout: float = 15.0) -> EmailMessage:
        """Return the latest message sent to ``address``, waiting up to ``timeout`` for one."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in reversed(self.messages):
                    if message["To"] == address:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no message to {address} reached the SMTP sink")
                self._arrived.wait(left)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def body_text(message: EmailMessage) -> str:
    """Return the plain-text part of ``message`` (with ``\n`` line ends, as sent or not)."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "no text/plain part"
    return part.get_content().replace("\r\n", "\n")


def links(message: EmailMessage) -> dict[str, str]:
    """Return ``{"confirm": url, "unsubscribe": url}`` found in the text of ``message``."""
    found = {match.group(1): match.group(0) for match in LINK.finditer(body_text(message))}
    return found


def token_of(url: str) -> str:
    """Return the token at the end of a confirm or unsubscribe URL."""
    return url.rstrip("/").rsplit("/", 1)[1]


# When the tests' reader ticks the consent box.
CONSENT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = CONSENT

    def __call__(self) -> datetime:
        return self.now


def make_config(tmp_path: Path, **changes: object) -> NewsletterConfig:
    """Return a local-provider configuration keeping its files in ``tmp_path``."""
    config = NewsletterConfig(
        local_db=str(tmp_path / "var" / "subscribers.sqlite3"),
        outbox=str(tmp_path / "var" / "outbox"),
        signup_url="https://news.example.org/subscribe",
        from_name="Condividi",
        from_email="newsletter@example.org",
        translations=str(ROOT / "theme" / "translations"),
    )
    return dataclasses.replace(config, **changes)


def outbox_messages(config: NewsletterConfig) -> list[EmailMessage]:
    """Return the messages in the outbox of ``config``, oldest first."""
    folder = Path(config.outbox)
    if not folder.exists():
        return []
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted(folder.glob("*.eml"))
    ]
