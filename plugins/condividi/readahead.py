"""Converting Markdown posts ahead of Pelican, in other processes: reading on every core.

Converting post bodies is nearly half of a build, and Pelican does it on one core. When a
build starts, :class:`ReadAhead` forks worker processes that convert every other batch of
posts while the build's own process converts the rest as Pelican asks for them; the reader
(:mod:`condividi.reader`) takes each body from its batch when Pelican reaches it. Only the
conversion moves: the front matter is parsed in the build's process, so dates, tags and
categories are that build's own objects, and the pages are the same bytes.

A post whose conversion logged anything or failed in a worker is converted again in the
build's process, so its warnings and errors reach the build exactly as without read-ahead.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from condividi.build import attached
from condividi.config import ConfigError, load_config

# Fewer posts than this: forking costs more than it saves.
MIN_POSTS_AHEAD = 64
# Posts per batch: small enough that the build never waits long for a batch, large enough
# that handing batches over costs little.
BATCH = 16

Converted = tuple[str, "dict[str, list[str]] | None"]

# The reader the workers convert with: set just before they are forked, inherited by them.
_forked_reader: Any = None


@dataclass(frozen=True)
class ReaderConfig:
    """``READER_PROCESSES``: how many processes convert posts; 0 (the default) means one per
    core, 1 turns read-ahead off."""

    processes: int = 0


def reader_processes(settings: Mapping[str, Any]) -> int:
    """Return how many processes should convert posts under ``settings`` (at least 1)."""
    config = load_config(ReaderConfig, settings, "READER")
    if config.processes < 0:
        raise ConfigError(f"setting READER_PROCESSES = {config.processes} must be 0 or more")
    return config.processes or os.cpu_count() or 1


class ReadAhead:
    """Converts ``paths`` (absolute, in the order Pelican reads them) with ``reader`` in
    ``processes - 1`` forked workers; this process converts every ``processes``-th batch,
    and any batch no worker has started by the time Pelican reaches it."""

    def __init__(self, reader: Any, paths: Sequence[str], processes: int) -> None:
        global _forked_reader
        _forked_reader = reader
        self._pending: dict[str, Future[dict[str, Converted | None]]] = {}
        context = multiprocessing.get_context("fork")
        self.pool = ProcessPoolExecutor(processes - 1, mp_context=context)
        batches = [paths[start : start + BATCH] for start in range(0, len(paths), BATCH)]
        for number, batch in enumerate(batches):
            if number % processes == 0:
                continue  # this process's share: converted when Pelican asks
            future = self.pool.submit(_convert_batch, list(batch))
            for path in batch:
                self._pending[path] = future

    def take(self, path: str) -> Converted | None:
        """Return the body and front matter a worker converted for ``path``, waiting for its
        batch; None when this process should convert it (its share, or the worker could not)."""
        future = self._pending.pop(path, None)
        if future is None or future.cancel():
            # A batch no worker has started yet is converted here rather than waited for:
            # on a busy machine the workers fall behind, and this process takes over.
            return None
        try:
            return future.result().get(path)
        except Exception:  # a worker died: convert it here
            return None

    def close(self) -> None:
        """Stop the workers (what they have not started is dropped)."""
        self.pool.shutdown(wait=True, cancel_futures=True)
        self._pending.clear()


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _convert_batch(paths: list[str]) -> dict[str, Converted | None]:
    """Convert ``paths`` in a worker; None for each one the build's process should redo."""
    results: dict[str, Converted | None] = {}
    for path in paths:
        try:
            with attached(_Logged()) as logged:
                converted = _forked_reader.convert(path)
        except Exception:
            results[path] = None
            continue
        results[path] = None if logged.count else converted
    return results
