"""The project's one SMTP setup: the server, its login and the sender mail leaves with.

The newsletter's local provider and Isso's comment mail both read it here, so an author sets
each value once: ``NEWSLETTER_SMTP_HOST``, ``_PORT``, ``_STARTTLS``, ``_USERNAME`` and
``NEWSLETTER_FROM_NAME``, ``NEWSLETTER_FROM_EMAIL`` in the settings, the password in the
``NEWSLETTER_SMTP_PASSWORD`` environment variable only (a settings file holding it is refused).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formataddr
from typing import Any

from condividi.config import ConfigError, load_config

# The environment variable holding the SMTP password (never a settings file, never a file
# the project writes: Isso reads it from its own environment too).
SMTP_PASSWORD_VARIABLE = "NEWSLETTER_SMTP_PASSWORD"


@dataclass(frozen=True)
class _SmtpFields:
    """The settings read here, named as ``NEWSLETTER_<FIELD>`` (the newsletter's defaults)."""

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    from_name: str = ""
    from_email: str = "newsletter@example.org"


@dataclass(frozen=True)
class SmtpSettings:
    """Where mail is sent (``host`` None: nowhere real, the local outbox or sink) and as whom."""

    host: str | None = None
    port: int = 25
    starttls: bool = False
    username: str | None = None
    # From the NEWSLETTER_SMTP_PASSWORD environment variable only; never rendered.
    password: str | None = dataclasses.field(default=None, repr=False)
    from_name: str = ""
    from_email: str = "newsletter@example.org"

    @property
    def sender(self) -> str:
        """Return the ``From:`` value: ``"Name" <email>``, or the bare address without a name."""
        return formataddr((self.from_name, self.from_email)) if self.from_name else self.from_email


def smtp_settings(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> SmtpSettings:
    """Return the SMTP setup from Pelican ``settings`` and the environment (default: this one).

    Raises :class:`ConfigError` naming the setting when a value has the wrong type, or when a
    settings file holds the password.
    """
    environ = os.environ if environ is None else environ
    if settings.get(SMTP_PASSWORD_VARIABLE):
        raise ConfigError(
            f"setting {SMTP_PASSWORD_VARIABLE} must not be in a settings file: "
            "export it as an environment variable instead"
        )
    fields = load_config(_SmtpFields, settings, "NEWSLETTER")
    return SmtpSettings(
        host=fields.smtp_host or None,
        port=fields.smtp_port,
        starttls=fields.smtp_starttls,
        username=fields.smtp_username or None,
        password=environ.get(SMTP_PASSWORD_VARIABLE) or None,
        from_name=fields.from_name,
        from_email=fields.from_email,
    )
