"""Email-list provider adapters, chosen by ``NEWSLETTER_PROVIDER``."""

from __future__ import annotations

import importlib

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import Provider
from condividi.newsletter.providers.common import unsubscribe_tag

__all__ = ["ADAPTERS", "create_provider", "unsubscribe_tag"]

# name -> "module:factory"; each factory takes the NewsletterConfig and returns a Provider.
ADAPTERS = {
    "local": "condividi.newsletter.providers.local:LocalProvider",
    "buttondown": "condividi.newsletter.providers.buttondown:ButtondownProvider",
    "mailchimp": "condividi.newsletter.providers.mailchimp:MailchimpProvider",
    "brevo": "condividi.newsletter.providers.brevo:BrevoProvider",
    "mailerlite": "condividi.newsletter.providers.mailerlite:MailerLiteProvider",
    "kit": "condividi.newsletter.providers.kit:KitProvider",
    "listmonk": "condividi.newsletter.providers.listmonk:ListmonkProvider",
    "mailman": "condividi.newsletter.providers.mailman:MailmanProvider",
}


def create_provider(config: NewsletterConfig) -> Provider:
    """Return the adapter named by ``config.provider``, built from ``config``.

    Raises ConfigError naming the setting when one the adapter needs is missing or wrong.
    """
    module_name, factory_name = ADAPTERS[config.provider].split(":")
    factory = getattr(importlib.import_module(module_name), factory_name)
    return factory(config)
