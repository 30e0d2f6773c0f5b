"""Kit (formerly ConvertKit), API v4 (providers.md §4).

Subscribe, double opt-in (a *form* setting at Kit): ``POST /subscribers`` with
``state: inactive`` (an upsert: 201 new, 200 existing), then ``POST /forms/{form}/subscribers``,
which sends the form's confirmation ("incentive") email. An existing ``active`` subscriber is
AlreadySubscribed. Without DOI the subscriber is created ``active``.
Deliver: ``POST /broadcasts`` as a draft (``send_at: null``) whose internal ``description``
carries our marker (not repeated after a time-out), then ``PUT /broadcasts/{id}`` with a
``send_at`` a minute from now: Kit schedules, then sends (a PUT that sets a time is safe to
repeat).
Find: ``GET /broadcasts`` (cursor pages) matched on the description.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
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
    Unsubscribed,
)
from condividi.newsletter.providers.common import edition_marker, has_marker, pages_exhausted
from condividi.newsletter.providers.hosted import HostedProvider, require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, Repeat, require

DEFAULT_URL = "https://api.kit.com/v4"
STATUSES: dict[str, DeliveryStatus] = {
    "draft": "draft",
    "scheduled": "scheduled",
    "sending": "sending",
    "processing": "sending",
    "completed": "sent",
    "sent": "sent",
}
SEND_DELAY = timedelta(minutes=1)
# States of a subscriber who left or cannot be mailed: an import never brings them back.
GONE_STATES = frozenset({"cancelled", "bounced", "complained"})
PAGE_SIZE = 500
MAX_PAGES = 20


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return the personal API key header."""
    return {"X-Kit-Api-Key": str(config.api_key)}


def subscriber_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the upsert of the subscriber (``inactive`` until confirmed under DOI)."""
    body: dict[str, Any] = {
        "email_address": subscription.email,
        "state": "inactive" if config.double_opt_in else "active",
    }
    if subscription.name:
        body["first_name"] = subscription.name
    return ApiRequest("POST", "/subscribers", json=body)


def form_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the request adding the subscriber to the double opt-in form."""
    return ApiRequest(
        "POST",
        f"/forms/{config.list_id}/subscribers",
        json={"email_address": subscription.email},
    )


def existing_state(response: ApiResponse) -> str | None:
    """Return the state of a subscriber who already existed (200), None for a new one."""
    if response.status != 200:
        return None
    return ((response.payload or {}).get("subscriber") or {}).get("state")


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return InvalidAddress when a 422 is about the email address."""
    if status == 422 and "email" in message.lower():
        return InvalidAddress
    return None


def broadcast_body(edition: Edition, send_at: datetime | None) -> dict[str, Any]:
    """Return the broadcast fields for ``edition``; ``send_at`` None keeps it a draft."""
    return {
        "subject": edition.subject,
        "content": edition.html,
        "description": f"{edition_marker(edition.key)} {edition.url}",
        "preview_text": edition.preheader,
        "public": False,
        "published_at": edition.published.isoformat() if edition.published else None,
        "send_at": send_at.isoformat(timespec="seconds") if send_at else None,
    }


def create_request(edition: Edition) -> ApiRequest:
    """Return the request creating the draft broadcast."""
    return ApiRequest(
        "POST", "/broadcasts", json=broadcast_body(edition, None), repeat=Repeat.CREATE
    )


def send_request(broadcast_id: str, edition: Edition, now: datetime) -> ApiRequest:
    """Return the request scheduling the broadcast a minute after ``now`` (UTC)."""
    send_at = now.astimezone(UTC).replace(microsecond=0) + SEND_DELAY
    return ApiRequest("PUT", f"/broadcasts/{broadcast_id}", json=broadcast_body(edition, send_at))


def list_request(after: str | None = None) -> ApiRequest:
    """Return one page of broadcasts (``after`` = the previous page's end cursor)."""
    params: tuple[tuple[str, str], ...] = (("per_page", str(PAGE_SIZE)),)
    if after:
        params += (("after", after),)
    return ApiRequest("GET", "/broadcasts", params=params)


def next_cursor(payload: Any) -> str | None:
    """Return the cursor of the next page, or None on the last one."""
    pagination = (payload or {}).get("pagination") or {}
    return pagination.get("end_cursor") if pagination.get("has_next_page") else None


def broadcast_status(broadcast: Mapping[str, Any]) -> DeliveryStatus:
    """Return our status for a broadcast: its ``status`` when given, else from ``send_at``."""
    status = broadcast.get("status")
    if isinstance(status, str) and status:
        return STATUSES.get(status, "sending")
    return "draft" if broadcast.get("send_at") is None else "scheduled"


def match_delivery(payload: Any, edition: Edition) -> Delivery | None:
    """Return the delivery of ``edition`` among one page of broadcasts, or None."""
    marker = edition_marker(edition.key)
    for broadcast in (payload or {}).get("broadcasts", []):
        if has_marker(broadcast.get("description"), marker):
            return Delivery(edition.key, str(broadcast["id"]), broadcast_status(broadcast))
    return None


class KitProvider(HostedProvider):
    """Kit over API v4."""

    name = "kit"
    consent_record_missing = (
        "Kit keeps free text only in custom fields created in the account beforehand"
    )

    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        require_settings(config, "kit", api_key="a v4 API key (Settings → Developer)")
        if config.double_opt_in:
            require_settings(config, "kit", list_id="the id of the double opt-in form readers join")

    default_url = DEFAULT_URL

    auth_headers = staticmethod(auth_headers)
    map_error = staticmethod(map_error)

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        response = self.http.send(subscriber_request(self.config, subscription))
        subscriber_id = require(response.payload, self.name, "subscriber", "id")
        state = existing_state(response)
        if state == "active":
            raise AlreadySubscribed(self.name, "the address is already an active subscriber", 200)
        if subscription.provenance is not None and state in GONE_STATES:
            raise Unsubscribed(self.name, f"the subscriber is {state} at Kit", 200)
        if not self.config.double_opt_in:
            return SubscribeResult("subscribed", str(subscriber_id))
        self.http.send(form_request(self.config, subscription))
        return SubscribeResult("pending", str(subscriber_id))

    def find_delivery(self, edition: Edition) -> Delivery | None:
        after: str | None = None
        for _ in range(MAX_PAGES):
            payload = self.http.send(list_request(after)).payload
            found = match_delivery(payload, edition)
            if found is not None:
                return found
            after = next_cursor(payload)
            if after is None:
                return None
        raise pages_exhausted(self.name, MAX_PAGES)

    def create(self, edition: Edition) -> str:
        payload = self.http.send(create_request(edition)).payload
        return str(require(payload, self.name, "broadcast", "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        self.http.send(send_request(campaign_id, edition, datetime.now(UTC)))
        return Delivery(edition.key, campaign_id, "scheduled")
