"""The preview's build loop: two threads that turn saved files into quick and full builds.

After a change it writes the pages of the saved posts (a quick build, a tenth of a second),
then rebuilds the whole site so that lists, tags and feeds follow. Quick builds have their
own thread: a save that arrives during a full build gets its page at once, without waiting
for that build to give way, and the full build stops at its next file
(:class:`~condividi.preview.pipeline.Superseded`) and starts again with everything read so far
still in the cache. A build that fails publishes nothing; the next change tries again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
        # Saves waiting for their quick build, the one running, and the sources quick-built
        # since the running full build started (it may have read them before the save).
        self._quick_pending = ChangeSet()
        self._quick_running = False
        self._quick_since_full: set[Path] = set()
        # Saves counted as they come, and the count when the running full build started.
        self._saves = 0
        self._saves_at_full = 0
        self._thread = threading.Thread(target=self._loop, name="rebuild", daemon=True)
        self._quick_thread = threading.Thread(target=self._quick_loop, name="quick", daemon=True)

    def start(self) -> None:
        """Start the first full build, then wait for changes."""
        self._thread.start()
        self._quick_thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop: a build in progress is abandoned at its next file (the output stays whole)."""
        with self._lock:
            self._stopping = True
            self._wake.notify_all()
        for thread in (self._quick_thread, self._thread):
            if thread.ident is not None:  # started
                thread.join(timeout)

    def changed(self, changes: ChangeSet) -> None:
        """Take a batch of changes; the build in progress, if any, gives way to them.

        Saved posts and pages go to the quick builds once the site is built; anything else
        (a template, the settings, a deleted file), and every change before, to the full
        build, which starts with the quick build of any post among them.
        """
        with self._lock:
            if self._ready and changes.sources and not changes.settings:
                self._quick_pending.merge(changes)
                self._saves += 1
            else:
                self._pending.merge(changes)
            self._wake.notify_all()

    def status(self) -> Status:
        """Return where the preview stands now."""
        with self._lock:
            busy = self._building or self._full_needed or bool(self._pending) or self._quick_busy()
            return Status(self._ready, busy, self._problems, self._builds)

    def is_alive(self) -> bool:
        """Tell whether the build threads run."""
        return self._thread.is_alive() and self._quick_thread.is_alive()

    def _quick_busy(self) -> bool:
        return self._quick_running or bool(self._quick_pending)

    def _interrupted(self) -> bool:
        return self._stopping or bool(self._pending) or self._saves != self._saves_at_full

    def _quick_loop(self) -> None:
        while True:
            with self._lock:
                while not (self._stopping or self._quick_pending):
                    self._wake.wait()
                if self._stopping:
                    return
                changes, self._quick_pending = self._quick_pending, ChangeSet()
                self._quick_running = True
            try:
                self._quick(changes)
            except Exception as error:  # keep serving: the next change tries again
                logger.exception("the preview's quick build failed")
                self._finish(Outcome("quick", (f"{type(error).__name__}: {error}",)))
            finally:
                with self._lock:
                    self._quick_running = False
                    self._wake.notify_all()

    def _quick(self, changes: ChangeSet) -> None:
        for path in changes.paths:
            self.pipeline.cache.forget(str(path))
        if changes.code:
            self._warn_code()
        quick = self.pipeline.quick_build(changes.sources, changes.paths)
        self._finish(quick)
        with self._lock:
            # A post that does not build keeps the whole site from building: wait for a fix.
            self._full_needed = quick.ok
            if quick.ok and self._building:
                self._quick_since_full |= changes.sources
            self._wake.notify_all()

    def _warn_code(self) -> None:
        self.warn(
            "condividi: a plugin's code changed; restart `make serve` to use it "
            "(the running server keeps the code it started with)"
        )

    def _loop(self) -> None:
        while True:
            with self._lock:
                # A quick build goes first: the full build would only give way to it.
                while not self._stopping and (
                    self._quick_busy() or not (self._pending or self._full_needed)
                ):
                    self._wake.wait()
                if self._stopping:
                    return
                changes, self._pending = self._pending, ChangeSet()
                self._building = True
                self._quick_since_full = set()
                self._saves_at_full = self._saves
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
            self._warn_code()
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
            # Saved while this build ran, past its last look at the changes: its pages may
            # be older than the quick ones it replaced, so they are written again, and the
            # site built once more.
            again, self._quick_since_full = self._quick_since_full, set()
            if again and full.ok:
                self._quick_pending.merge(ChangeSet(paths=set(again), sources=set(again)))
                self._wake.notify_all()
        self._finish(full)
        if full.ok and not again:
            after = self.pipeline.finish_later(self._interrupted)
            if after is not None:
                self._finish(after)

    def _finish(self, outcome: Outcome) -> None:
        with self._lock:
            self._problems = outcome.problems
            if outcome.ok and outcome.kind == "full":
                self._ready = True
                self._builds += 1
        self.report(outcome)
