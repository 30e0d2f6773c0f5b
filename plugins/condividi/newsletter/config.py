"""The newsletter's settings (``NEWSLETTER_*``), read once into a typed object.

Secrets never come from settings files: the API key is read from the ``NEWSLETTER_API_KEY``
environment variable only, the local provider's SMTP password from
``NEWSLETTER_SMTP_PASSWORD``. The SMTP server, its login and the sender come from
:func:`condividi.mail.smtp_settings`, the one place Isso's comment mail reads them too.
``NEWSLETTER_PROVIDER`` and ``NEWSLETTER_API_URL`` may also be overridden from the environment
(for self-hosting, CI and the contract tests).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from condividi.config import ConfigError, load_config, project_path
from condividi.mail import smtp_settings

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

# Secrets: read from the environment only, refused in settings files.
SECRET_SETTINGS = ("NEWSLETTER_API_KEY", "NEWSLETTER_SMTP_PASSWORD")
# The settings that name a file or folder; a relative one is taken from the project folder.
PATH_SETTINGS = ("local_db", "outbox", "translations", "ledger_path")


@dataclass(frozen=True)
class NewsletterConfig:
    """Every newsletter setting, without its ``NEWSLETTER_`` prefix."""

    provider: str = "local"
    # Base URL of the provider's API (self-hosted Listmonk or Mailman, or a test server).
    api_url: str | None = None
    # Filled from the NEWSLETTER_API_KEY environment variable only; never rendered.
    api_key: str | None = dataclasses.field(default=None, repr=False)
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
    # More new editions than this in one run means something moved (the feed ids, the ledger):
    # `send` refuses rather than flood the readers, unless told --allow-many.
    max_new: int = 3
    # The local provider: SQLite subscribers, outbox of .eml files or an SMTP server.
    local_db: str = "var/newsletter/subscribers.sqlite3"
    outbox: str = "var/newsletter/outbox"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_username: str | None = None
    # Filled from the NEWSLETTER_SMTP_PASSWORD environment variable only; never rendered.
    # The SMTP fields and the sender are the ones of condividi.mail.smtp_settings().
    smtp_password: str | None = dataclasses.field(default=None, repr=False)
    # Hours a confirmation link stays valid.
    confirm_hours: int = 48
    # Gettext catalogues of the confirmation email (relative paths: from the project folder).
    translations: str = "theme/translations"
    # Optional UTM tags on links in emails.
    utm: bool = False
    utm_campaign: str = "newsletter"
    # The signup endpoint. Public base URL of its confirm and unsubscribe routes (the links in
    # emails); by default signup_url without its last path segment.
    endpoint_url: str | None = None
    # Subscribe requests allowed per client address within rate_window seconds.
    rate_limit: int = 10
    rate_window: float = 600.0
    # Subscribe posts that reach the provider (so confirmation mails) per email address within
    # address_rate_window seconds; past it the reader gets the usual answer and no mail.
    address_rate_limit: int = 1
    address_rate_window: float = 3600.0
    # Reverse proxies in front of the endpoint whose X-Forwarded-* headers are trusted.
    proxy_count: int = 0
    # Origins allowed to post besides SITEURL's own (e.g. the http:// variant of the site).
    allowed_origins: tuple[str, ...] = ()
    # Provider-specific settings (docs/providers.md). NEWSLETTER_LIST_ID above is
    # Mailchimp's audience, Brevo's list, MailerLite's group, Kit's form, Listmonk's list id
    # and Mailman's list (news.example.org or news@example.org).
    # Mailchimp: data-center prefix ("us6"); by default the suffix of the key ("…-us6").
    mailchimp_server: str | None = None
    # Brevo double opt-in: the DOI email template and the page its confirm link lands on.
    brevo_doi_template_id: int | None = None
    brevo_doi_redirect_url: str | None = None
    # Mailman: where editions are posted, "smtp://host:port" (the MTA in front of Mailman)
    # or "lmtp://host:port" (Mailman's own LMTP runner).
    mailman_post_url: str = "smtp://localhost:25"
    # Public form endpoints, used when NEWSLETTER_PUBLIC_FORM is True.
    # Mailchimp (required) and others: the action URL of the provider's embedded form.
    public_form_url: str | None = None
    buttondown_username: str | None = None
    mailerlite_account_id: str | None = None
    mailerlite_form_id: str | None = None
    listmonk_list_uuid: str | None = None


def newsletter_config(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> NewsletterConfig:
    """Return the newsletter configuration from Pelican ``settings`` and the environment.

    Raises :class:`ConfigError` naming the setting when a value is wrong: an unknown provider,
    an API key written into a settings file, or a hosted provider with no key.
    """
    environ = os.environ if environ is None else environ
    for secret in SECRET_SETTINGS:
        if settings.get(secret):
            raise ConfigError(
                f"setting {secret} must not be in a settings file: "
                "export it as an environment variable instead"
            )
    config = load_config(NewsletterConfig, settings, "NEWSLETTER")
    smtp = smtp_settings(settings, environ)
    overrides: dict[str, Any] = {
        "smtp_host": smtp.host,
        "smtp_port": smtp.port,
        "smtp_starttls": smtp.starttls,
        "smtp_username": smtp.username,
        "smtp_password": smtp.password,
        "from_name": smtp.from_name,
        "from_email": smtp.from_email,
    }
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


def resolve_paths(config: NewsletterConfig, settings: Mapping[str, Any]) -> NewsletterConfig:
    """Return ``config`` with its file paths made absolute.

    Takes the configuration and the Pelican ``settings`` it came from; every path in
    :data:`PATH_SETTINGS` goes through :func:`~condividi.config.project_path`. The build, the
    signup endpoint and the send commands all find the same files (the ledger above all).
    """
    changes = {name: str(project_path(settings, getattr(config, name))) for name in PATH_SETTINGS}
    return dataclasses.replace(config, **changes)


def endpoint_base_url(config: NewsletterConfig) -> str:
    """Return the public base URL of the signup endpoint, without a trailing slash.

    Takes the configuration; returns ``endpoint_url`` when set, else ``signup_url`` without its
    last path segment (``http://127.0.0.1:8090/subscribe`` gives ``http://127.0.0.1:8090``).
    Confirmation and unsubscribe links are ``<base>/confirm/<token>`` and
    ``<base>/unsubscribe/<token>``.
    """
    if config.endpoint_url:
        return config.endpoint_url.rstrip("/")
    return config.signup_url.rstrip("/").rsplit("/", 1)[0]
