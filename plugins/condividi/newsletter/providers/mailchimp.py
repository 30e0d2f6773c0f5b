"""Mailchimp Marketing API v3 (providers.md §2).

Subscribe: ``POST /lists/{audience}/members`` with ``status: pending`` (Mailchimp sends the
opt-in email) or ``subscribed``; an existing member is a 400 "Member Exists".
Deliver: ``POST /campaigns`` (a draft whose ``settings.title`` carries our marker, not repeated
after a time-out), ``PUT /campaigns/{id}/content`` (HTML and plain text), then
``POST /campaigns/{id}/actions/send`` (repeated only after a refused connection or a 429).
Find: ``GET /campaigns?list_id=…&type=regular`` matched on the title.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    Delivery,
    DeliveryStatus,
    Edition,
    InvalidAddress,
    ProviderError,
    SubscribeResult,
    Subscription,
)
from condividi.newsletter.providers.common import (
    campaign_name,
    edition_marker,
    found_delivery,
    has_marker,
)
from condividi.newsletter.providers.hosted import HostedProvider, require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, Repeat, require

STATUSES: dict[str, DeliveryStatus] = {
    "save": "draft",
    "schedule": "scheduled",
    "sending": "sending",
    "paused": "sending",
    "canceling": "sending",
    "canceled": "sending",
    "sent": "sent",
    "archived": "sent",
}
PAGE_SIZE = 1000
MAX_PAGES = 20


def server_prefix(config: NewsletterConfig) -> str | None:
    """Return the data-center prefix: ``NEWSLETTER_MAILCHIMP_SERVER`` or the key's suffix."""
    if config.mailchimp_server:
        return config.mailchimp_server
    key = config.api_key or ""
    if "-" in key:
        suffix = key.rsplit("-", 1)[1]
        if suffix.isalnum():
            return suffix
    return None


def base_url(config: NewsletterConfig) -> str:
    """Return ``https://<dc>.api.mailchimp.com/3.0`` (or ``NEWSLETTER_API_URL``)."""
    return config.api_url or f"https://{server_prefix(config)}.api.mailchimp.com/3.0"


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return HTTP Basic auth with any user name and the key as password."""
    token = base64.b64encode(f"condividi:{config.api_key}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def subscribe_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the request adding ``subscription`` to the audience (pending = double opt-in)."""
    return ApiRequest(
        "POST",
        f"/lists/{config.list_id}/members",
        json={
            "email_address": subscription.email,
            "status": "pending" if config.double_opt_in else "subscribed",
        },
    )


def subscribe_result(response: ApiResponse) -> SubscribeResult:
    """Return the member's state: ``pending`` until confirmed, else ``subscribed``."""
    payload = response.payload or {}
    status = "pending" if payload.get("status") == "pending" else "subscribed"
    return SubscribeResult(status, payload.get("id"))


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return AlreadySubscribed ("Member Exists") or InvalidAddress (an email "Invalid
    Resource") from Mailchimp's problem+json ``title``."""
    if not isinstance(payload, Mapping) or status != 400:
        return None
    title = payload.get("title")
    if title == "Member Exists":
        return AlreadySubscribed
    if title == "Invalid Resource":
        fields = {e.get("field") for e in payload.get("errors") or [] if isinstance(e, Mapping)}
        detail = str(payload.get("detail", "")).lower()
        if "email_address" in fields or "email" in detail or "fake or invalid" in detail:
            return InvalidAddress
    return None


def create_request(config: NewsletterConfig, edition: Edition) -> ApiRequest:
    """Return the request creating the draft campaign; its title carries the marker."""
    settings = {
        "subject_line": edition.subject,
        "preview_text": edition.preheader,
        "title": campaign_name(edition.subject, edition_marker(edition.key)),
        "from_name": config.from_name or config.from_email,
        "reply_to": config.reply_to or config.from_email,
    }
    return ApiRequest(
        "POST",
        "/campaigns",
        json={"type": "regular", "recipients": {"list_id": config.list_id}, "settings": settings},
        repeat=Repeat.CREATE,
    )


def content_request(campaign_id: str, edition: Edition) -> ApiRequest:
    """Return the request setting the campaign's HTML and plain text (safe to repeat)."""
    return ApiRequest(
        "PUT",
        f"/campaigns/{campaign_id}/content",
        json={"html": edition.html, "plain_text": edition.text},
    )


def send_request(campaign_id: str) -> ApiRequest:
    """Return the request that sends the campaign now (irreversible)."""
    return ApiRequest("POST", f"/campaigns/{campaign_id}/actions/send", repeat=Repeat.SEND)


def list_request(config: NewsletterConfig, offset: int = 0) -> ApiRequest:
    """Return one page of the audience's regular campaigns, newest first."""
    return ApiRequest(
        "GET",
        "/campaigns",
        params=(
            ("list_id", str(config.list_id)),
            ("type", "regular"),
            ("count", str(PAGE_SIZE)),
            ("offset", str(offset)),
            ("sort_field", "create_time"),
            ("sort_dir", "DESC"),
        ),
    )


def match_delivery(payload: Any, edition: Edition) -> Delivery | None:
    """Return the delivery of ``edition`` among one page of campaigns, or None."""
    marker = edition_marker(edition.key)
    for campaign in (payload or {}).get("campaigns", []):
        if has_marker((campaign.get("settings") or {}).get("title"), marker):
            return found_delivery(edition.key, campaign, STATUSES)
    return None


class MailchimpProvider(HostedProvider):
    """Mailchimp over the Marketing API."""

    name = "mailchimp"
    consent_record_missing = (
        "Mailchimp keeps notes through a second call (…/members/{hash}/notes), which an "
        "interrupted import could leave out, and merge fields only if created beforehand"
    )

    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        require_settings(
            config,
            "mailchimp",
            api_key="an API key (Account → Extras → API keys)",
            list_id="the audience id (Audience → Settings → Audience name and defaults)",
        )
        if not config.api_url and server_prefix(config) is None:
            raise ConfigError(
                "setting NEWSLETTER_MAILCHIMP_SERVER is required with provider mailchimp: "
                "the API key has no '-us6'-style suffix to take the data center from"
            )

    base_url = staticmethod(base_url)
    auth_headers = staticmethod(auth_headers)
    map_error = staticmethod(map_error)

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        return subscribe_result(self.http.send(subscribe_request(self.config, subscription)))

    def find_delivery(self, edition: Edition) -> Delivery | None:
        offset = 0
        for _ in range(MAX_PAGES):
            payload = self.http.send(list_request(self.config, offset)).payload or {}
            found = match_delivery(payload, edition)
            if found is not None:
                return found
            offset += len(payload.get("campaigns", []))
            if not payload.get("campaigns") or offset >= int(payload.get("total_items", 0)):
                return None
        return None

    def create(self, edition: Edition) -> str:
        payload = self.http.send(create_request(self.config, edition)).payload
        return str(require(payload, self.name, "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        # The content goes in here, not in create: a draft left by an interrupted run may lack it.
        self.http.send(content_request(campaign_id, edition))
        self.http.send(send_request(campaign_id))
        return Delivery(edition.key, campaign_id, "sending")
