"""The send ledger: atomic JSON, states, lock."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from condividi.newsletter.ledger import (
    LEDGER_SCHEMA,
    STATES,
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


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ('{"version": 1}', "at $, 'editions' is missing"),
        ("[]", "at $, expected an object, found []"),
        ("null", "at $, expected an object, found null"),
        ('{"version": 1, "created_at": "", "editions": []}', "at $.editions, expected an object"),
        ('{"version": 1, "created_at": "", "editions": {"k": "sent"}}', "at $.editions.k"),
        (
            '{"version": 1, "created_at": "", "editions": {"k": {"state": "sent"}}}',
            "'attempts' is missing",
        ),
        ('{"version": 1, "created_at": "", "editions": {}, "extra": 1}', "unknown key(s)"),
    ],
)
def test_wrong_shape_is_refused_with_the_path_inside_the_file(
    tmp_path: Path, content: str, where: str
) -> None:
    path = tmp_path / "ledger.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LedgerError) as refused:
        Ledger.load(path)
    assert str(path) in str(refused.value)
    assert where in str(refused.value)


def test_a_missing_entry_key_is_an_error_not_a_default(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json", NOW)
    ledger.record("a", "sent", NOW, title="Primo", provider_id="c-1")
    data = json.loads(ledger.path.read_text(encoding="utf-8"))
    for key in list(data["editions"]["a"]):
        broken = json.loads(json.dumps(data))
        del broken["editions"]["a"][key]
        ledger.path.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(LedgerError, match=rf"at \$\.editions\.a, '{key}' is missing"):
            Ledger.load(ledger.path)


def test_every_state_is_in_the_schema() -> None:
    assert LEDGER_SCHEMA["properties"]["editions"]["additionalProperties"]["properties"]["state"][
        "enum"
    ] == list(STATES)


def test_a_skipped_entry_loads(tmp_path: Path) -> None:
    ledger = Ledger.create(tmp_path / "ledger.json", NOW)
    ledger.record("no-newsletter", "skipped", NOW, title="Solo sul sito")
    assert Ledger.load(ledger.path).entries["no-newsletter"].state == "skipped"
