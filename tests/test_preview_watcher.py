"""Which saved files call for which rebuild, and the real watch reporting an editor's save."""

from __future__ import annotations

import threading
from pathlib import Path

from watchfiles import Change

from condividi.build import load_settings
from condividi.preview.watcher import ChangeSet, SiteFiles, Watcher, classify
from tests.conftest import copy_project, wait_for
from tests.preview_support import POST_FILE, save


def _site(tmp_path: Path) -> SiteFiles:
    project = copy_project(tmp_path)
    settings_file = project / "pelicanconf.py"
    return SiteFiles.from_settings(load_settings(settings_file), settings_file)


def test_saved_posts_get_their_pages_and_settings_and_code_are_told_apart(
    tmp_path: Path,
) -> None:
    site = _site(tmp_path)
    post = site.content / "articles" / POST_FILE
    new_page = site.content / "pages" / "nuova.md"
    new_page.write_text("Title: Nuova\n", encoding="utf-8")
    changes = classify(
        [
            (Change.modified, str(post)),
            (Change.added, str(new_page)),
            (Change.deleted, str(site.content / "articles" / "vecchio.md")),
            (Change.modified, str(site.content / "images" / "follower-e-lettori.png")),
            (Change.modified, str(site.theme / "templates" / "base.html")),
        ],
        site,
    )
    assert changes.sources == {post, new_page}
    assert len(changes.paths) == 5 and not changes.settings and not changes.code

    other = classify(
        [
            (Change.modified, str(site.settings_file)),
            (Change.modified, str(site.plugins[0] / "condividi" / "theme.py")),
        ],
        site,
    )
    assert other.settings and other.code and not other.sources
    changes.merge(other)
    assert changes.settings and changes.code and len(changes.paths) == 7


def test_the_watch_reports_saved_posts_and_the_settings_file(tmp_path: Path) -> None:
    site = _site(tmp_path)
    batches: list[ChangeSet] = []
    lock = threading.Lock()

    def collect(changes: ChangeSet) -> None:
        with lock:
            batches.append(changes)

    def seen() -> ChangeSet:
        total = ChangeSet()
        with lock:
            for batch in batches:
                total.merge(batch)
        return total

    watcher = Watcher(site, collect)
    watcher.start()
    try:
        post = site.content / "articles" / POST_FILE
        wait_for(lambda: False, 0.3)  # let the watches settle
        save(post, post.read_text(encoding="utf-8") + "\nAggiunta.\n")
        assert wait_for(lambda: post in seen().sources, 10)
        for _ in range(2):  # each save replaces the file: the watch must outlive that
            with lock:
                batches.clear()
            save(site.settings_file, site.settings_file.read_text(encoding="utf-8") + "\n")
            assert wait_for(lambda: seen().settings, 10)
    finally:
        watcher.stop()
