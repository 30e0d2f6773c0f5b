"""Small pure helpers shared by the adapters and the edition renderer.

- :func:`edition_marker` turns an edition's key into the short tag each adapter writes into the
  campaign (name, title, description, tag or Message-ID) so ``find_delivery`` can find it again.
- :func:`unsubscribe_tag` gives the provider's unsubscribe merge tag for the email footer.
- :func:`found_delivery` turns the campaign record an adapter found into a :class:`Delivery`.
- :func:`subscriber_record` gives the consent record kept with a subscriber (Buttondown's
  metadata, Listmonk's attributes), an import's provenance included.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from condividi.newsletter.config import PROVIDER_NAMES
from condividi.newsletter.providers.base import (
    Delivery,
    DeliveryStatus,
    ProviderDown,
    Subscription,
)

MARKER_PREFIX = "condividi-"

# The provider substitutes each subscriber's own unsubscribe URL for these (providers.md §11):
# they belong in an href. Mailman has no merge tags: it adds List-Unsubscribe headers and its
# own list footer. The local provider writes each subscriber's link itself.
UNSUBSCRIBE_TAGS: dict[str, str | None] = {
    "local": None,
    "buttondown": "{{ unsubscribe_url }}",
    "mailchimp": "*|UNSUB|*",
    "brevo": "{{ unsubscribe }}",
    "mailerlite": "{$unsubscribe}",
    "kit": "{{ unsubscribe_url }}",
    "listmonk": "{{ UnsubscribeURL }}",
    "mailman": None,
}


def unsubscribe_tag(provider_name: str) -> str | None:
    """Return the unsubscribe merge tag of ``provider_name`` (a URL placeholder for an href).

    Returns None for providers that add the unsubscribe link themselves (Mailman, local).
    Raises ValueError for an unknown provider name.
    """
    if provider_name not in PROVIDER_NAMES:
        raise ValueError(f"unknown newsletter provider {provider_name!r}")
    return UNSUBSCRIBE_TAGS[provider_name]


def pages_exhausted(provider_name: str, pages: int) -> ProviderDown:
    """Return the error for a look-up that read ``pages`` pages of campaigns and found no end.

    "Not found" would let ``deliver()`` create a second campaign for an edition sent long ago,
    further down a long history; so the look-up gives up like an unreachable provider, and
    the send stops with the ledger as it was.
    """
    return ProviderDown(
        provider_name,
        f"the campaign list goes on past {pages} pages, the most one look-up reads, so "
        "whether this edition was already sent cannot be told; nothing was created",
    )


def edition_marker(key: str) -> str:
    """Return the stable marker of the edition whose key (feed id) is ``key``.

    ``condividi-`` and 16 hex digits of its SHA-256: short enough for any name or tag field,
    made of characters every provider accepts, and the same on every run.
    """
    return MARKER_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def campaign_name(subject: str, marker: str, limit: int = 100) -> str:
    """Return ``"<subject> [<marker>]"`` cut to ``limit`` characters, the marker always whole."""
    suffix = f" [{marker}]"
    room = max(0, limit - len(suffix))
    title = " ".join(subject.split())
    if len(title) > room:
        title = title[: max(0, room - 1)].rstrip() + "…"
    return f"{title}{suffix}"


def has_marker(text: object, marker: str) -> bool:
    """Tell whether ``marker`` appears as a whole token inside ``text`` (a name, tag, ...)."""
    if not isinstance(text, str):
        return False
    return re.search(rf"(?<![\w-]){re.escape(marker)}(?![\w-])", text) is not None


def found_delivery(
    edition_key: str, record: Mapping[str, Any], statuses: Mapping[str, DeliveryStatus]
) -> Delivery:
    """Return the delivery of ``edition_key`` that a provider's campaign ``record`` describes.

    Takes the record (its ``id`` and ``status`` fields) and the provider's map of statuses; a
    status the map does not know counts as ``sending``, so reconciliation never sends again a
    campaign whose state it cannot read.
    """
    status = statuses.get(record.get("status", ""), "sending")
    return Delivery(edition_key, str(record["id"]), status)


def subscriber_record(subscription: Subscription) -> dict[str, str]:
    """Return the GDPR consent record kept with the subscriber, as strings: language, consent
    time and privacy policy version.

    An imported address also carries (``condividi_*`` keys) its import, export and row, its
    original subscription date and, for a confirmed import, the author's consent note.
    """
    record = {"lang": subscription.lang}
    if subscription.consent_at is not None:
        record["consent_at"] = subscription.consent_at.isoformat()
    if subscription.privacy_policy_version:
        record["privacy_policy_version"] = subscription.privacy_policy_version
    provenance = subscription.provenance
    if provenance is not None:
        record["condividi_import"] = provenance.import_id
        record["condividi_source"] = provenance.source
        if provenance.subscribed_at is not None:
            record["condividi_subscribed_at"] = provenance.subscribed_at.isoformat()
        if provenance.consent_note:
            record["condividi_consent_note"] = provenance.consent_note
    return record
