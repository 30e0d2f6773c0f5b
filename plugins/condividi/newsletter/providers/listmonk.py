"""Listmonk, self-hosted (providers.md §3). ``NEWSLETTER_API_URL`` is the install's root.

Subscribe: ``POST /api/subscribers`` into list ``NEWSLETTER_LIST_ID``; double opt-in is a
property of the list (``optin: double``): Listmonk sends the opt-in email unless
``preconfirm_subscriptions`` is true, which we set when DOI is off. A known address is a 409.
Deliver: ``POST /api/campaigns`` (a draft named and tagged with our marker, with HTML and
plain-text bodies; not repeated after a time-out), then ``PUT /api/campaigns/{id}/status``
``running`` (not repeated after a time-out either: a second "running" is refused, and the ledger
asks ``find_delivery`` instead).
Find: ``GET /api/campaigns`` (all statuses, newest first) matched on the tag or name.
"""

from __future__ import annotations

import base64
from email.utils import formataddr
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
    pages_exhausted,
    subscriber_record,
)
from condividi.newsletter.providers.hosted import HostedProvider, require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, Repeat, require

STATUSES: dict[str, DeliveryStatus] = {
    "draft": "draft",
    "scheduled": "scheduled",
    "running": "sending",
    "paused": "sending",
    "cancelled": "sending",
    "finished": "sent",
}
PAGE_SIZE = 100
MAX_PAGES = 50


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return HTTP Basic auth from the ``api_user:token`` key."""
    token = base64.b64encode(str(config.api_key).encode()).decode()
    return {"Authorization": f"Basic {token}"}


def subscribe_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the request adding the subscriber to the list (preconfirmed when DOI is off)."""
    return ApiRequest(
        "POST",
        "/api/subscribers",
        json={
            "email": subscription.email,
            "name": subscription.name or subscription.email.split("@", 1)[0],
            "status": "enabled",
            "lists": [int(str(config.list_id))],
            "attribs": subscriber_record(subscription),
            "preconfirm_subscriptions": not config.double_opt_in,
        },
    )


def subscribe_result(config: NewsletterConfig, response: ApiResponse) -> SubscribeResult:
    """Return pending when the subscription to a double opt-in list awaits confirmation."""
    data = (response.payload or {}).get("data") or {}
    status = "subscribed"
    for item in data.get("lists") or []:
        if str(item.get("id")) != str(config.list_id):
            continue
        unconfirmed = item.get("subscription_status") == "unconfirmed"
        if unconfirmed and item.get("optin", "double") == "double":
            status = "pending"
    return SubscribeResult(status, str(data["id"]) if data.get("id") is not None else None)


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return AlreadySubscribed for 409, InvalidAddress for a 400 about the email."""
    if status == 409:
        return AlreadySubscribed
    if status == 400 and "email" in message.lower():
        return InvalidAddress
    return None


def create_request(config: NewsletterConfig, edition: Edition) -> ApiRequest:
    """Return the request creating the draft campaign."""
    marker = edition_marker(edition.key)
    return ApiRequest(
        "POST",
        "/api/campaigns",
        json={
            "name": campaign_name(edition.subject, marker),
            "subject": edition.subject,
            "lists": [int(str(config.list_id))],
            "from_email": formataddr((config.from_name, config.from_email)),
            "type": "regular",
            "content_type": "html",
            "body": edition.html,
            "altbody": edition.text,
            "tags": [marker],
        },
        repeat=Repeat.CREATE,
    )


def send_request(campaign_id: str) -> ApiRequest:
    """Return the request starting the campaign."""
    return ApiRequest(
        "PUT",
        f"/api/campaigns/{campaign_id}/status",
        json={"status": "running"},
        repeat=Repeat.SEND,
    )


def list_request(page: int = 1) -> ApiRequest:
    """Return one page of campaigns, newest first."""
    return ApiRequest(
        "GET",
        "/api/campaigns",
        params=(
            ("order_by", "created_at"),
            ("order", "desc"),
            ("per_page", str(PAGE_SIZE)),
            ("page", str(page)),
            ("no_body", "true"),
        ),
    )


def match_delivery(payload: Any, edition: Edition) -> Delivery | None:
    """Return the delivery of ``edition`` among one page of campaigns, or None."""
    marker = edition_marker(edition.key)
    for campaign in ((payload or {}).get("data") or {}).get("results", []):
        if marker in (campaign.get("tags") or []) or has_marker(campaign.get("name"), marker):
            return found_delivery(edition.key, campaign, STATUSES)
    return None


class ListmonkProvider(HostedProvider):
    """Listmonk over its admin API."""

    name = "listmonk"
    consent_record = "each subscriber's attributes (attribs.condividi_consent_note, ...)"

    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        require_settings(
            config,
            "listmonk",
            api_url="the root URL of your Listmonk (https://lists.example.org)",
            api_key="'api_user:token' of an API user (Admin → Users)",
            list_id="the numeric id of the list readers join",
        )
        if ":" not in str(config.api_key):
            raise ConfigError(
                "environment variable NEWSLETTER_API_KEY must be 'api_user:token' "
                "with provider listmonk"
            )
        if not str(config.list_id).isdigit():
            raise ConfigError(
                f"setting NEWSLETTER_LIST_ID = {config.list_id!r} is not valid with provider "
                "listmonk: a Listmonk list id is a number"
            )

    auth_headers = staticmethod(auth_headers)
    map_error = staticmethod(map_error)

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        response = self.http.send(subscribe_request(self.config, subscription))
        return subscribe_result(self.config, response)

    def find_delivery(self, edition: Edition) -> Delivery | None:
        seen = 0
        for page in range(1, MAX_PAGES + 1):
            payload = self.http.send(list_request(page)).payload or {}
            found = match_delivery(payload, edition)
            if found is not None:
                return found
            data = payload.get("data") or {}
            seen += len(data.get("results", []))
            if not data.get("results") or seen >= int(data.get("total", 0)):
                return None
        raise pages_exhausted(self.name, MAX_PAGES)

    def create(self, edition: Edition) -> str:
        payload = self.http.send(create_request(self.config, edition)).payload
        return str(require(payload, self.name, "data", "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        self.http.send(send_request(campaign_id))
        return Delivery(edition.key, campaign_id, "sending")
