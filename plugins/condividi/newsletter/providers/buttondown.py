"""Buttondown (docs.buttondown.com; providers.md §1), API version pinned to 2026-04-01.

Subscribe: ``POST /subscribers``; double opt-in is the newsletter's default (type
``unactivated`` until the reader confirms), ``"type": "regular"`` skips it.
Deliver: ``POST /emails`` as a draft, then ``PATCH /emails/{id}`` to ``about_to_send``. Every
call carries ``X-Idempotency-Key`` (replays return the first answer), so all are retried safely;
the delivery keys derive from the edition, so even a second run replays rather than duplicates.
Find: ``GET /emails`` with the live statuses, matched on our marker in ``metadata``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

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
    edition_marker,
    found_delivery,
    pages_exhausted,
    subscriber_record,
)
from condividi.newsletter.providers.hosted import HostedProvider, require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, require

DEFAULT_URL = "https://api.buttondown.com/v1"
# Pinned: on this version POST /emails defaults to a draft (older ones send on create).
API_VERSION = "2026-04-01"
HTML_MODE = "<!-- buttondown-editor-mode: fancy -->\n"

STATUSES: dict[str, DeliveryStatus] = {
    "draft": "draft",
    "scheduled": "scheduled",
    "about_to_send": "sending",
    "in_flight": "sending",
    "throttled": "sending",
    "resending": "sending",
    # Stopped part-way: a person decides, the ledger never re-sends.
    "paused": "sending",
    "errored": "sending",
    "sent": "sent",
}
DUPLICATE_CODES = {"email_already_exists", "subscriber_already_exists"}
INVALID_CODES = {"email_invalid", "email_empty", "email_blocked"}
MAX_PAGES = 50


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return the headers of every call: the token, the pinned version, the newsletter."""
    headers = {"Authorization": f"Token {config.api_key}", "X-API-Version": API_VERSION}
    if config.list_id:
        headers["Buttondown-Context"] = config.list_id
    return headers


def subscribe_request(
    config: NewsletterConfig, subscription: Subscription, idempotency_key: str
) -> ApiRequest:
    """Return the request adding ``subscription``; the key makes a repeat a replay."""
    body: dict[str, Any] = {
        "email_address": subscription.email,
        "metadata": subscriber_record(subscription),
    }
    if not config.double_opt_in:
        body["type"] = "regular"
    provenance = subscription.provenance
    if provenance is not None and provenance.consent_note:
        # Notes are what Buttondown shows on the subscriber's page.
        body["notes"] = f"{provenance.consent_note} ({provenance.source})"
    return ApiRequest(
        "POST",
        "/subscribers",
        json=body,
        headers={"X-Idempotency-Key": idempotency_key},
    )


def subscribe_result(response: ApiResponse) -> SubscribeResult:
    """Return pending (``unactivated``: the confirmation email went out) or subscribed."""
    kind = (response.payload or {}).get("type")
    status = "pending" if kind in (None, "unactivated") else "subscribed"
    return SubscribeResult(status, str((response.payload or {}).get("id") or "") or None)


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return AlreadySubscribed or InvalidAddress from Buttondown's error ``code``."""
    if not isinstance(payload, Mapping):
        return None
    code = payload.get("code")
    if code in DUPLICATE_CODES:
        return AlreadySubscribed
    if code in INVALID_CODES:
        return InvalidAddress
    detail = payload.get("detail")
    if status == 422 and isinstance(detail, list):
        fields = {
            str(loc) for item in detail if isinstance(item, Mapping) for loc in item.get("loc", [])
        }
        if "email_address" in fields:
            return InvalidAddress
    return None


def create_request(edition: Edition) -> ApiRequest:
    """Return the request creating ``edition`` as a draft email, keyed for replay."""
    marker = edition_marker(edition.key)
    return ApiRequest(
        "POST",
        "/emails",
        json={
            "subject": edition.subject,
            "body": HTML_MODE + edition.html,
            "status": "draft",
            "canonical_url": edition.url,
            "description": edition.preheader,
            "metadata": {"condividi_key": edition.key, "condividi_marker": marker},
        },
        headers={"X-Idempotency-Key": f"{marker}-create"},
    )


def send_request(email_id: str, edition: Edition) -> ApiRequest:
    """Return the request that sends the draft ``email_id`` now."""
    return ApiRequest(
        "PATCH",
        f"/emails/{email_id}",
        json={"status": "about_to_send"},
        headers={"X-Idempotency-Key": f"{edition_marker(edition.key)}-send"},
    )


def list_request(params: tuple[tuple[str, str], ...] = ()) -> ApiRequest:
    """Return one page of the listing of emails in any live status (``params`` = next page)."""
    if not params:
        params = tuple(("status", status) for status in STATUSES)
    return ApiRequest("GET", "/emails", params=params)


def next_page(payload: Any) -> tuple[tuple[str, str], ...] | None:
    """Return the query of the next page from the listing's ``next`` URL, or None."""
    link = payload.get("next") if isinstance(payload, Mapping) else None
    if not link:
        return None
    return tuple(parse_qsl(urlsplit(link).query))


def match_delivery(payload: Any, edition: Edition) -> Delivery | None:
    """Return the delivery of ``edition`` among one page of emails, or None."""
    marker = edition_marker(edition.key)
    for email in (payload or {}).get("results", []):
        metadata = email.get("metadata") or {}
        if (
            metadata.get("condividi_marker") == marker
            or metadata.get("condividi_key") == edition.key
        ):
            return found_delivery(edition.key, email, STATUSES)
    return None


class ButtondownProvider(HostedProvider):
    """Buttondown over its REST API."""

    name = "buttondown"
    consent_record = "each subscriber's notes and metadata (condividi_consent_note, ...)"

    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        require_settings(config, "buttondown", api_key="the API key from Settings → API")

    default_url = DEFAULT_URL

    auth_headers = staticmethod(auth_headers)
    map_error = staticmethod(map_error)

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        key = f"subscribe-{uuid.uuid4()}"
        return subscribe_result(self.http.send(subscribe_request(self.config, subscription, key)))

    def find_delivery(self, edition: Edition) -> Delivery | None:
        params: tuple[tuple[str, str], ...] | None = ()
        for _ in range(MAX_PAGES):
            payload = self.http.send(list_request(params or ())).payload
            found = match_delivery(payload, edition)
            if found is not None:
                return found
            params = next_page(payload)
            if params is None:
                return None
        raise pages_exhausted(self.name, MAX_PAGES)

    def create(self, edition: Edition) -> str:
        return str(require(self.http.send(create_request(edition)).payload, self.name, "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        self.http.send(send_request(campaign_id, edition))
        return Delivery(edition.key, campaign_id, "sending")
