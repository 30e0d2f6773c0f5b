"""The send ledger: which edition went out when, kept in a JSON file in git.

Every edition is recorded *before* the provider call (``sending``) and *after* it (``sent``), so
an interrupted run leaves a trace that the next run reconciles with the provider before it
retries anything. Writes are atomic (a temporary file, fsync, then ``os.replace``) and a lock
keeps two runs from sending at once.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from condividi.files import write_atomically

LEDGER_VERSION = 1

# "skipped": a post whose front matter says ``Newsletter: no``; settled like "archived".
EntryState = Literal["archived", "sending", "sent", "skipped"]
STATES: tuple[EntryState, ...] = ("archived", "sending", "sent", "skipped")


class LedgerError(RuntimeError):
    """The ledger file is missing, unreadable, or says something impossible."""


class LedgerMissing(LedgerError):
    """No ledger yet: the archive must be recorded with ``init`` before the first send."""


class LedgerBusy(LedgerError):
    """Another run holds the ledger's lock."""


@dataclass
class Entry:
    """One edition's record: its state, the provider's id for it, and when things happened."""

    state: EntryState
    title: str = ""
    url: str = ""
    provider: str = ""
    provider_id: str | None = None
    attempts: int = 0
    updated_at: str = ""
    sent_at: str | None = None
    last_error: str | None = None


@dataclass
class Ledger:
    """All entries by edition key, plus when the ledger was started."""

    path: Path
    created_at: str
    entries: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def create(cls, path: Path, now: datetime | None = None) -> Ledger:
        """Return a new, empty ledger for ``path`` (not yet written)."""
        return cls(path=path, created_at=timestamp(now))

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """Read the ledger at ``path``; raise :class:`LedgerMissing` or :class:`LedgerError`."""
        if not path.exists():
            raise LedgerMissing(f"no send ledger at {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise LedgerError(f"{path} is not a readable ledger: {error}") from error
        return cls.from_dict(path, data)

    @classmethod
    def from_dict(cls, path: Path, data: dict[str, Any]) -> Ledger:
        """Build a ledger from its JSON form, checking the version and every state."""
        if data.get("version") != LEDGER_VERSION:
            raise LedgerError(f"{path}: unknown ledger version {data.get('version')!r}")
        entries: dict[str, Entry] = {}
        for key, raw in data.get("editions", {}).items():
            if raw.get("state") not in STATES:
                raise LedgerError(f"{path}: edition {key!r} has unknown state {raw.get('state')!r}")
            entries[key] = Entry(**raw)
        return cls(path=path, created_at=str(data.get("created_at", "")), entries=entries)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form: stable key order so diffs in git stay small."""
        return {
            "version": LEDGER_VERSION,
            "created_at": self.created_at,
            "editions": {key: asdict(self.entries[key]) for key in sorted(self.entries)},
        }

    def save(self) -> None:
        """Write the ledger atomically: a reader sees the old file or the new one, never half."""
        write_atomically(self.path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n")

    def record(
        self, key: str, state: EntryState, now: datetime | None = None, **values: Any
    ) -> Entry:
        """Set ``key``'s state (creating the entry), update ``values``, save; return it."""
        entry = self.entries.get(key) or Entry(state=state)
        entry.state = state
        for name, value in values.items():
            setattr(entry, name, value)
        entry.updated_at = timestamp(now)
        if state == "sent" and entry.sent_at is None:
            entry.sent_at = entry.updated_at
        self.entries[key] = entry
        self.save()
        return entry

    def pending(self) -> list[str]:
        """Return the keys of editions whose delivery was started but not confirmed."""
        return [key for key, entry in self.entries.items() if entry.state == "sending"]


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the ledger at ``path``; raise :class:`LedgerBusy` if taken."""
    lock_path = path.with_name(f".{path.name}.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            raise LedgerBusy(f"another newsletter run holds {lock_path}") from error
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def timestamp(now: datetime | None = None) -> str:
    """Return ``now`` (default: the current time) as an ISO 8601 UTC timestamp in seconds."""
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
