"""Mailchimp Marketing API v3 (providers.md §2).

Subscribe: ``POST /lists/{audience}/members`` with ``status: pending`` (Mailchimp sends the
opt-in email) or ``subscribed``; an existing member is a 400 "Member Exists". An imported
address is tagged with its import and keeps its original date (``timestamp_signup``); a
confirmed import's consent note goes in a member note (``POST …/members/{hash}/notes``). Should
a run stop between the two calls, the next one finds the member "existing" but tagged with its
own import (``GET …/members/{hash}``), and adds the note unless it is already the last one.
Deliver: ``POST /campaigns`` (a draft whose ``settings.title`` carries our marker, not repeated
after a time-out), ``PUT /campaigns/{id}/content`` (HTML and plain text), then
``POST /campaigns/{id}/actions/send`` (repeated only after a refused connection or a 429).
Find: ``GET /campaigns?list_id=…&type=regular`` matched on the title.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any

from condividi.config import ConfigError
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.ledger import timestamp
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    Delivery,
    DeliveryStatus,
    Edition,
    InvalidAddress,
    Provenance,
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


def subscriber_hash(email: str) -> str:
    """Return Mailchimp's id of a member: the MD5 of the lower-cased address."""
    return hashlib.md5(email.lower().encode("utf-8")).hexdigest()


def import_tag(provenance: Provenance) -> str:
    """Return the tag that marks a member as made by the import ``provenance`` names."""
    return f"condividi-import-{provenance.import_id}"[:100]


def subscribe_request(config: NewsletterConfig, subscription: Subscription) -> ApiRequest:
    """Return the request adding ``subscription`` to the audience (pending = double opt-in).

    An imported address carries its import's tag and, when known, its original signup date.
    """
    body: dict[str, Any] = {
        "email_address": subscription.email,
        "status": "pending" if config.double_opt_in else "subscribed",
    }
    provenance = subscription.provenance
    if provenance is not None:
        body["tags"] = [import_tag(provenance)]
        if provenance.subscribed_at is not None:
            body["timestamp_signup"] = timestamp(provenance.subscribed_at)
    return ApiRequest("POST", f"/lists/{config.list_id}/members", json=body)


def consent_note_text(provenance: Provenance) -> str:
    """Return the member note recording a confirmed import's consent (at most 1,000 chars)."""
    text = f"{provenance.consent_note} — {provenance.source}"
    if provenance.subscribed_at is not None:
        text += f", subscribed {provenance.subscribed_at.date().isoformat()}"
    return text[:1000]


def note_request(config: NewsletterConfig, email: str, provenance: Provenance) -> ApiRequest:
    """Return the request adding the consent note to the member ``email`` (not repeated after
    a time-out: a second note would be noise, and the next run checks the last one)."""
    return ApiRequest(
        "POST",
        f"/lists/{config.list_id}/members/{subscriber_hash(email)}/notes",
        json={"note": consent_note_text(provenance)},
        repeat=Repeat.CREATE,
    )


def member_request(config: NewsletterConfig, email: str) -> ApiRequest:
    """Return the request reading the member ``email`` (its tags and last note)."""
    return ApiRequest("GET", f"/lists/{config.list_id}/members/{subscriber_hash(email)}")


def made_by(member: Any, provenance: Provenance) -> bool:
    """Tell whether ``member`` (Mailchimp's record) carries the tag of this import."""
    tags = (member or {}).get("tags") or []
    return any(isinstance(t, Mapping) and t.get("name") == import_tag(provenance) for t in tags)


def has_note(member: Any, provenance: Provenance) -> bool:
    """Tell whether ``member``'s last note is this import's consent note."""
    last = (member or {}).get("last_note") or {}
    return isinstance(last, Mapping) and last.get("note") == consent_note_text(provenance)


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
    consent_record = "each member's notes (and its tag condividi-import-…)"

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
        provenance = subscription.provenance
        noted = provenance is not None and bool(provenance.consent_note)
        try:
            response = self.http.send(subscribe_request(self.config, subscription))
            result = subscribe_result(response)
        except AlreadySubscribed:
            if not noted:
                raise
            assert provenance is not None
            # Ours, from a run that stopped before the note? Then finish it; else it was
            # on the list before the import.
            member = self.http.send(member_request(self.config, subscription.email)).payload
            if not made_by(member, provenance):
                raise
            result = subscribe_result(ApiResponse(200, member, {}))
            if has_note(member, provenance):
                return result
        if noted:
            assert provenance is not None
            self.http.send(note_request(self.config, subscription.email, provenance))
        return result

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
        raise pages_exhausted(self.name, MAX_PAGES)

    def create(self, edition: Edition) -> str:
        payload = self.http.send(create_request(self.config, edition)).payload
        return str(require(payload, self.name, "id"))

    def send(self, campaign_id: str, edition: Edition) -> Delivery:
        # The content goes in here, not in create: a draft left by an interrupted run may lack it.
        self.http.send(content_request(campaign_id, edition))
        self.http.send(send_request(campaign_id))
        return Delivery(edition.key, campaign_id, "sending")
