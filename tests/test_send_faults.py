"""Exactly once over real HTTP: the whole send run against each provider's contract server.

Each scenario injects a fault into the first run, then runs again; every new post must then
have gone out exactly once, and the archive never.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from condividi.newsletter.ledger import Ledger
from condividi.newsletter.providers import create_provider
from condividi.newsletter.providers.base import ProviderDown, RateLimited
from condividi.newsletter.send import init_archive, send_new
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
