"""Email-list provider adapters, chosen by ``NEWSLETTER_PROVIDER``."""

from __future__ import annotations

import importlib

from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import Provider
from condividi.newsletter.providers.common import unsubscribe_tag

__all__ = ["ADAPTERS", "adapter_class", "create_provider", "unsubscribe_tag"]

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


def adapter_class(provider_name: str) -> type[Provider]:
    """Return the adapter class of ``provider_name``, without building it (no files, no calls).

    Its class attributes (``consent_record``, ``repeat_subscribe_is_safe``, ...) describe what
    the provider can do. Raises KeyError for an unknown name.
    """
    module_name, factory_name = ADAPTERS[provider_name].split(":")
    adapter: type[Provider] = getattr(importlib.import_module(module_name), factory_name)
    return adapter


def create_provider(config: NewsletterConfig) -> Provider:
    """Return the adapter named by ``config.provider``, built from ``config``.

    Raises ConfigError naming the setting when one the adapter needs is missing or wrong.
    """
    return adapter_class(config.provider)(config)  # type: ignore[call-arg]
