"""What the HTTP adapters share: settings checks and the deliver-once skeleton.

Each adapter module keeps its requests and parsers as pure functions; its class (a
:class:`HostedProvider`) only glues them to :class:`~.http.HttpClient`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import (
    Delivery,
    Edition,
    ImportStatus,
    ProviderError,
    SubscribeResult,
    Subscription,
)
from condividi.newsletter.providers.http import HttpClient


def require_settings(config: NewsletterConfig, provider: str, **needed: str) -> None:
    """Raise ConfigError naming the first empty setting among ``needed`` (field -> why).

    ``api_key`` is named as the NEWSLETTER_API_KEY environment variable, the others as
    settings.
    """
    for name, why in needed.items():
        if getattr(config, name) in (None, ""):
            where = (
                "environment variable NEWSLETTER_API_KEY"
                if name == "api_key"
                else f"setting NEWSLETTER_{name.upper()}"
            )
            raise ConfigError(f"{where} is required with provider {provider}: {why}")


class HostedProvider:
    """An adapter over HTTP. Subclasses set ``name`` and implement the hooks below."""

    name: ClassVar[str]
    # The provider's public API root; self-hosted ones (Listmonk) have none.
    default_url: ClassVar[str] = ""
    can_find_deliveries: ClassVar[bool] = True
    # Extra headers that say when a 429 ends, for providers that send no Retry-After.
    retry_after_headers: ClassVar[tuple[str, ...]] = ()
    # Imports (see base.Provider). By default an adapter keeps no consent note, and a repeated
    # subscribe is refused as a duplicate without a second mail.
    consent_record: ClassVar[str | None] = None
    consent_record_missing: ClassVar[str] = "this adapter does not store a consent note"
    repeat_subscribe_is_safe: ClassVar[bool] = True

    def __init__(self, config: NewsletterConfig) -> None:
        self.check_config(config)
        self.config = config
        self.http = HttpClient(
            self.name,
            self.base_url(config),
            self.auth_headers(config),
            config,
            error_mapper=self.map_error,
            retry_after_headers=self.retry_after_headers,
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.http.base_url}>"

    # Hooks -----------------------------------------------------------------------------
    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        """Raise ConfigError when a setting this provider needs is missing."""
        raise NotImplementedError

    def base_url(self, config: NewsletterConfig) -> str:
        """Return the API's base URL: ``config.api_url`` wins over ``default_url``."""
        return config.api_url or self.default_url

    @staticmethod
    def auth_headers(config: NewsletterConfig) -> Mapping[str, str]:
        """Return the headers that authenticate every call."""
        raise NotImplementedError

    @staticmethod
    def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
        """Return the specific error for a 4xx (invalid address, duplicate), or None."""
        return None

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        """See :class:`~.base.Provider`."""
        raise NotImplementedError

    def find_delivery(self, edition: Edition) -> Delivery | None:
        """See :class:`~.base.Provider`."""
        raise NotImplementedError

    def import_status(self, email: str, import_id: str) -> ImportStatus:
        """See :class:`~.base.Provider`: a hosted list is not asked, so ``unknown``."""
        return "unknown"

    def create(self, edition: Edition) -> str:
        """Create the edition's draft campaign; return its id."""
        raise NotImplementedError

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        """Send (or schedule) the draft ``campaign_id``; return the delivery."""
        raise NotImplementedError

    # The skeleton ----------------------------------------------------------------------
    def deliver(self, edition: Edition) -> Delivery:
        """Send ``edition`` once: reuse what the provider already has for it (see base)."""
        found = self.find_delivery(edition)
        if found is not None and found.status != "draft":
            return found
        campaign_id = found.provider_id if found is not None else self.create(edition)
        return self.send(campaign_id, edition)
