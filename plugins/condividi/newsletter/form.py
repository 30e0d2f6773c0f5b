"""The signup form's data for the theme (``NEWSLETTER_FORM`` in every template's context).

The form posts to the signup endpoint (``NEWSLETTER_SIGNUP_URL``) and its script upgrades it to
an inline answer. With ``NEWSLETTER_PUBLIC_FORM = True`` it posts straight to the provider's
public form endpoint instead, with the provider's field names, as a plain form. Nothing secret
is ever put here: only URLs, field names and the privacy policy version.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig, newsletter_config

log = logging.getLogger(__name__)

# The honeypot: hidden from people, filled by bots; the endpoint drops posts that fill it.
HONEYPOT_FIELD = "website"


@dataclass(frozen=True)
class FormSpec:
    """What the form template needs: where it posts and the names of its fields.

    ``enhanced``: the form posts to our endpoint and its script may send it with fetch();
    a provider's public endpoint gets a plain form post. ``honeypot`` is the name of the
    field that must stay empty (ours, the provider's or None); ``consent_field`` is None when
    the checkbox is not sent.
    """

    action: str
    privacy_policy_version: str
    email_field: str = "email"
    consent_field: str | None = "consent"
    honeypot: str | None = HONEYPOT_FIELD
    hidden: tuple[tuple[str, str], ...] = ()
    enhanced: bool = True


def _check_url(key: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"setting {key} = {url!r} must be an absolute http(s) URL")


def form_spec(config: NewsletterConfig) -> FormSpec:
    """Return the form's data for ``config``; raise :class:`ConfigError` on a bad setting."""
    if not config.public_form:
        _check_url("NEWSLETTER_SIGNUP_URL", config.signup_url)
        return FormSpec(config.signup_url, config.privacy_policy_version)
    from condividi.newsletter.providers.public_forms import public_form

    # public_form() checks the provider's settings and raises ConfigError naming them.
    public = public_form(config.provider, config)
    return FormSpec(
        public.action,
        config.privacy_policy_version,
        email_field=public.fields["email"],
        # The box is still required, but its value is ours: the provider does not get it.
        consent_field=None,
        honeypot=public.fields.get("honeypot"),
        hidden=tuple(public.hidden.items()),
        enhanced=False,
    )


def form_context(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the template variables of the signup form for Pelican ``settings``.

    Warns when a production build (``CONDIVIDI_PUBLISH``) would post to a loopback address.
    """
    spec = form_spec(newsletter_config(settings))
    if settings.get("CONDIVIDI_PUBLISH") and urlsplit(spec.action).hostname in (
        "127.0.0.1",
        "localhost",
    ):
        log.warning(
            "NEWSLETTER_SIGNUP_URL = %r points at this computer: set it to the endpoint's "
            "public URL before publishing",
            spec.action,
        )
    return {"NEWSLETTER_FORM": spec}


def on_generator_init(generator: Any) -> None:
    """Put the form's data into the context every template is rendered with (once)."""
    if "NEWSLETTER_FORM" not in generator.context:
        generator.context.update(form_context(generator.settings))
