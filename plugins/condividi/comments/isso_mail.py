"""Isso's comment mail (``COMMENTS_NOTIFY``): its ``notify`` line and ``[smtp]`` section, and
``make serve``'s local SMTP sink that catches the mail when no SMTP server is set.

The SMTP server, login and sender are the project's one setup (:mod:`condividi.mail`), the
one the newsletter's local provider uses. The password is never written into Isso's
configuration: Isso reads it from ``NEWSLETTER_SMTP_PASSWORD`` in its own environment.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from condividi.build import load_settings
from condividi.comments.config import CommentsConfig, comments_config, is_loopback, sink_address
from condividi.config import ConfigError
from condividi.mail import SMTP_PASSWORD_VARIABLE, SmtpSettings, smtp_settings
from condividi.newsletter.config import newsletter_config, resolve_paths
from condividi.services import Service

# Where mail goes: a real server, or make serve's sink (host, port); None: no comment mail.
SinkAddress = tuple[str, int]


def needs_dev_sink(config: CommentsConfig, smtp: SmtpSettings) -> bool:
    """Tell whether the comment mail has no SMTP server but ``make serve``'s local sink."""
    return config.provider == "isso" and config.notify and smtp.host is None


def smtp_values(
    config: CommentsConfig, smtp: SmtpSettings, sink: SinkAddress | None = None
) -> dict[str, str]:
    """Return the template values of Isso's ``notify`` line and ``[smtp]`` section.

    Takes the comments settings, the project's SMTP setup and, under ``make serve``, the local
    sink's address (which then replaces a missing SMTP server). Whatever starts Isso checks
    first that the mail has somewhere to go (:func:`check_mail_server`); an import, which
    sends nothing, does not need it.
    """
    values = {
        "notify": "stdout, smtp" if config.notify else "stdout",
        "reply_notifications": "true" if config.reply_notifications else "false",
        "smtp_to": config.notify_to or smtp.from_email,
        "smtp_from": smtp.sender,
    }
    if sink is not None and smtp.host is None:
        host, port = sink
        return {
            **values,
            "smtp_host": host,
            "smtp_port": str(port),
            "smtp_security": "none",
            "smtp_username": "",
            "smtp_password": "",
        }
    return {
        **values,
        "smtp_host": smtp.host or "localhost",
        "smtp_port": str(smtp.port),
        "smtp_security": "starttls" if smtp.starttls else "none",
        "smtp_username": smtp.username or "",
        # Isso expands ${VARIABLE} from its own environment as it reads the file.
        "smtp_password": f"${{{SMTP_PASSWORD_VARIABLE}}}" if smtp.username else "",
    }


def check_mail_server(
    config: CommentsConfig, smtp: SmtpSettings, sink: SinkAddress | None = None
) -> None:
    """Refuse the comment mail when it has neither an SMTP server nor ``make serve``'s sink."""
    if config.notify and smtp.host is None and sink is None:
        raise ConfigError(
            "COMMENTS_NOTIFY = True needs an SMTP server for Isso's mail: set "
            "NEWSLETTER_SMTP_HOST (and _PORT, _STARTTLS, _USERNAME; the password in "
            f"{SMTP_PASSWORD_VARIABLE} in Isso's environment). `make serve` catches the "
            "mail in its local SMTP sink instead"
        )


def check_password_is_set(
    config: CommentsConfig, smtp: SmtpSettings, environ: Mapping[str, str]
) -> None:
    """Refuse to start Isso with a mail login whose password its environment lacks.

    Isso would otherwise log in with the literal text ``${NEWSLETTER_SMTP_PASSWORD}``.
    """
    if config.notify and smtp.host and smtp.username and not environ.get(SMTP_PASSWORD_VARIABLE):
        raise ConfigError(
            f"COMMENTS_NOTIFY = True logs in to {smtp.host} as NEWSLETTER_SMTP_USERNAME = "
            f"{smtp.username!r}, but {SMTP_PASSWORD_VARIABLE} is not in the environment: "
            "export it (Isso reads it from its own environment)"
        )


def sink_service(project: Path) -> Service | None:
    """Return ``make serve``'s local SMTP sink, when the comment mail has no SMTP server.

    Takes the project folder (settings: ``pelicanconf.py``); the sink files each message in
    the local provider's outbox (``NEWSLETTER_OUTBOX``), where the newsletter's own mail goes.
    """
    settings = load_settings((project / "pelicanconf.py").resolve())
    config = comments_config(settings)
    if not needs_dev_sink(config, smtp_settings(settings)) or not is_loopback(config.isso_url):
        return None
    host, port = sink_address(config.notify_sink)
    outbox = resolve_paths(newsletter_config(settings), settings).outbox
    return Service(
        name="local SMTP sink (comment mail)",
        command=[
            sys.executable,
            "-m",
            "condividi.mailsink",
            "--listen",
            f"{host}:{port}",
            "--folder",
            outbox,
        ],
        url=f"smtp://{host}:{port}",
    )
