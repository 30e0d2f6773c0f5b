"""The subscriber import journal: durable events, torn last lines, compaction, its place."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from condividi.migrate.subscriber_journal import Journal, JournalError, journal_folder
from tests.conftest import ROOT

HEADER = {"import_id": "abc123-local-0000-reconfirm", "provider": "local", "mode": "reconfirm"}


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_events_are_appended_and_read_back(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal.open(path, HEADER) as journal:
        journal.record("a@example.org", "started")
        journal.record("a@example.org", "pending")
        journal.record("b@example.org", "started")
    found = Journal.read(path, HEADER)
    assert found.state("a@example.org") == "pending"
    assert found.state("b@example.org") == "started"
    assert found.state("c@example.org") is None
    assert found.header["created_at"]
    assert [e.get("state") for e in lines(path)] == [None, "started", "pending", "started"]


def test_opening_again_compacts_to_one_line_per_address(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal.open(path, HEADER) as journal:
        for state in ("started", "failed", "started", "pending"):
            journal.record("a@example.org", state, "detail" if state == "failed" else "")
    created = Journal.read(path, HEADER).header["created_at"]
    with Journal.open(path, HEADER) as journal:
        assert journal.state("a@example.org") == "pending"
    [header, only] = lines(path)
    assert header["kind"] == "condividi-subscriber-import"
    assert header["created_at"] == created
    assert only["email"] == "a@example.org" and only["state"] == "pending"


def test_a_line_cut_short_by_a_crash_is_ignored(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal.open(path, HEADER) as journal:
        journal.record("a@example.org", "started")
    with path.open("ab") as handle:
        handle.write(b'{"email":"a@example.org","state":"pen')
    assert Journal.read(path, HEADER).state("a@example.org") == "started"
    with Journal.open(path, HEADER) as journal:  # and the torn line is gone after compaction
        journal.record("a@example.org", "pending")
    assert Journal.read(path, HEADER).state("a@example.org") == "pending"


def test_a_damaged_line_in_the_middle_is_an_error_naming_it(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal.open(path, HEADER) as journal:
        journal.record("a@example.org", "started")
    text = path.read_text().replace('"state":"started"', '"state":"sent-ish"')
    path.write_text(text + '{"email":"b@example.org","state":"pending"}\n')
    with pytest.raises(JournalError, match=r"journal.jsonl, line 2: not a journal event"):
        Journal.read(path, HEADER)


def test_another_imports_journal_is_refused(tmp_path):
    path = tmp_path / "journal.jsonl"
    with Journal.open(path, HEADER):
        pass
    with pytest.raises(JournalError, match="is the journal of import 'abc123"):
        Journal.read(path, {**HEADER, "import_id": "other"})


def test_recording_needs_an_open_journal(tmp_path):
    journal = Journal.read(tmp_path / "journal.jsonl", HEADER)
    with pytest.raises(JournalError, match="not open for writing"):
        journal.record("a@example.org", "started")
    assert not (tmp_path / "journal.jsonl").exists()  # reading writes nothing


def test_journals_live_where_git_ignores_them():
    path = journal_folder(ROOT) / "0123456789abcdef-local-00000000-reconfirm.jsonl"
    relative = path.relative_to(ROOT)
    assert relative.parts[0] == "var"
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", str(relative)], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0, f"{relative} is not ignored by git"
