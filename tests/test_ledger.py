"""The send ledger: atomic JSON, states, lock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from condividi.newsletter.ledger import (
    Ledger,
    LedgerBusy,
    LedgerError,
    LedgerMissing,
    locked,
    write_atomically,
)

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def test_round_trip_is_stable_and_human_readable(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json", NOW)
    ledger.record("b", "sending", NOW, title="Secondo", attempts=1)
    ledger.record("a", "sent", NOW, title="Primo", provider_id="c-1")
    text = (tmp_path / "ledger.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert list(data["editions"]) == ["a", "b"]
    assert data["editions"]["a"]["sent_at"] == "2026-11-26T10:00:00+00:00"
    assert "\n  " in text, "indented for diffs in git"
    again = Ledger.load(tmp_path / "ledger.json")
    assert again.entries == ledger.entries
    assert again.pending() == ["b"]


def test_missing_ledger(tmp_path: Path) -> None:
    with pytest.raises(LedgerMissing):
        Ledger.load(tmp_path / "nope.json")


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        '{"version": 99, "editions": {}}',
        '{"version": 1, "editions": {"k": {"state": "boh"}}}',
    ],
)
def test_corrupt_ledger_is_refused_with_its_path(tmp_path: Path, content: str) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LedgerError, match=r"ledger\.json"):
        Ledger.load(path)


def test_atomic_write_leaves_old_file_when_interrupted(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "ledger.json"
    write_atomically(path, "old")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(path, "new")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.json"]


def test_lock_is_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    with locked(path), pytest.raises(LedgerBusy), locked(path):
        pass
    with locked(path):
        pass
