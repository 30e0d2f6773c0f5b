"""Exactly once over real HTTP: the whole send run against each provider's contract server.

Each scenario injects a fault into the first run, then runs again; every new post must then
have gone out exactly once, and the archive never.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from condividi.newsletter.ledger import Ledger
from condividi.newsletter.providers import create_provider
from condividi.newsletter.providers.base import BadCredentials, ProviderDown, RateLimited
from condividi.newsletter.send import UncheckedDelivery, init_archive, send_new
from tests.providers_support import HOSTED, ContractServer, sample_edition
from tests.test_provider_contracts import CREATE, SEND, SLOW

pytestmark = pytest.mark.parametrize("provider", HOSTED)

ARCHIVE = [sample_edition(1)]
NEW = [sample_edition(n) for n in (2, 3, 4)]


def quiet(line: str) -> None:
    pass


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    path = tmp_path / "newsletter" / "ledger.json"
    init_archive(ARCHIVE, path)
    return path


def run(server: ContractServer, ledger_path: Path):  # type: ignore[no-untyped-def]
    adapter = create_provider(server.config())
    return send_new(ARCHIVE + NEW, adapter, Ledger.load(ledger_path), quiet)


def assert_each_new_post_sent_once(server: ContractServer, ledger_path: Path) -> None:
    adapter = create_provider(server.config())
    assert len(server.state.sent) == len(set(server.state.sent)) == len(NEW)
    assert len(server.state.campaigns) == len(NEW), "one campaign per post, no duplicate"
    ledger = Ledger.load(ledger_path)
    for edition in NEW:
        found = adapter.find_delivery(edition)
        assert found is not None and found.status in ("sent", "scheduled"), edition.key
        assert ledger.entries[edition.key].state == "sent"
        assert ledger.entries[edition.key].provider_id == found.provider_id
    assert adapter.find_delivery(ARCHIVE[0]) is None, "the archive is never mailed"
    assert ledger.entries[ARCHIVE[0].key].state == "archived"


def test_500_on_create(provider, contract_server, ledger_path) -> None:  # type: ignore[no-untyped-def]
    server = contract_server(provider)
    retries = server.config().max_retries
    server.fail_next(500, times=retries + 1, when=CREATE[provider])
    first = run(server, ledger_path)
    assert isinstance(first.error, ProviderDown)
    assert first.sent == []
    second = run(server, ledger_path)
    assert second.ok, second.error
    assert_each_new_post_sent_once(server, ledger_path)


def test_time_out_after_the_provider_accepted(provider, contract_server, ledger_path) -> None:  # type: ignore[no-untyped-def]
    server = contract_server(provider)
    server.delay_next(SLOW, after_accept=True, when=SEND[provider])
    first = run(server, ledger_path)
    if not first.ok:
        assert isinstance(first.error, ProviderDown)
        assert Ledger.load(ledger_path).entries[first.failed_key].state == "sending"
        second = run(server, ledger_path)
        assert second.ok, second.error
        assert second.reconciled == [first.failed_key]
    assert_each_new_post_sent_once(server, ledger_path)


def test_crash_between_success_and_ledger_write(
    provider, contract_server, ledger_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    server = contract_server(provider)
    real_record = Ledger.record

    def killed_after_the_provider_said_yes(self, key, state, *args, **kwargs):  # type: ignore[no-untyped-def]
        if state == "sent":
            raise KeyboardInterrupt("killed")
        return real_record(self, key, state, *args, **kwargs)

    monkeypatch.setattr(Ledger, "record", killed_after_the_provider_said_yes)
    with pytest.raises(KeyboardInterrupt):
        run(server, ledger_path)
    monkeypatch.setattr(Ledger, "record", real_record)
    assert len(server.state.sent) == 1, "the provider had sent the first post"
    second = run(server, ledger_path)
    assert second.ok, second.error
    assert second.reconciled == [NEW[0].key]
    assert second.sent == [e.key for e in NEW[1:]]
    assert_each_new_post_sent_once(server, ledger_path)


def test_storm_of_429s(provider, contract_server, ledger_path) -> None:  # type: ignore[no-untyped-def]
    server = contract_server(provider)
    # Every create is refused for longer than the bounded retries last.
    retries = server.config().max_retries
    server.fail_next(429, times=retries + 1, when=CREATE[provider], retry_after=0.05)
    first = run(server, ledger_path)
    assert isinstance(first.error, RateLimited)
    assert first.sent == []
    second = run(server, ledger_path)
    assert second.ok, second.error
    assert_each_new_post_sent_once(server, ledger_path)


def _left_unfinished(ledger_path: Path, key: str, subject: str, provider: str) -> bytes:
    """Record ``key`` as ``sending`` (one attempt made), as a killed run leaves it."""
    Ledger.load(ledger_path).record(key, "sending", title=subject, provider=provider, attempts=1)
    return ledger_path.read_bytes()


@pytest.mark.parametrize("status", [401, 500])
def test_provider_error_while_checking_an_unfinished_edition_is_one_clear_line(
    provider, status, contract_server, ledger_path
) -> None:  # type: ignore[no-untyped-def]
    server = contract_server(provider)
    unfinished = NEW[0]
    before = _left_unfinished(ledger_path, unfinished.key, unfinished.subject, provider)
    server.fail_next(status, times=server.config().max_retries + 1)
    with pytest.raises(UncheckedDelivery) as caught:
        run(server, ledger_path)
    message = str(caught.value)
    assert "\n" not in message and unfinished.key in message and unfinished.subject in message
    assert isinstance(caught.value.error, BadCredentials if status == 401 else ProviderDown)
    assert ("NEWSLETTER_API_KEY" if status == 401 else "again later") in message
    assert ledger_path.read_bytes() == before, "the ledger is untouched"
    assert server.state.campaigns == {} and server.hits(CREATE[provider]) == 0

    server.clear_faults()
    second = run(server, ledger_path)
    assert second.ok, second.error
    assert_each_new_post_sent_once(server, ledger_path)
    attempts = Ledger.load(ledger_path).entries[unfinished.key].attempts
    assert attempts == 2, "the failed check was not an attempt: one before, one now"


def test_a_history_longer_than_the_lookup_reads_never_duplicates(
    provider, contract_server, ledger_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    server = contract_server(provider)  # pages of 2
    adapter = create_provider(server.config())
    history = [sample_edition(n) for n in range(10, 15)]
    for edition in history:
        adapter.deliver(edition)
    monkeypatch.setattr(f"condividi.newsletter.providers.{provider}.MAX_PAGES", 1)
    with pytest.raises(ProviderDown, match="past 1 pages"):
        adapter.find_delivery(sample_edition(99))
    stopped = 0
    for number, edition in enumerate(history):
        path = ledger_path.with_name(f"ledger-{number}.json")  # one interrupted edition each
        init_archive(ARCHIVE, path)
        before = _left_unfinished(path, edition.key, edition.subject, provider)
        try:
            report = send_new([*ARCHIVE, edition], adapter, Ledger.load(path), quiet)
        except UncheckedDelivery as caught:
            stopped += 1
            assert isinstance(caught.error, ProviderDown)
            assert path.read_bytes() == before
        else:
            assert report.ok and report.reconciled == [edition.key] and report.sent == []
        assert len(server.state.campaigns) == len(history), "no second campaign"
    assert stopped >= 2, "most of the history lies past the first page"
