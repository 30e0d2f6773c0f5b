"""The journal of one subscriber import: every address before and after its provider call.

A run records ``started`` for an address *before* calling the provider and its outcome after,
so a run stopped anywhere (Ctrl-C, a crash, the provider down) leaves a trace the next run
reconciles instead of mailing anyone twice (:mod:`condividi.migrate.subscriber_import`).

The journal is a JSON-lines file: a header line naming the import, then one line per event,
each appended and ``fsync``-ed before the run goes on. Appending keeps a long import linear
(rewriting the whole file for each of 10,000 addresses would write gigabytes); a line cut short
by a crash can only be the last one, and is ignored (it described a call not yet made, or an
outcome the next run asks the provider about). Each run starts by rewriting the journal
compacted, one line per address, with :func:`condividi.files.write_atomically`.

It holds personal data (email addresses): it lives under the project's git-ignored ``var/``
(:func:`journal_folder`), never in ``output/`` or in git, and may be deleted once the import is
finished.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from condividi.files import write_atomically
from condividi.newsletter.ledger import timestamp

JOURNAL_VERSION = 1
KIND = "condividi-subscriber-import"

# started: the provider call may be under way. pending / confirmed / already / unsubscribed /
# invalid: settled, never retried. failed / refused: the provider did not act: retried by the
# next run. uncertain: the call may have mailed the reader; retried only when asked.
EntryState = Literal[
    "started",
    "pending",
    "confirmed",
    "already",
    "unsubscribed",
    "invalid",
    "failed",
    "refused",
    "uncertain",
]
STATES: tuple[EntryState, ...] = get_args(EntryState)
SETTLED: frozenset[EntryState] = frozenset(
    {"pending", "confirmed", "already", "unsubscribed", "invalid"}
)


class JournalError(RuntimeError):
    """The journal file is unreadable or belongs to another import."""


@dataclass
class Entry:
    """The latest state of one address, when it was recorded, and the provider's words."""

    state: EntryState
    at: str
    detail: str = ""


@dataclass
class Journal:
    """One import's journal: its header (what is imported where) and each address's state.

    Build it with :meth:`open`; :meth:`record` appends an event and makes it durable.
    """

    path: Path
    header: dict[str, Any]
    entries: dict[str, Entry] = field(default_factory=dict)
    _fd: int | None = None

    @classmethod
    def read(cls, path: Path, header: Mapping[str, Any]) -> Journal:
        """Return the journal at ``path`` as recorded (empty when there is none), read-only.

        ``header`` is what this import is (file, provider, mode...); a journal recorded for
        another import raises :class:`JournalError`.
        """
        journal = cls(path=path, header=dict(header))
        if not path.exists():
            return journal
        try:
            lines = path.read_bytes().split(b"\n")
        except OSError as error:
            raise JournalError(f"{path} cannot be read: {error}") from error
        complete = lines[:-1]  # after the last newline: nothing, or a line cut short
        if not complete:
            return journal
        first = _parse(complete[0], path, 1)
        if first.get("kind") != KIND or first.get("version") != JOURNAL_VERSION:
            raise JournalError(f"{path} is not a subscriber import journal we can read")
        if first.get("import_id") != header.get("import_id"):
            raise JournalError(
                f"{path} is the journal of import {first.get('import_id')!r}, not "
                f"{header.get('import_id')!r}"
            )
        stored = {k: v for k, v in first.items() if k not in ("kind", "version")}
        journal.header = {**stored, **header}
        for number, line in enumerate(complete[1:], start=2):
            event = _parse(line, path, number)
            state = event.get("state")
            if state not in STATES or not isinstance(event.get("email"), str):
                raise JournalError(f"{path}, line {number}: not a journal event: {line[:80]!r}")
            journal.entries[event["email"]] = Entry(
                state, str(event.get("at", "")), str(event.get("detail", ""))
            )
        return journal

    @classmethod
    def open(cls, path: Path, header: Mapping[str, Any]) -> Journal:
        """Read the journal at ``path`` (or start one), rewrite it compacted, open it to append.

        Use it as a context manager, or :meth:`close` it. Raises :class:`JournalError`.
        """
        journal = cls.read(path, header)
        journal.header.setdefault("created_at", timestamp())
        lines = [_line({"kind": KIND, "version": JOURNAL_VERSION, **journal.header})]
        lines.extend(_line(_event(email, e)) for email, e in journal.entries.items())
        write_atomically(path, b"".join(lines))
        journal._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        return journal

    def record(self, email: str, state: EntryState, detail: str = "") -> Entry:
        """Set ``email``'s state (with the provider's ``detail``), durably; return the entry."""
        if self._fd is None:
            raise JournalError(f"{self.path} is not open for writing")
        entry = Entry(state, timestamp(), detail)
        os.write(self._fd, _line(_event(email, entry)))
        os.fsync(self._fd)
        self.entries[email] = entry
        return entry

    def state(self, email: str) -> EntryState | None:
        """Return ``email``'s latest state, or None when this import never reached it."""
        entry = self.entries.get(email)
        return entry.state if entry else None

    def close(self) -> None:
        """Stop appending (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _event(email: str, entry: Entry) -> dict[str, str]:
    event = {"email": email, "state": entry.state, "at": entry.at}
    if entry.detail:
        event["detail"] = entry.detail
    return event


def _line(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _parse(line: bytes, path: Path, number: int) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError as error:
        raise JournalError(f"{path}, line {number}: not JSON ({error})") from error
    if not isinstance(data, dict):
        raise JournalError(f"{path}, line {number}: not a journal line")
    return data


def journal_folder(project: Path) -> Path:
    """Return where the import journals of the project at ``project`` live (git-ignored)."""
    return project / "var" / "imports" / "subscribers"
