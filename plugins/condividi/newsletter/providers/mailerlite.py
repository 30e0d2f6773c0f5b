"""MailerLite, the new API at connect.mailerlite.com (providers.md §5).

Subscribe: ``POST /subscribers`` with ``status: unconfirmed`` (MailerLite sends the double
opt-in email) or ``active``, into the group ``NEWSLETTER_LIST_ID``. The call is an upsert: 201
creates, 200 means the address was already there, which we report as AlreadySubscribed.
Deliver: ``POST /campaigns`` (a draft named with our marker, not repeated after a time-out),
then ``POST /campaigns/{id}/schedule`` with ``delivery: instant`` (repeated only after a refused
connection or a 429).
Find: ``GET /campaigns?filter[status]=…`` for sent, ready (scheduled) and draft, matched on the
name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
    pages_exhausted,
)
from condividi.newsletter.providers.hosted import HostedProvider, require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, Repeat, require

DEFAULT_URL = "https://connect.mailerlite.com/api"
STATUSES: dict[str, DeliveryStatus] = {"draft": "draft", "ready": "scheduled", "sent": "sent"}
# Sent first: it is where a delivered edition usually is.
FIND_ORDER = ("sent", "ready", "draft")
PAGE_SIZE = 100
MAX_PAGES = 50


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return the bearer token header."""
    return {"Authorization": f"Bearer {config.api_key}"}


def subscribe_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the upsert of ``subscription`` (unconfirmed = double opt-in)."""
    body: dict[str, Any] = {
        "email": subscription.email,
        "status": "unconfirmed" if config.double_opt_in else "active",
    }
    if config.list_id:
        body["groups"] = [config.list_id]
    if subscription.name:
        body["fields"] = {"name": subscription.name}
    return ApiRequest("POST", "/subscribers", json=body)


def subscribe_result(response: ApiResponse) -> SubscribeResult:
    """Return pending or subscribed for a new subscriber; raise AlreadySubscribed on 200."""
    data = (response.payload or {}).get("data") or {}
    if response.status == 200:
        raise AlreadySubscribed("mailerlite", "the address is already a subscriber", 200)
    status = "pending" if data.get("status") == "unconfirmed" else "subscribed"
    return SubscribeResult(status, str(data["id"]) if data.get("id") is not None else None)


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return InvalidAddress when the 422 names the ``email`` field."""
    if status == 422 and isinstance(payload, Mapping):
        errors = payload.get("errors")
        if isinstance(errors, Mapping) and "email" in errors:
            return InvalidAddress
    return None


def create_request(config: NewsletterConfig, edition: Edition) -> ApiRequest:
    """Return the request creating the draft regular campaign named with the marker."""
    body: dict[str, Any] = {
        "name": campaign_name(edition.subject, edition_marker(edition.key)),
        "type": "regular",
        "emails": [
            {
                "subject": edition.subject,
                "from_name": config.from_name or config.from_email,
                "from": config.from_email,
                "content": edition.html,
            }
        ],
    }
    if config.list_id:
        body["groups"] = [config.list_id]
    return ApiRequest("POST", "/campaigns", json=body, repeat=Repeat.CREATE)


def send_request(campaign_id: str) -> ApiRequest:
    """Return the request that sends the campaign now."""
    return ApiRequest(
        "POST",
        f"/campaigns/{campaign_id}/schedule",
        json={"delivery": "instant"},
        repeat=Repeat.SEND,
    )


def list_request(status: str, page: int = 1) -> ApiRequest:
    """Return one page of regular campaigns in ``status`` (sent, ready or draft)."""
    return ApiRequest(
        "GET",
        "/campaigns",
        params=(
            ("filter[status]", status),
            ("filter[type]", "regular"),
            ("limit", str(PAGE_SIZE)),
            ("page", str(page)),
        ),
    )


def has_next_page(payload: Any) -> bool:
    """Tell whether the listing has a further page (``links.next`` or ``meta``)."""
    if not isinstance(payload, Mapping):
        return False
    if (payload.get("links") or {}).get("next"):
        return True
    meta = payload.get("meta") or {}
    return int(meta.get("current_page", 1)) < int(meta.get("last_page", 1))


def match_delivery(payload: Any, edition: Edition) -> Delivery | None:
    """Return the delivery of ``edition`` among one page of campaigns, or None."""
    marker = edition_marker(edition.key)
    for campaign in (payload or {}).get("data", []):
        if has_marker(campaign.get("name"), marker):
            return found_delivery(edition.key, campaign, STATUSES)
    return None


class MailerLiteProvider(HostedProvider):
    """MailerLite over its API."""

    name = "mailerlite"
    consent_record_missing = (
        "MailerLite keeps free text only in custom fields created in the account beforehand"
    )

    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        require_settings(config, "mailerlite", api_key="an API token (Integrations → API)")

    default_url = DEFAULT_URL

    auth_headers = staticmethod(auth_headers)
    map_error = staticmethod(map_error)

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        response = self.http.send(subscribe_request(self.config, subscription))
        return subscribe_result(response)

    def find_delivery(self, edition: Edition) -> Delivery | None:
        for status in FIND_ORDER:
            for page in range(1, MAX_PAGES + 1):
                payload = self.http.send(list_request(status, page)).payload
                found = match_delivery(payload, edition)
                if found is not None:
                    return found
                if not has_next_page(payload):
                    break
            else:
                raise pages_exhausted(self.name, MAX_PAGES)
        return None

    def create(self, edition: Edition) -> str:
        payload = self.http.send(create_request(self.config, edition)).payload
        return str(require(payload, self.name, "data", "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        self.http.send(send_request(campaign_id))
        return Delivery(edition.key, campaign_id, "sending")
