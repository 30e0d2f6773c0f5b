"""Content-addressed file caches: a file is named by the hash of everything that made it.

Such a file never changes once written, so a build can reuse it instead of making it again,
and the output can share it through a hard link instead of a copy. The social cards, the
minified scripts and styles and the feeds are kept this way under ``CACHE_PATH``.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import time
from collections.abc import Callable
from pathlib import Path

from condividi.files import file_mode, write_atomically


def digest(*parts: str | bytes) -> str:
    """Return the hex SHA-256 of ``parts``, each one delimited, so ("ab", "c") ≠ ("a", "bc")."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


class FileCache:
    """A folder of files named ``<key><suffix>``; counts what it made and what it reused."""

    def __init__(self, folder: Path, suffix: str) -> None:
        self.folder = folder
        self.suffix = suffix
        self.made = 0
        self.reused = 0
        self.used: set[Path] = set()

    def path(self, key: str) -> Path:
        """Return where the file of ``key`` is (or would be) kept."""
        return self.folder / f"{key}{self.suffix}"

    def get(self, key: str, make: Callable[[], bytes]) -> Path:
        """Return the file of ``key``, writing ``make()`` there first when the cache lacks it."""
        path = self.path(key)
        self.used.add(path)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            pass
        else:
            if mode != file_mode():  # made private by an older version of this cache
                path.chmod(file_mode())
            self.reused += 1
            return path
        self.put(path, make())
        self.made += 1
        return path

    def put(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` in the cache, atomically.

        Written to a temporary file then renamed, so a build running at the same time never
        reads half a file.
        """
        write_atomically(path, data, durable=False)

    def prune(self, older_than: float = 0.0) -> int:
        """Delete the cached files this cache did not hand out; return how many it deleted.

        For caches whose every file is asked for on each build (the feeds): what a build did
        not ask for is stale. Only files last changed more than ``older_than`` seconds ago go,
        so another build running at the same time keeps what it just made. Outputs linked to
        a deleted file keep their copy.
        """
        if not self.folder.is_dir():
            return 0
        deadline = time.time() - older_than
        deleted = 0
        for path in self.folder.glob(f"*{self.suffix}"):
            if path in self.used:
                continue
            try:
                if path.stat().st_mtime <= deadline:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:  # another build pruned it first
                continue
        return deleted


def publish_file(source: Path, destination: Path) -> None:
    """Put the file ``source`` at ``destination``: a hard link when both are on one file system.

    A cached file never changes (its name is the hash of what made it), so the output can share
    it: a thousand files cost a thousand links instead of a thousand copies. Falls back to a copy
    where links are not possible (another file system, no link support). Whatever was at
    ``destination`` is replaced, never written through: it may be a link to another cached file.
    """
    destination.unlink(missing_ok=True)
    try:
        destination.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, destination)
