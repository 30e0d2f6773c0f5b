"""What Pelican's readers made of each source file, kept in memory between rebuilds.

Pelican's own content cache (``CACHE_CONTENT``, reader layer) keeps the same data, but in one
gzipped pickle it loads and saves whole on every build: a quarter of a second of CPU at 1,000
posts (measured), half of what a one-post preview costs in all. This cache lives in the
``make serve`` process and serves only the builds :mod:`condividi.preview.pipeline` runs; a
build elsewhere (``make publish``, a test in the same process) never sees it.
"""

from __future__ import annotations

import os
import threading
from typing import Any

Stamp = tuple[int, int]


def _stamp(path: str) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_size)


class ReadCache:
    """Reader output (HTML and metadata) of each source file, valid while the file is unchanged.

    A file counts as changed when its modification time or size differ, or when it was
    :meth:`forget`-ten (the watcher forgets every file it saw change, whatever its stamp).
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[Stamp, Any]] = {}
        self._lock = threading.Lock()

    def get(self, filename: str, default: Any = None) -> Any:
        """Return what the reader made of ``filename``, or ``default`` if it changed since.

        The metadata dictionary and its lists are copies: a build may change its own.
        """
        with self._lock:
            entry = self._entries.get(filename)
        if entry is None or entry[0] != _stamp(filename):
            return default
        content, metadata = entry[1]
        if isinstance(metadata, dict):
            metadata = {
                key: list(value) if isinstance(value, list) else value
                for key, value in metadata.items()
            }
        return content, metadata

    def put(self, filename: str, data: Any) -> None:
        """Keep ``data`` (the reader's ``(content, metadata)``) for ``filename`` as it is now."""
        stamp = _stamp(filename)
        if stamp is None:
            return
        with self._lock:
            self._entries[filename] = (stamp, data)

    def forget(self, filename: str | None = None) -> None:
        """Drop what is kept for ``filename``, or for every file when it is None."""
        with self._lock:
            if filename is None:
                self._entries.clear()
            else:
                self._entries.pop(filename, None)

    def __len__(self) -> int:
        return len(self._entries)

    def attach(self, readers: Any) -> None:
        """Make Pelican's ``readers`` (a generator's :class:`pelican.readers.Readers`) use this
        cache instead of their own."""
        # Pelican's readers consult these two methods of their own cache (FileStampDataCacher);
        # saving it to disk is what the in-memory cache spares.
        readers.get_cached_data = self.get
        readers.cache_data = self.put
        readers.save_cache = _save_nothing


def _save_nothing() -> None:
    pass
