"""Bringing a planned subscriber import into the configured provider, resumably.

:func:`run_import` takes the plan (:mod:`condividi.migrate.subscribers`), the provider and the
import's journal (:mod:`condividi.migrate.subscriber_journal`), and for each address:

1. skips it when an earlier run settled it;
2. when an earlier run stopped during its call (``started``), asks the provider what that call
   left (``import_status``): done, nothing (call again), or unknown. Unknown is called again only
   where a repeat cannot mail twice (a confirmed import mails nobody; most providers refuse a
   known address); otherwise it is reported ``uncertain`` and left alone until the author says
   ``retry_uncertain``;
3. records ``started``, subscribes it (``Subscription.provenance`` says where it came from and,
   for a confirmed import, the consent note), records the outcome.

A rate limit is waited out (its ``Retry-After``, at most ``max_wait`` seconds, ``max_waits``
times per address); bad credentials, the provider down or three refusals in a row stop the run,
which the next run resumes. Ctrl-C stops it too, with the journal as exact as ever.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from condividi.migrate.subscriber_journal import SETTLED, EntryState, Journal
from condividi.migrate.subscribers import Candidate, ImportPlan
from condividi.newsletter.config import NewsletterConfig
from condividi.newsletter.providers.base import (
    AlreadySubscribed,
    InvalidAddress,
    Provenance,
    Provider,
    ProviderDown,
    ProviderError,
    RateLimited,
    RejectedRequest,
    Subscription,
    Unsubscribed,
)

Progress = Callable[[int, int, str | None], None]


@dataclass(frozen=True)
class ImportOptions:
    """How to import: the import's id (its journal), the mode and its consent note, the
    language of confirmation mails, whether to call again addresses left ``uncertain``, and
    the bounds on waiting out rate limits and on refusals in a row."""

    import_id: str
    confirmed: bool = False
    consent_note: str | None = None
    lang: str = "it"
    retry_uncertain: bool = False
    max_wait: float = 60.0
    max_waits: int = 5
    max_refusals: int = 3


@dataclass(frozen=True)
class Outcome:
    """What became of one candidate: its journal state (None when the run never reached it),
    the provider's words, and whether an earlier run had settled it."""

    candidate: Candidate
    state: EntryState | None
    detail: str = ""
    earlier: bool = False


@dataclass
class ImportReport:
    """The outcome of every candidate, and why the run stopped early (if it did)."""

    outcomes: list[Outcome] = field(default_factory=list)
    error: ProviderError | None = None
    interrupted: bool = False

    def counts(self, *, earlier: bool | None = None) -> Counter[EntryState | None]:
        """Return how many outcomes are in each state (only this run's, or earlier ones')."""
        return Counter(o.state for o in self.outcomes if earlier is None or o.earlier is earlier)

    def of(self, *states: EntryState | None) -> list[Outcome]:
        """Return the outcomes in any of ``states``, in row order."""
        return [o for o in self.outcomes if o.state in states]

    @property
    def finished(self) -> bool:
        """True when every candidate is settled: nothing left to run again for."""
        return all(o.state in SETTLED for o in self.outcomes)


def import_id(plan: ImportPlan, config: NewsletterConfig, confirmed: bool) -> str:
    """Return the id of importing ``plan``'s file into ``config``'s list in this mode.

    The file's content hash, the target (provider, API, list or local database) and the mode:
    the same file resumes its own journal; another list, or the other mode, is another import.
    """
    target = "|".join(
        str(part or "")
        for part in (
            config.provider,
            config.api_url,
            config.list_id,
            config.local_db if config.provider == "local" else "",
        )
    )
    digest = hashlib.sha256(target.encode("utf-8")).hexdigest()[:8]
    mode = "confirmed" if confirmed else "reconfirm"
    return f"{plan.export.digest[:16]}-{config.provider}-{digest}-{mode}"


def subscription_for(
    candidate: Candidate, plan: ImportPlan, options: ImportOptions
) -> Subscription:
    """Return the provider request for ``candidate``, with its provenance (and consent note)."""
    export = plan.export
    return Subscription(
        email=candidate.email,
        name=candidate.name,
        lang=options.lang,
        provenance=Provenance(
            import_id=options.import_id,
            source=f"{export.format.label} {export.path.name}, row {candidate.row}",
            subscribed_at=candidate.subscribed_at,
            consent_note=options.consent_note if options.confirmed else None,
        ),
    )


class _Stop(Exception):
    """The run must stop (the provider is down, refuses the key, keeps refusing)."""

    def __init__(self, error: ProviderError) -> None:
        super().__init__(str(error))
        self.error = error


