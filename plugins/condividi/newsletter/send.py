"""Deliver each new edition exactly once: reconcile, then send what the ledger has not seen.

The order of a run:

1. Take the ledger's lock.
2. Reconcile every edition left ``sending`` by an interrupted run (a crash, a kill, a time-out
   after the provider had accepted): ask the provider whether it has it; if so, record it as
   sent. If the provider cannot be asked, stop and let the author decide (``resolve``).
3. Record as ``skipped`` each edition the author kept out (``Newsletter: no``) that the ledger
   does not know, or that an interrupted run left ``sending`` and the provider has no record
   of: nothing is sent for it, now or later.
4. Send each edition the ledger does not know, oldest first, recording ``sending`` before the
   provider call and ``sent`` after it. A provider error stops the run; what was sent stays
   recorded and the failed edition stays ``sending``, to be reconciled on the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from condividi.newsletter.ledger import Entry, Ledger, LedgerError, locked, timestamp
from condividi.newsletter.providers.base import (
    BadCredentials,
    Edition,
    Provider,
    ProviderDown,
    ProviderError,
    RateLimited,
)

Progress = Callable[[str], None]

# What a provider reports for an edition it will mail (or has mailed) without further calls.
SETTLED: frozenset[str] = frozenset({"sent", "scheduled", "held"})


class UncertainDelivery(LedgerError):
    """An interrupted delivery cannot be checked with this provider: the author must decide."""


class UncheckedDelivery(LedgerError):
    """The provider failed while an interrupted delivery was being checked: nothing was done.

    ``key`` is the edition's, ``error`` the provider's; the ledger is left exactly as it was.
    """

    def __init__(self, key: str, subject: str, error: ProviderError) -> None:
        self.key, self.error = key, error
        super().__init__(
            f"could not check with {error.provider} whether {subject!r} [{key}], left "
            f"unfinished by an earlier run, went out ({error}); nothing was sent and the "
            f"ledger is unchanged: {_what_to_do(error)}"
        )


def _what_to_do(error: ProviderError) -> str:
    """Say what the author does about ``error`` before running the send again."""
    if isinstance(error, BadCredentials):
        return "check NEWSLETTER_API_KEY (and the account's permissions), then run it again"
    if isinstance(error, RateLimited):
        return "wait a few minutes, then run it again"
    if isinstance(error, ProviderDown):
        return "run it again later (or check the provider's status page)"
    return "fix what the provider says, then run it again"


class AlreadyInitialized(LedgerError):
    """``init`` was asked for, but the ledger already exists."""


@dataclass
class SendReport:
    """What one run did: editions confirmed by reconciliation, sent, and why it stopped."""

    reconciled: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    already_done: list[str] = field(default_factory=list)
    error: ProviderError | None = None
    failed_key: str | None = None

    @property
    def ok(self) -> bool:
        """True when the run ended without a provider error."""
        return self.error is None


def _oldest_first(editions: Iterable[Edition]) -> list[Edition]:
    return sorted(editions, key=lambda e: (e.published is None, e.published or datetime.min, e.key))


def init_archive(
    editions: Sequence[Edition], ledger_path: Path, now: datetime | None = None
) -> Ledger:
    """Create the ledger with every current edition recorded as ``archived`` (never sent).

    Raises :class:`AlreadyInitialized` when a ledger exists already.
    """
    with locked(ledger_path):
        if ledger_path.exists():
            raise AlreadyInitialized(f"{ledger_path} exists already: nothing was changed")
        ledger = Ledger.create(ledger_path, now)
        for edition in _oldest_first(editions):
            ledger.entries[edition.key] = Entry(
                state="archived", title=edition.subject, url=edition.url, updated_at=timestamp(now)
            )
        ledger.save()
        return ledger


def reconcile(
    ledger: Ledger, provider: Provider, editions: dict[str, Edition], progress: Progress
) -> list[str]:
    """Settle every ``sending`` entry with the provider; return the keys confirmed as sent.

    An entry the provider has no record of, or holds as a draft or a half-done delivery, stays
    ``sending`` and is delivered again by the caller (adapters resume what they started).
    Raises :class:`UncertainDelivery` when the provider cannot be asked, or the edition is no
    longer in the site, and :class:`UncheckedDelivery` when asking it failed (bad key, down,
    a history too long to read): the entry is left untouched, with no attempt counted.
    """
    confirmed: list[str] = []
    for key in ledger.pending():
        edition = editions.get(key)
        if edition is None:
            raise UncertainDelivery(
                f"edition {key!r} was being sent when a run stopped, and is no longer in the "
                "site: check the provider, then run `newsletter resolve` to record it"
            )
        if not provider.can_find_deliveries:
            raise UncertainDelivery(
                f"edition {key!r} ({edition.subject}) was being sent when a run stopped, and "
                f"{provider.name} cannot tell whether it went out: check its archive, then run "
                f"`newsletter resolve {key} --sent` or `--retry`"
            )
        try:
            found = provider.find_delivery(edition)
        except ProviderError as error:
            raise UncheckedDelivery(key, edition.subject, error) from error
        if found is not None and found.status in SETTLED:
            ledger.record(key, "sent", provider_id=found.provider_id, last_error=None)
            confirmed.append(key)
            progress(f"confirmed with {provider.name}: {edition.subject} was already delivered")
        elif found is not None:
            # A draft, or a delivery cut off half-way: deliver() picks it up where it stopped.
            progress(f"{provider.name} has {edition.subject} as {found.status}: it will resume")
        else:
            progress(f"{provider.name} has no record of {edition.subject}: it will be sent")
    return confirmed


def send_new(
    editions: Sequence[Edition],
    provider: Provider,
    ledger: Ledger,
    progress: Progress = print,
    skip: Collection[str] = (),
) -> SendReport:
    """Reconcile, then deliver each edition the ledger has not recorded; return the report.

    ``editions`` are the site's editions; the keys in ``skip`` are posts kept out of the
    newsletter (``Newsletter: no``), recorded as ``skipped`` instead of delivered.
    """
    report = SendReport()
    by_key = {edition.key: edition for edition in editions}
    with locked(ledger.path):
        report.reconciled = reconcile(ledger, provider, by_key, progress)
        report.already_done = [key for key in by_key if not needs_delivery(ledger, key)]
        for edition in _oldest_first(editions):
            if edition.key in skip and needs_delivery(ledger, edition.key):
                ledger.record(edition.key, "skipped", title=edition.subject, url=edition.url)
                report.skipped.append(edition.key)
                progress(f"skipped (Newsletter: no): {edition.subject}")
        todo = [e for e in _oldest_first(editions) if needs_delivery(ledger, e.key)]
        for number, edition in enumerate(todo, start=1):
            previous = ledger.entries.get(edition.key)
            ledger.record(
                edition.key,
                "sending",
                title=edition.subject,
                url=edition.url,
                provider=provider.name,
                attempts=(previous.attempts if previous else 0) + 1,
            )
            progress(f"[{number}/{len(todo)}] sending {edition.subject}")
            try:
                delivery = provider.deliver(edition)
            except ProviderError as error:
                ledger.record(edition.key, "sending", last_error=str(error))
                report.error, report.failed_key = error, edition.key
                progress(f"[{number}/{len(todo)}] stopped: {error}")
                break
            ledger.record(edition.key, "sent", provider_id=delivery.provider_id, last_error=None)
            report.sent.append(edition.key)
            progress(f"[{number}/{len(todo)}] {delivery.status}: {edition.subject}")
    return report


def needs_delivery(ledger: Ledger, key: str) -> bool:
    """Tell whether the edition ``key`` is still to be delivered (unknown, or interrupted)."""
    entry = ledger.entries.get(key)
    return entry is None or entry.state == "sending"


def resolve(ledger: Ledger, key: str, sent: bool) -> None:
    """Settle an uncertain entry by hand: ``sent=True`` records it, False lets it be retried."""
    entry = ledger.entries.get(key)
    if entry is None or entry.state != "sending":
        raise LedgerError(f"edition {key!r} is not waiting to be resolved")
    with locked(ledger.path):
        if sent:
            ledger.record(key, "sent", last_error="marked as sent by hand")
        else:
            del ledger.entries[key]
            ledger.save()
