"""Exactly once, at the unit level: the send run over the ledger with a recording provider.

The provider-contract tests drive the same code over real HTTP with injected faults; here a
small in-memory provider makes each transition easy to see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from condividi.newsletter.ledger import Ledger, LedgerMissing
from condividi.newsletter.providers.base import (
    BadCredentials,
    Delivery,
    Edition,
    ProviderDown,
)
from condividi.newsletter.send import (
    AlreadyInitialized,
    UncertainDelivery,
    init_archive,
    resolve,
    send_new,
)


def edition(n: int) -> Edition:
    return Edition(
        key=f"post-{n}",
        subject=f"Post {n}",
        html="<p>x</p>",
        text="x",
        url=f"https://blog.example.org/post-{n}/",
        published=datetime(2026, 1, n, tzinfo=UTC),
    )


@dataclass
class RecordingProvider:
    """Keeps deliveries in memory; ``fail`` makes the next deliveries raise."""

    name: str = "memory"
    can_find_deliveries: bool = True
    delivered: dict[str, Delivery] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    fail: list[Exception] = field(default_factory=list)
    accept_then_fail: bool = False

    def deliver(self, edition: Edition) -> Delivery:
        self.calls.append(edition.key)
        if self.fail:
            error = self.fail.pop(0)
            if self.accept_then_fail:
                self.delivered[edition.key] = Delivery(edition.key, f"id-{edition.key}", "sent")
            raise error
        self.delivered[edition.key] = Delivery(edition.key, f"id-{edition.key}", "sent")
        return self.delivered[edition.key]

    def find_delivery(self, edition: Edition) -> Delivery | None:
        return self.delivered.get(edition.key)


def quiet(message: str) -> None:
    pass


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    init_archive([edition(1)], tmp_path / "ledger.json")
    return Ledger.load(tmp_path / "ledger.json")


def test_init_records_the_archive_and_refuses_twice(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    init_archive([edition(1), edition(2)], path)
    assert {k: e.state for k, e in Ledger.load(path).entries.items()} == {
        "post-1": "archived",
        "post-2": "archived",
    }
    with pytest.raises(AlreadyInitialized):
        init_archive([edition(3)], path)


def test_no_ledger_means_no_send(tmp_path: Path) -> None:
    with pytest.raises(LedgerMissing):
        Ledger.load(tmp_path / "ledger.json")


def test_sends_only_new_editions_once(ledger: Ledger) -> None:
    provider = RecordingProvider()
    report = send_new([edition(1), edition(3), edition(2)], provider, ledger, quiet)
    assert report.ok and report.sent == ["post-2", "post-3"]
    assert provider.calls == ["post-2", "post-3"]
    again = send_new(
        [edition(1), edition(2), edition(3)], provider, Ledger.load(ledger.path), quiet
    )
    assert again.sent == [] and provider.calls == ["post-2", "post-3"]


def test_time_out_after_accept_is_reconciled_not_resent(ledger: Ledger) -> None:
    provider = RecordingProvider(fail=[ProviderDown("memory", "timed out")], accept_then_fail=True)
    first = send_new([edition(2), edition(3)], provider, ledger, quiet)
    assert not first.ok and first.failed_key == "post-2"
    assert Ledger.load(ledger.path).entries["post-2"].state == "sending"
    assert "post-3" not in Ledger.load(ledger.path).entries, "the run stopped at the failure"
    second = send_new([edition(2), edition(3)], provider, Ledger.load(ledger.path), quiet)
    assert second.reconciled == ["post-2"] and second.sent == ["post-3"]
    assert provider.calls == ["post-2", "post-3"]


def test_refusal_before_accept_is_retried_next_run(ledger: Ledger) -> None:
    provider = RecordingProvider(fail=[BadCredentials("memory", "bad key", 401)])
    first = send_new([edition(2)], provider, ledger, quiet)
    assert isinstance(first.error, BadCredentials)
    assert "bad key" in (Ledger.load(ledger.path).entries["post-2"].last_error or "")
    second = send_new([edition(2)], provider, Ledger.load(ledger.path), quiet)
    assert second.reconciled == [] and second.sent == ["post-2"]
    assert provider.calls == ["post-2", "post-2"]
    assert Ledger.load(ledger.path).entries["post-2"].attempts == 2


def test_crash_between_accept_and_ledger_write(ledger: Ledger, monkeypatch) -> None:
    provider = RecordingProvider()
    real_record = Ledger.record

    def crash_on_sent(self: Ledger, key: str, state: str, *args: object, **kw: object) -> object:
        if state == "sent":
            raise KeyboardInterrupt("killed")
        return real_record(self, key, state, *args, **kw)

    monkeypatch.setattr(Ledger, "record", crash_on_sent)
    with pytest.raises(KeyboardInterrupt):
        send_new([edition(2)], provider, ledger, quiet)
    monkeypatch.setattr(Ledger, "record", real_record)
    report = send_new([edition(2)], provider, Ledger.load(ledger.path), quiet)
    assert report.reconciled == ["post-2"] and report.sent == []
    assert provider.calls == ["post-2"]


def test_provider_without_lookup_asks_the_author(ledger: Ledger) -> None:
    provider = RecordingProvider(
        can_find_deliveries=False, fail=[ProviderDown("memory", "timed out")], accept_then_fail=True
    )
    send_new([edition(2)], provider, ledger, quiet)
    with pytest.raises(UncertainDelivery, match="resolve post-2"):
        send_new([edition(2)], provider, Ledger.load(ledger.path), quiet)
    resolve(Ledger.load(ledger.path), "post-2", sent=True)
    report = send_new([edition(2)], provider, Ledger.load(ledger.path), quiet)
    assert report.sent == [] and provider.calls == ["post-2"]
