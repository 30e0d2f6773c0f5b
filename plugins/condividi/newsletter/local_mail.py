"""The local provider's emails, built with the standard library, and the ways they leave.

Building a message is a pure function (:func:`plain_message`, :func:`edition_message`). A
:class:`Mailer` sends them: :class:`SmtpMailer` through an SMTP server, :class:`OutboxMailer`
into a folder of ``.eml`` files an author can open with any mail program.
"""

from __future__ import annotations

import html
import os
import secrets
import smtplib
import tempfile
from collections.abc import Mapping
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from types import TracebackType
from typing import Protocol

from condividi.newsletter.providers.base import UNSUBSCRIBE_PLACEHOLDER, Edition

# What the edition's HTML and text carry where each reader's own unsubscribe link goes.


def sender_address(name: str, email: str) -> str:
    """Return a ``From:`` value: ``"Name" <email>``, or just the address without a name."""
    return formataddr((name, email)) if name else email


def _domain(address: str) -> str:
    return address.rpartition("@")[2].rstrip(">") or "localhost"


def _base_message(
    *, sender: str, to: str, subject: str, date: datetime, reply_to: str | None
) -> EmailMessage:
    message = EmailMessage(policy=policy.default)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(date.astimezone(UTC))
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    if reply_to:
        message["Reply-To"] = reply_to
    return message


def _add_headers(message: EmailMessage, headers: Mapping[str, str]) -> EmailMessage:
    # After the body is set: set_content() and add_alternative() drop or move Content-* headers.
    for name, value in headers.items():
        message[name] = value
    return message


def plain_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    date: datetime,
    reply_to: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Return a plain-text email (UTF-8) from ``sender`` to ``to``.

    Takes the header values, the body and the sending time (timezone-aware). A header value
    with a line break raises ``ValueError``: nothing can be injected through it.
    """
    message = _base_message(sender=sender, to=to, subject=subject, date=date, reply_to=reply_to)
    message.set_content(text)
    return _add_headers(message, headers or {})


def edition_message(
    edition: Edition,
    *,
    sender: str,
    to: str,
    unsubscribe_url: str,
    date: datetime,
    reply_to: str | None = None,
    list_id: str | None = None,
) -> EmailMessage:
    """Return one reader's copy of ``edition``: multipart/alternative, text then HTML.

    Takes the edition (its HTML and text carry :data:`UNSUBSCRIBE_PLACEHOLDER`), the header
    values, the reader's own unsubscribe URL and the sending time. Adds ``List-Unsubscribe``
    and ``List-Unsubscribe-Post`` (RFC 8058 one-click) and, when given, ``List-Id``.
    """
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Content-Language": edition.lang,
    }
    if list_id:
        headers["List-Id"] = list_id
    message = _base_message(
        sender=sender,
        to=to,
        subject=edition.subject,
        date=date,
        reply_to=reply_to,
    )
    message.set_content(edition.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url))
    message.add_alternative(
        edition.html.replace(UNSUBSCRIBE_PLACEHOLDER, html.escape(unsubscribe_url)),
        subtype="html",
    )
    return _add_headers(message, headers)


class Mailer(Protocol):
    """Sends messages inside a ``with`` block (one connection for many messages)."""

    def __enter__(self) -> Mailer: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def send(self, message: EmailMessage) -> None:
        """Send one message; raise ``smtplib.SMTPException`` or ``OSError`` on failure."""
        ...


class SmtpMailer:
    """Sends through an SMTP server, with optional STARTTLS and login."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = 10.0,
        starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self.starttls = starttls
        self.username = username
        self.password = password
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
        except BaseException:
            smtp.close()
            raise
        self._smtp = smtp
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def send(self, message: EmailMessage) -> None:
        """Send ``message`` over the open connection."""
        if self._smtp is None:
            raise RuntimeError("SmtpMailer.send() outside its with block")
        self._smtp.send_message(message)


class OutboxMailer:
    """Writes each message as an ``.eml`` file into a folder (created when missing)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> OutboxMailer:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` atomically to ``<folder>/<UTC time to the µs>-<random>.eml``."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
        target = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".eml")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(message.as_bytes())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
