"""The newsletter's settings (``NEWSLETTER_*``), read once into a typed object.

Secrets never come from settings files: the API key is read from the ``NEWSLETTER_API_KEY``
environment variable only. ``NEWSLETTER_PROVIDER`` and ``NEWSLETTER_API_URL`` may also be
overridden from the environment (for self-hosting, CI and the contract tests).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from condividi.config import ConfigError, load_config

PROVIDER_NAMES = (
    "local",
    "buttondown",
    "mailchimp",
    "brevo",
    "mailerlite",
    "kit",
    "listmonk",
    "mailman",
)


@dataclass(frozen=True)
class NewsletterConfig:
    """Every newsletter setting, without its ``NEWSLETTER_`` prefix."""

    provider: str = "local"
    # Base URL of the provider's API (self-hosted Listmonk or Mailman, or a test server).
    api_url: str | None = None
    # Filled from the NEWSLETTER_API_KEY environment variable only; never rendered.
    api_key: str | None = None
    # Mailman REST credentials come as "user:password" in NEWSLETTER_API_KEY too.
    # The provider's list, audience, group, form or tag the site subscribes readers to.
    list_id: str | None = None
    double_opt_in: bool = True
    from_name: str = ""
    from_email: str = "newsletter@example.org"
    reply_to: str | None = None
    # The form posts straight to the provider's public form endpoint when True.
    public_form: bool = False
    # Where the site's form posts when public_form is False (the signup endpoint).
    signup_url: str = "http://127.0.0.1:8090/subscribe"
    # Version of the privacy policy the consent checkbox refers to (stored with consent).
    privacy_policy_version: str = "2026-11-01"
    # HTTP behaviour of every provider call.
    timeout: float = 10.0
    max_retries: int = 4
    backoff: float = 0.5
    max_retry_after: float = 60.0
    # The send ledger: a JSON file kept in git.
    ledger_path: str = "newsletter/ledger.json"
    # The local provider: SQLite subscribers, outbox of .eml files or an SMTP server.
    local_db: str = "var/newsletter/subscribers.sqlite3"
    outbox: str = "var/newsletter/outbox"
    smtp_host: str | None = None
    smtp_port: int = 25
    # Optional UTM tags on links in emails.
    utm: bool = False
    utm_campaign: str = "newsletter"


def newsletter_config(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> NewsletterConfig:
    """Return the newsletter configuration from Pelican ``settings`` and the environment.

    Raises :class:`ConfigError` naming the setting when a value is wrong: an unknown provider,
    an API key written into a settings file, or a hosted provider with no key.
    """
    environ = os.environ if environ is None else environ
    if settings.get("NEWSLETTER_API_KEY"):
        raise ConfigError(
            "setting NEWSLETTER_API_KEY must not be in a settings file: "
            "export it as an environment variable instead"
        )
    config = load_config(NewsletterConfig, settings, "NEWSLETTER")
    overrides: dict[str, Any] = {}
    for field in ("provider", "api_url", "api_key"):
        value = environ.get(f"NEWSLETTER_{field.upper()}")
        if value:
            overrides[field] = value
    config = dataclasses.replace(config, **overrides)
    if config.provider not in PROVIDER_NAMES:
        raise ConfigError(
            f"setting NEWSLETTER_PROVIDER = {config.provider!r} is not a known provider: "
            f"choose one of {', '.join(PROVIDER_NAMES)}"
        )
    return config
