"""The preview's build loop with a scripted pipeline: which builds follow which changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from condividi.preview.pipeline import Outcome, Superseded
from condividi.preview.readcache import ReadCache
from condividi.preview.rebuilder import Rebuilder
from condividi.preview.watcher import ChangeSet
from tests.conftest import wait_for

POST = Path("/sito/content/articles/saggio.md")


class ScriptedPipeline:
    """Records each build it is asked for; ``full`` decides what a full build does."""

    def __init__(self, full: Callable[[Callable[[], bool]], Outcome]) -> None:
        self.cache = ReadCache()
        self.builds: list[str] = []
        self.full = full
        self.forgotten = 0
        self.models_dropped = 0

    def forget(self) -> None:
        self.forgotten += 1

    def drop_model(self) -> None:
        self.models_dropped += 1

    def quick_build(self, sources: set[Path], changed: set[Path] = frozenset()) -> Outcome:
        self.builds.append("quick")
        if any("rotto" in path.name for path in sources):
            return Outcome("quick", ("rotto.md: no title",))
        return Outcome("quick", (), ("saggio/index.html",))

    def full_build(self, interrupted: Callable[[], bool]) -> Outcome:
        self.builds.append("full")
        return self.full(interrupted)

    def finish_later(self, interrupted: Callable[[], bool]) -> Outcome | None:
        return None


def _ok(interrupted: Callable[[], bool]) -> Outcome:
    return Outcome("full", (), ("index.html",))


def _run(pipeline: ScriptedPipeline) -> tuple[Rebuilder, list[Outcome]]:
    reports: list[Outcome] = []
    rebuilder = Rebuilder(pipeline, reports.append, warn=lambda message: None)
    rebuilder.start()
    assert wait_for(lambda: not rebuilder.status().busy, 10)
    return rebuilder, reports


def test_a_saved_post_gets_its_page_then_the_whole_site() -> None:
    pipeline = ScriptedPipeline(_ok)
    rebuilder, reports = _run(pipeline)
    try:
        assert pipeline.builds == ["full"] and rebuilder.status().ready
        rebuilder.changed(ChangeSet(paths={POST}, sources={POST}))
        assert wait_for(lambda: len(reports) == 3, 10)
        assert pipeline.builds == ["full", "quick", "full"]
        template = Path("/sito/theme/templates/base.html")
        rebuilder.changed(ChangeSet(paths={template}))
        assert wait_for(lambda: len(reports) == 4, 10)
        assert pipeline.builds[-1] == "full"  # nothing to write at once: the whole site
        assert pipeline.models_dropped == 1  # a template is in every page of the model
        rebuilder.changed(ChangeSet(paths={Path("/sito/pelicanconf.py")}, settings=True))
        assert wait_for(lambda: len(reports) == 5, 10) and pipeline.forgotten == 1
    finally:
        rebuilder.stop()


def test_a_broken_post_stops_at_its_quick_build() -> None:
    pipeline = ScriptedPipeline(_ok)
    rebuilder, reports = _run(pipeline)
    try:
        broken = POST.with_name("rotto.md")
        rebuilder.changed(ChangeSet(paths={broken}, sources={broken}))
        assert wait_for(lambda: len(reports) == 2, 10)
        assert wait_for(lambda: not rebuilder.status().busy, 10)
        assert pipeline.builds == ["full", "quick"]
        assert rebuilder.status().problems == ("rotto.md: no title",)
        assert rebuilder.status().ready  # the last good site is still served
    finally:
        rebuilder.stop()


def test_a_newer_change_stops_the_full_build_and_gets_its_page_first() -> None:
    started = threading.Event()

    def slow(interrupted: Callable[[], bool]) -> Outcome:
        if len(pipeline.builds) == 3:  # the full build after the first edit: wait for more
            started.set()
            assert wait_for(interrupted, 10)
            raise Superseded
        return _ok(interrupted)

    pipeline = ScriptedPipeline(slow)
    rebuilder, reports = _run(pipeline)
    try:
        rebuilder.changed(ChangeSet(paths={POST}, sources={POST}))
        assert started.wait(10)
        rebuilder.changed(ChangeSet(paths={POST}, sources={POST}))
        assert wait_for(lambda: len(reports) == 4, 10)
        assert pipeline.builds == ["full", "quick", "full", "quick", "full"]
        assert [outcome.kind for outcome in reports] == ["full", "quick", "quick", "full"]
    finally:
        rebuilder.stop()


def test_an_unexpected_failure_is_reported_and_the_loop_goes_on() -> None:
    def failing(interrupted: Callable[[], bool]) -> Outcome:
        if len(pipeline.builds) == 1:
            raise OSError("disk full")
        return _ok(interrupted)

    pipeline = ScriptedPipeline(failing)
    rebuilder, reports = _run(pipeline)
    try:
        assert reports[0].problems == ("OSError: disk full",)
        assert rebuilder.is_alive() and not rebuilder.status().ready
        rebuilder.changed(ChangeSet(paths={POST}, sources={POST}))
        assert wait_for(lambda: rebuilder.status().ready, 10)
        assert pipeline.builds == ["full", "full"]  # not ready yet: no quick build
    finally:
        rebuilder.stop()
