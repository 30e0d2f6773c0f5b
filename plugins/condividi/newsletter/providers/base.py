"""What every email-list provider adapter does, and the errors it may raise.

An adapter does three things: subscribe an address (double opt-in by default), deliver one
edition, and find whether an edition was already delivered. It turns its provider's errors into
the small set of :class:`ProviderError` subclasses below, keeping the provider's own message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

# Stands for the reader's own unsubscribe link in a stored edition; each provider's merge tag
# (or the local provider's per-reader link) replaces it at delivery.
UNSUBSCRIBE_PLACEHOLDER = "{{unsubscribe_url}}"


class ProviderError(Exception):
    """A provider call failed. ``message`` keeps the provider's own words."""

    def __init__(self, provider: str, message: str, status: int | None = None) -> None:
        self.provider = provider
        self.message = message
        self.status = status
        where = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{provider}{where}: {message}")


class InvalidAddress(ProviderError):
    """The provider (or our own validation) refused the email address."""


class AlreadySubscribed(ProviderError):
    """The address is already on the list; the reader is told nothing different."""


class BadCredentials(ProviderError):
    """The API key (or user and password) was refused: 401 or 403."""


class RateLimited(ProviderError):
    """The provider said to slow down (429); ``retry_after`` is in seconds when it said so."""

    def __init__(
        self,
        provider: str,
        message: str,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(provider, message, status)
        self.retry_after = retry_after


class ProviderDown(ProviderError):
    """The provider did not answer in time, or answered 5xx, after the bounded retries."""


class RejectedRequest(ProviderError):
    """The provider refused the request for another reason (4xx): fix it, do not retry."""


class Unsubscribed(ProviderError):
    """The address left this list before: an import must not bring it back (the reader may)."""


@dataclass(frozen=True)
class Provenance:
    """Where an imported address comes from, and the consent record a confirmed import carries.

    ``import_id`` names the import (its journal); ``source`` says which export and row
    (``"FeedBurner export lettori.csv, row 12"``); ``subscribed_at`` is the date the old service
    recorded; ``consent_note`` is the author's statement of how consent was given, set only when
    the address is imported as confirmed (no confirmation mail).
    """

    import_id: str
    source: str
    subscribed_at: datetime | None = None
    consent_note: str | None = None


@dataclass(frozen=True)
class Subscription:
    """A reader's request to join the list, with the consent record the GDPR asks for.

    ``provenance`` is set when the address comes from another service's export rather than
    from the reader (``import subscribers``).
    """

    email: str
    consent_at: datetime | None = None
    privacy_policy_version: str | None = None
    lang: str = "it"
    name: str = ""
    provenance: Provenance | None = None


SubscribeStatus = Literal["pending", "subscribed"]


@dataclass(frozen=True)
class SubscribeResult:
    """``pending``: a confirmation email is on its way (double opt-in); ``subscribed``: done."""

    status: SubscribeStatus
    provider_id: str | None = None


@dataclass(frozen=True)
class Edition:
    """One post as an email, ready for any provider.

    ``key`` is the post's stable identity (its feed id): it never changes once published and
    is what the ledger and the provider-side look-up use.
    """

    key: str
    subject: str
    html: str
    text: str
    url: str
    preheader: str = ""
    lang: str = "it"
    published: datetime | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


# "draft": created but not sent (a run stopped in between); ``deliver`` sends that draft.
# "held": a Mailman post waiting for a moderator. Every status but "draft" means the provider
# has the edition: the ledger must not deliver it again.
DeliveryStatus = Literal["sent", "scheduled", "sending", "draft", "held"]

# What an interrupted import left for one address (see Provider.import_status).
ImportStatus = Literal["absent", "done", "unknown"]


@dataclass(frozen=True)
class Delivery:
    """What the provider recorded for one edition: its own id and how far it got."""

    key: str
    provider_id: str
    status: DeliveryStatus


class Provider(Protocol):
    """An email-list provider adapter."""

    name: str
    # False when the provider cannot tell whether an edition went out (Mailman): after an
    # interrupted run the ledger then decides alone, and never re-sends blindly.
    can_find_deliveries: bool
    # Where a confirmed import (``import subscribers --confirmed``) keeps each reader's consent
    # note, original subscription date and source; None when this provider cannot keep them,
    # and the import then refuses --confirmed rather than lose the record.
    consent_record: str | None
    # Why, when consent_record is None (shown with the refusal).
    consent_record_missing: str
    # True when subscribing an address the provider already holds (pending or not) never mails
    # it again: an import interrupted mid-call may then simply subscribe it again.
    repeat_subscribe_is_safe: bool

    def subscribe(self, subscription: Subscription) -> SubscribeResult:
        """Add ``subscription.email`` to the list (double opt-in unless configured off).

        Returns the result, or raises :class:`AlreadySubscribed`, :class:`InvalidAddress`,
        :class:`BadCredentials`, :class:`RateLimited`, :class:`ProviderDown` or
        :class:`RejectedRequest`.
        """
        ...

    def deliver(self, edition: Edition) -> Delivery:
        """Create and send (or schedule) ``edition`` to the whole list; return the delivery.

        Hosted adapters look the edition up first: one already sent, sending or scheduled is
        returned as it is, and a draft left by an interrupted run is sent instead of a new one.
        """
        ...

    def find_delivery(self, edition: Edition) -> Delivery | None:
        """Return the provider's record of ``edition`` if it was already created, else None."""
        ...

    def import_status(self, email: str, import_id: str) -> ImportStatus:
        """Tell what the import ``import_id``, interrupted during its call for ``email``, left.

        ``absent``: the call did nothing (subscribe again); ``done``: the address is on the
        list and, under double opt-in, its confirmation mail went out; ``unknown``: this
        provider cannot tell (subscribe again only if ``repeat_subscribe_is_safe``).
        """
        ...
