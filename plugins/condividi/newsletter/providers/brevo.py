"""Brevo API v3 (providers.md §6).

Subscribe, double opt-in: ``POST /contacts/doubleOptinConfirmation`` with the DOI template and
the page its link lands on; the contact joins the list only after confirming (201 new, 204 an
existing contact: Brevo decides whether to mail again, and the reader is told the same).
Without DOI: ``POST /contacts``; an existing contact is a 400 ``duplicate_parameter``.
Deliver: ``POST /emailCampaigns`` (a draft named with our marker and tagged with it, not
repeated after a time-out), then ``POST /emailCampaigns/{id}/sendNow`` (repeated only after a
refused connection or a 429). Brevo's 429 has no Retry-After: ``x-sib-ratelimit-reset`` says
how many seconds until the window resets.
Find: ``GET /emailCampaigns?type=classic`` matched on the name or tag.
"""

from __future__ import annotations

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
    pages_exhausted,
)
from condividi.newsletter.providers.hosted import HostedProvider, require_settings
from condividi.newsletter.providers.http import ApiRequest, ApiResponse, Repeat, require

DEFAULT_URL = "https://api.brevo.com/v3"
STATUSES: dict[str, DeliveryStatus] = {
    "draft": "draft",
    "queued": "scheduled",
    "in_process": "sending",
    "suspended": "sending",
    "sent": "sent",
    "archive": "sent",
}
PAGE_SIZE = 100
MAX_PAGES = 50


def auth_headers(config: NewsletterConfig) -> dict[str, str]:
    """Return the ``api-key`` header."""
    return {"api-key": str(config.api_key)}


def list_ids(config: NewsletterConfig) -> list[int]:
    """Return the Brevo list ids (integers) from ``NEWSLETTER_LIST_ID``."""
    return [int(config.list_id or 0)]


def subscribe_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the DOI request (or the plain create when double opt-in is off)."""
    if config.double_opt_in:
        return ApiRequest(
            "POST",
            "/contacts/doubleOptinConfirmation",
            json={
                "email": subscription.email,
                "includeListIds": list_ids(config),
                "templateId": config.brevo_doi_template_id,
                "redirectionUrl": config.brevo_doi_redirect_url,
            },
        )
    return ApiRequest(
        "POST",
        "/contacts",
        json={"email": subscription.email, "listIds": list_ids(config), "updateEnabled": False},
    )


def subscribe_result(config: NewsletterConfig, response: ApiResponse) -> SubscribeResult:
    """Return pending after a DOI request, subscribed after a plain create."""
    contact_id = (response.payload or {}).get("id") if response.payload else None
    status = "pending" if config.double_opt_in else "subscribed"
    return SubscribeResult(status, str(contact_id) if contact_id is not None else None)


def map_error(status: int, payload: Any, message: str) -> type[ProviderError] | None:
    """Return AlreadySubscribed or InvalidAddress from Brevo's ``code`` and message (Brevo
    sometimes says ``invalid_parameter`` for a duplicate, so the words decide)."""
    if not isinstance(payload, Mapping) or status != 400:
        return None
    code = payload.get("code")
    text = str(payload.get("message", "")).lower()
    if code == "duplicate_parameter" or (code == "invalid_parameter" and "already" in text):
        return AlreadySubscribed
    if code == "invalid_parameter" and "email" in text:
        return InvalidAddress
    return None


def create_request(config: NewsletterConfig, edition: Edition) -> ApiRequest:
    """Return the request creating the draft campaign, named and tagged with the marker."""
    marker = edition_marker(edition.key)
    sender: dict[str, str] = {"email": config.from_email}
    if config.from_name:
        sender["name"] = config.from_name
    return ApiRequest(
        "POST",
        "/emailCampaigns",
        json={
            "name": campaign_name(edition.subject, marker),
            "subject": edition.subject,
            "sender": sender,
            "htmlContent": edition.html,
            "recipients": {"listIds": list_ids(config)},
            "previewText": edition.preheader,
            "replyTo": config.reply_to or config.from_email,
            "tag": marker,
        },
        repeat=Repeat.CREATE,
    )


def send_request(campaign_id: str) -> ApiRequest:
    """Return the request that sends the campaign now."""
    return ApiRequest("POST", f"/emailCampaigns/{campaign_id}/sendNow", repeat=Repeat.SEND)


def list_request(offset: int = 0) -> ApiRequest:
    """Return one page of classic campaigns, newest first, without their HTML."""
    return ApiRequest(
        "GET",
        "/emailCampaigns",
        params=(
            ("type", "classic"),
            ("limit", str(PAGE_SIZE)),
            ("offset", str(offset)),
            ("sort", "desc"),
            ("excludeHtmlContent", "true"),
        ),
    )


def match_delivery(payload: Any, edition: Edition) -> Delivery | None:
    """Return the delivery of ``edition`` among one page of campaigns, or None."""
    marker = edition_marker(edition.key)
    for campaign in (payload or {}).get("campaigns", []):
        if campaign.get("tag") == marker or has_marker(campaign.get("name"), marker):
            return found_delivery(edition.key, campaign, STATUSES)
    return None


class BrevoProvider(HostedProvider):
    """Brevo over API v3."""

    name = "brevo"
    retry_after_headers = ("x-sib-ratelimit-reset",)
    consent_record_missing = (
        "Brevo keeps contact data only in attributes created in the account beforehand"
    )
    # The DOI call for a known contact answers 204 and Brevo decides whether to mail again.
    repeat_subscribe_is_safe = False

    @staticmethod
    def check_config(config: NewsletterConfig) -> None:
        require_settings(
            config,
            "brevo",
            api_key="an API key (SMTP & API → API keys)",
            list_id="the id of the contact list readers join",
        )
        if not str(config.list_id).isdigit():
            raise ConfigError(
                f"setting NEWSLETTER_LIST_ID = {config.list_id!r} is not valid with provider "
                "brevo: a Brevo list id is a number"
            )
        if config.double_opt_in:
            require_settings(
                config,
                "brevo",
                brevo_doi_template_id="the id of the double opt-in email template",
                brevo_doi_redirect_url="the page the confirmation link leads to",
            )

    default_url = DEFAULT_URL

    auth_headers = staticmethod(auth_headers)
    map_error = staticmethod(map_error)

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        response = self.http.send(subscribe_request(self.config, subscription))
        return subscribe_result(self.config, response)

    def find_delivery(self, edition: Edition) -> Delivery | None:
        offset = 0
        for _ in range(MAX_PAGES):
            payload = self.http.send(list_request(offset)).payload or {}
            found = match_delivery(payload, edition)
            if found is not None:
                return found
            offset += len(payload.get("campaigns", []))
            if not payload.get("campaigns") or offset >= int(payload.get("count", 0)):
                return None
        raise pages_exhausted(self.name, MAX_PAGES)

    def create(self, edition: Edition) -> str:
        payload = self.http.send(create_request(self.config, edition)).payload
        return str(require(payload, self.name, "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        self.http.send(send_request(campaign_id))
        return Delivery(edition.key, campaign_id, "sending")