def run_import(
    plan: ImportPlan,
    provider: Provider,
    journal: Journal,
    options: ImportOptions,
    progress: Progress | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> ImportReport:
    """Import every candidate of ``plan`` not yet settled in ``journal``; return the report.

    See the module docstring for the order of things. ``progress(done, total, note)`` is
    called after each address (and with a note when waiting); ``sleep`` waits out rate limits.
    """
    report = ImportReport()
    total = len(plan.candidates)
    done = 0
    outcomes: dict[int, Outcome] = {}
    todo: list[tuple[Candidate, bool]] = []

    def tell(note: str | None = None) -> None:
        if progress is not None:
            progress(done, total, note)

    try:
        for candidate in plan.candidates:
            entry = journal.entries.get(candidate.email)
            state = entry.state if entry else None
            if entry is not None and (
                state in SETTLED or (state == "uncertain" and not options.retry_uncertain)
            ):
                outcomes[candidate.row] = Outcome(candidate, state, entry.detail, earlier=True)
                done += 1
            elif state == "started":
                settled = _reconcile(candidate, provider, journal, options)
                if settled is None:
                    todo.append((candidate, True))
                else:
                    outcomes[candidate.row] = settled
                    done += 1
            else:
                todo.append((candidate, state == "uncertain"))
        tell()
        refusals = 0
        for candidate, again in todo:
            outcome = _import_one(candidate, again, plan, provider, journal, options, sleep, tell)
            outcomes[candidate.row] = outcome
            done += 1
            tell()
            refusals = refusals + 1 if outcome.state == "refused" else 0
            if refusals >= options.max_refusals:
                raise _Stop(
                    RejectedRequest(
                        provider.name,
                        f"{refusals} addresses in a row were refused ({outcome.detail}): "
                        "check the provider settings before running again",
                    )
                )
    except _Stop as stop:
        report.error = stop.error
    except KeyboardInterrupt:
        report.interrupted = True
    for candidate in plan.candidates:
        entry = journal.entries.get(candidate.email)
        found = outcomes.get(candidate.row)
        if found is None:
            state = entry.state if entry else None
            found = Outcome(candidate, state, entry.detail if entry else "")
        report.outcomes.append(found)
    return report


def _reconcile(
    candidate: Candidate, provider: Provider, journal: Journal, options: ImportOptions
) -> Outcome | None:
    """Settle an address an interrupted run left ``started``; None means call it again."""
    try:
        status = provider.import_status(candidate.email, options.import_id)
    except ProviderError as error:
        raise _Stop(error) from error
    if status == "done":
        state: EntryState = "confirmed" if options.confirmed else "pending"
        detail = f"found done at {provider.name} after an interrupted run"
        journal.record(candidate.email, state, detail)
        return Outcome(candidate, state, detail)
    if status == "absent" or options.confirmed or provider.repeat_subscribe_is_safe:
        return None
    detail = (
        f"the run stopped during its call to {provider.name}, which may or may not have mailed "
        "it and cannot tell: check, then run again with --retry-uncertain to send it again"
    )
    journal.record(candidate.email, "uncertain", detail)
    return Outcome(candidate, "uncertain", detail)


def _import_one(
    candidate: Candidate,
    again: bool,
    plan: ImportPlan,
    provider: Provider,
    journal: Journal,
    options: ImportOptions,
    sleep: Callable[[float], None],
    tell: Callable[[str | None], None],
) -> Outcome:
    """Subscribe one address, recording ``started`` first; return its outcome.

    ``again`` says an earlier run may already have made this call. Raises :class:`_Stop` when
    the run must end (the address stays ``started`` when the call may have been accepted).
    """
    subscription = subscription_for(candidate, plan, options)
    waits = 0
    while True:
        journal.record(candidate.email, "started")
        state: EntryState
        try:
            result = provider.subscribe(subscription)
        except RateLimited as error:
            journal.record(candidate.email, "failed", str(error))
            if waits >= options.max_waits:
                raise _Stop(error) from error
            waits += 1
            delay = options.max_wait if error.retry_after is None else error.retry_after
            delay = max(0.0, min(delay, options.max_wait))
            tell(f"{provider.name} asks to slow down: waiting {delay:g} s")
            sleep(delay)
            continue
        except AlreadySubscribed as error:
            state, detail = "already", error.message
            if again:
                detail += " (probably by this import's interrupted run)"
        except Unsubscribed as error:
            state, detail = "unsubscribed", error.message
        except InvalidAddress as error:
            state, detail = "invalid", error.message
        except RejectedRequest as error:
            state, detail = "refused", error.message
        except ProviderDown as error:
            # The call may have been accepted before the failure: the address stays
            # ``started``, and the next run asks the provider (or retries where safe).
            raise _Stop(error) from error
        except ProviderError as error:
            journal.record(candidate.email, "failed", str(error))
            raise _Stop(error) from error
        else:
            state = "pending" if result.status == "pending" else "confirmed"
            detail = ""
        journal.record(candidate.email, state, detail)
        return Outcome(candidate, state, detail)
