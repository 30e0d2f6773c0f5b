"""The preview's build loop: one thread that turns saved files into quick and full builds.

After a change it writes the pages of the saved posts (a quick build, well under a second),
then rebuilds the whole site so that lists, tags and feeds follow. A change that arrives
during a full build stops it (:class:`~condividi.preview.pipeline.Superseded`): the new
change gets its quick build at once, and the full build starts again with everything read so
far still in the cache. A build that fails publishes nothing; the next change tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from condividi.preview.pipeline import Outcome, Pipeline, Superseded
from condividi.preview.watcher import ChangeSet

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """Where the preview stands.

    ``ready``: a full build of this session has succeeded (the output is this session's);
    ``busy``: a build runs or changes wait for one (the site has not caught up with the
    files); ``problems``: what stopped the last build, empty when it succeeded; ``builds``:
    how many full builds have succeeded.
    """

    ready: bool
    busy: bool
    problems: tuple[str, ...]
    builds: int


class Rebuilder:
    """Runs ``pipeline``'s builds in a thread; ``report`` gets every build's :class:`Outcome`.

    Changes come in through :meth:`changed` (the watcher's callback), from any thread.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        report: Callable[[Outcome], None],
        warn: Callable[[str], None] = print,
    ) -> None:
        self.pipeline = pipeline
        self.report = report
        self.warn = warn
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending = ChangeSet()
        self._full_needed = True  # the first build
        self._building = False
        self._stopping = False
        self._ready = False
        self._builds = 0
        self._problems: tuple[str, ...] = ()
        self._thread = threading.Thread(target=self._loop, name="rebuild", daemon=True)

    def start(self) -> None:
        """Start the first full build, then wait for changes."""
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop: a build in progress is abandoned at its next file (the output stays whole)."""
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout)

    def changed(self, changes: ChangeSet) -> None:
        """Take a batch of changes; the build in progress, if any, gives way to them."""
        with self._lock:
            self._pending.merge(changes)
            self._wake.notify_all()

    def status(self) -> Status:
        """Return where the preview stands now."""
        with self._lock:
            busy = self._building or self._full_needed or bool(self._pending)
            return Status(self._ready, busy, self._problems, self._builds)

    def is_alive(self) -> bool:
        """Tell whether the build thread runs."""
        return self._thread.is_alive()

    def _interrupted(self) -> bool:
        return self._stopping or bool(self._pending)

    def _loop(self) -> None:
        while True:
            with self._lock:
                while not (self._stopping or self._pending or self._full_needed):
                    self._wake.wait()
                if self._stopping:
                    return
                changes, self._pending = self._pending, ChangeSet()
                self._building = True
                ready = self._ready
            try:
                self._build(changes, ready)
            except Exception as error:  # keep serving: the next change tries again
                logger.exception("the preview's build loop failed")
                with self._lock:
                    self._full_needed = False
                self._finish(Outcome("full", (f"{type(error).__name__}: {error}",)))
            finally:
                with self._lock:
                    self._building = False

    def _build(self, changes: ChangeSet, ready: bool) -> None:
        if changes.settings:
            self.pipeline.forget()
        for path in changes.paths:
            self.pipeline.cache.forget(str(path))
        if changes.code:
            self.warn(
                "condividi: a plugin's code changed; restart `make serve` to use it "
                "(the running server keeps the code it started with)"
            )
        if ready and changes.sources:
            quick = self.pipeline.quick_build(changes.sources, changes.paths)
            self._finish(quick)
            if not quick.ok:
                # The whole site would fail on the same post; wait for the next change.
                with self._lock:
                    self._full_needed = False
                return
        elif changes:
            self.pipeline.drop_model()  # a template, an image, a deleted post
        if changes:
            with self._lock:
                self._full_needed = True
        try:
            full = self.pipeline.full_build(self._interrupted)
        except Superseded:
            return  # the next round builds again, with the newer changes
        with self._lock:
            self._full_needed = False
        self._finish(full)

    def _finish(self, outcome: Outcome) -> None:
        with self._lock:
            self._problems = outcome.problems
            if outcome.ok and outcome.kind == "full":
                self._ready = True
                self._builds += 1
        self.report(outcome)
