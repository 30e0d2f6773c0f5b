"""The preview's builds, for real on a copy of the sample site: a saved post on its page at
once, the site converging to exactly what a full build writes, broken posts, interruptions."""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from pelican import signals

from condividi.build import build_site
from condividi.preview.pipeline import Pipeline, Superseded, changed_files
from tests.conftest import copy_project, wait_for
from tests.preview_support import OTHER_POST, POST, POST_FILE, Preview, preview, save, tree

__all__ = ["preview"]  # the fixture, used by the tests below


def _front(text: str, field: str, value: str) -> str:
    """Return the post ``text`` with its ``field:`` line set to ``value``."""
    return re.sub(rf"(?m)^{field}:.*$", f"{field}: {value}", text, count=1)


NEW_POST = """Title: Un saggio appena scritto
Date: 2026-11-20 10:00
Category: Strategia
Tags: newsletter, fiducia
Summary: Scritto mentre il sito era in anteprima.

Il primo paragrafo di un saggio nuovo.
"""


def test_edits_additions_renames_and_deletions_converge_to_a_full_build(
    preview: Preview, tmp_path: Path
) -> None:
    articles = preview.articles
    post = articles / POST_FILE
    original = post.read_text(encoding="utf-8")

    # A body edit: on its page at once, and the full build that follows finds it already right.
    save(post, original + "\nUna frase aggiunta in anteprima.\n")
    preview.wait_for_text(f"/{POST}/", "Una frase aggiunta in anteprima.")
    reports: list = []
    preview.site.rebuilder.report = reports.append
    preview.wait_idle()
    full = [outcome for outcome in reports if outcome.kind == "full"]
    assert full and full[-1].ok
    assert f"{POST}/index.html" not in full[-1].changed, "the quick page differed from the full"
    assert "feeds/atom.xml" in full[-1].changed  # the feeds carry the whole post
    preview.site.rebuilder.report = preview.site._report

    # Front matter: new tags and summary, which lists and tag pages show.
    edited = _front(
        _front(original, "Tags", "fiducia, anteprima"), "Summary", "Un riassunto nuovo."
    )
    save(post, edited)
    preview.wait_for_text(f"/{POST}/", "Un riassunto nuovo.")
    preview.wait_idle()
    assert "Un riassunto nuovo." in preview.get("/tag/anteprima/").text

    # A new post, then a new title for it (its slug, so its URL, follows the title).
    save(articles / "un-saggio-appena-scritto.md", NEW_POST)
    preview.wait_for_text("/un-saggio-appena-scritto/", "Il primo paragrafo")
    save(articles / "un-saggio-appena-scritto.md", _front(NEW_POST, "Title", "Un titolo cambiato"))
    preview.wait_for_text("/un-titolo-cambiato/", "Il primo paragrafo")
    preview.wait_idle()
    assert preview.get("/un-saggio-appena-scritto/").status == 404

    # A post moved to another file (same slug) and another one deleted.
    (articles / "2026").mkdir()
    (articles / f"{OTHER_POST}.md").rename(articles / "2026" / f"{OTHER_POST}.md")
    (articles / "why-we-left-the-share-button-scripts-behind.md").unlink()
    preview.wait_idle()
    assert preview.get("/en/why-we-left-the-share-button-scripts-behind/").status == 404

    # An image added, a template changed.
    shutil.copy(
        articles.parent / "images" / "follower-e-lettori.png",
        articles.parent / "images" / "nuova.png",
    )
    footer = preview.project / "theme" / "templates" / "base.html"
    save(
        footer, footer.read_text(encoding="utf-8").replace("</footer>", "<p>Anteprima</p></footer>")
    )
    preview.wait_idle()
    assert "<p>Anteprima</p>" in preview.get("/").text
    preview.site.stop()

    fresh = build_site(
        preview.project / "pelicanconf.py", tmp_path / "fresh", dict(preview.overrides)
    )
    served, built = tree(preview.output), tree(fresh)
    assert sorted(set(served) ^ set(built)) == []
    assert [name for name in built if served[name] != built[name]] == []


def test_a_broken_post_keeps_the_site_served_and_says_why(
    preview: Preview, capsys: pytest.CaptureFixture[str]
) -> None:
    post = preview.articles / POST_FILE
    original = post.read_text(encoding="utf-8")
    before = preview.get(f"/{POST}/").body

    save(post, _front(original, "Date", "il 45 del mese"))
    preview.wait_idle()
    status = preview.status()
    assert status.ready and len(status.problems) == 1
    assert POST_FILE in status.problems[0] and "il 45 del mese" in status.problems[0]
    assert preview.get(f"/{POST}/").body == before  # the last good page, still served
    assert preview.get("/").status == 200
    assert preview.served_status()["problems"] == list(status.problems)
    out = capsys.readouterr().out
    assert "the site was not rebuilt" in out and POST_FILE in out

    save(post, original + "\nDi nuovo a posto.\n")
    preview.wait_for_text(f"/{POST}/", "Di nuovo a posto.")
    assert preview.wait_idle().problems == ()


def test_an_interrupted_full_build_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    project = tmp_path / "site"
    project.mkdir()
    copy_project(project)
    pipeline = Pipeline(
        project / "pelicanconf.py", project / "output", {"CACHE_PATH": str(tmp_path / "cache")}
    )
    assert pipeline.full_build().ok
    before = tree(project / "output")
    read = len(pipeline.cache)
    assert read >= 8  # every post and page is kept

    pages_written = 0

    def after_a_few_pages() -> bool:
        nonlocal pages_written
        pages_written += 1
        return pages_written > 20

    (project / "content" / "articles" / POST_FILE).write_text("Title: Rotto\n", encoding="utf-8")
    with pytest.raises(Superseded):
        pipeline.full_build(after_a_few_pages)
    assert tree(project / "output") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".output")] == []


def test_changed_files_lists_additions_removals_and_other_bytes(tmp_path: Path) -> None:
    new, old = tmp_path / "new", tmp_path / "old"
    for folder in (new, old):
        (folder / "a").mkdir(parents=True)
        (folder / "a" / "same.html").write_text("uguale")
    (new / "a" / "other.html").write_text("nuovo")
    (old / "a" / "other.html").write_text("vecchio")
    (new / "added.xml").write_text("x")
    (old / "removed.css").write_text("x")
    assert changed_files(new, old) == ["a/other.html", "added.xml", "removed.css"]


def _pipeline(tmp_path: Path) -> tuple[Path, Pipeline]:
    project = tmp_path / "site"
    project.mkdir()
    copy_project(project)
    overrides = {"CACHE_PATH": str(tmp_path / "cache")}
    return project, Pipeline(project / "pelicanconf.py", project / "output", overrides)


def test_a_post_saved_in_place_is_replaced_in_the_kept_model_and_matches_a_full_build(
    tmp_path: Path,
) -> None:
    project, pipeline = _pipeline(tmp_path)
    assert pipeline.full_build().ok
    model = pipeline.model
    assert model is not None
    post = project / "content" / "articles" / POST_FILE
    original = post.read_text(encoding="utf-8")
    old = model.find(str(post.resolve()))[1]

    # Written in place (no rename), with a new summary the page's metadata shows.
    post.write_text(
        _front(original, "Summary", "Un riassunto scritto sul posto.")
        + "\nUna frase scritta sul posto.\n",
        encoding="utf-8",
    )
    pipeline.cache.forget(str(post))
    quick = pipeline.quick_build([post], [post])
    assert quick.ok and quick.changed == (f"{POST}/index.html",)
    assert pipeline.model is model  # replaced in the kept model, not built again
    new = model.find(str(post.resolve()))[1]
    assert new is not old and "Una frase scritta sul posto." in new.content
    assert new.prev_article is old.prev_article and new.next_article is old.next_article
    assert old.next_article.prev_article is new  # the neighbours point at the new post
    page = (project / "output" / POST / "index.html").read_text(encoding="utf-8")
    assert "Una frase scritta sul posto." in page and "Un riassunto scritto sul posto." in page

    fresh = build_site(project / "pelicanconf.py", tmp_path / "fresh", dict(pipeline.overrides))
    assert (fresh / POST / "index.html").read_bytes() == (
        project / "output" / POST / "index.html"
    ).read_bytes()


def test_a_save_that_moves_the_post_in_the_site_builds_the_model_again(tmp_path: Path) -> None:
    project, pipeline = _pipeline(tmp_path)
    assert pipeline.full_build().ok
    model = pipeline.model
    post = project / "content" / "articles" / POST_FILE
    save(post, _front(post.read_text(encoding="utf-8"), "Tags", "fiducia, anteprima"))
    pipeline.cache.forget(str(post))
    quick = pipeline.quick_build([post], [post, post.with_name(f".{POST_FILE}.saving")])
    assert quick.ok and quick.changed == (f"{POST}/index.html",)
    assert pipeline.model is not None and pipeline.model is not model
    assert "anteprima" in [str(tag) for tag in pipeline.model.find(str(post.resolve()))[1].tags]


def test_a_save_during_the_full_build_wins_and_the_site_converges(
    preview: Preview, tmp_path: Path
) -> None:
    post = preview.articles / POST_FILE
    original = post.read_text(encoding="utf-8")
    site = preview.site
    reports: list = []

    def report(outcome: Any) -> None:
        reports.append(outcome)
        site._report(outcome)

    site.rebuilder.report = report
    second_save_seen = threading.Event()
    holding = threading.Event()
    hand_on = site.watcher.on_changes

    def on_changes(changes: Any) -> None:
        hand_on(changes)
        if holding.is_set() and post in changes.sources:
            second_save_seen.set()

    site.watcher.on_changes = on_changes

    def hold_the_full_build(sender: Any, **kwargs: Any) -> None:
        # The first page the full build after the first save writes: hold it there until the
        # second save has reached the build loop, as if the build were slow.
        if reports and not holding.is_set():
            holding.set()
            assert second_save_seen.wait(30)

    signals.content_written.connect(hold_the_full_build)
    try:
        with post.open("a", encoding="utf-8") as file:  # saved in place, twice
            file.write("\nPrima aggiunta.\n")
        preview.wait_for_text(f"/{POST}/", "Prima aggiunta.")
        assert wait_for(holding.is_set, 60), "the full build never started"
        with post.open("a", encoding="utf-8") as file:
            file.write("\nSeconda aggiunta.\n")
        preview.wait_for_text(f"/{POST}/", "Seconda aggiunta.")
        preview.wait_idle()
    finally:
        signals.content_written.disconnect(hold_the_full_build)
    # The full build of the first save gave way: the second save's page, then one full build.
    assert [outcome.kind for outcome in reports] == ["quick", "quick", "full"]
    assert all(outcome.ok for outcome in reports)
    site.stop()
    fresh = build_site(preview.project / "pelicanconf.py", tmp_path / "fresh", preview.overrides)
    assert tree(preview.output) == tree(fresh)
    assert original in post.read_text(encoding="utf-8")


def test_a_first_build_serves_its_pages_then_draws_the_social_cards(tmp_path: Path) -> None:
    project, pipeline = _pipeline(tmp_path)
    full = pipeline.full_build()
    assert full.ok and pipeline.later  # cards are left for after the pages
    card = project / "output" / "cards" / f"{POST}.png"
    assert (project / "output" / POST / "index.html").is_file() and not card.exists()
    after = pipeline.finish_later()
    assert after is not None and after.ok and f"cards/{POST}.png" in after.changed
    assert card.is_file() and pipeline.finish_later() is None
    fresh = build_site(project / "pelicanconf.py", tmp_path / "fresh", dict(pipeline.overrides))
    assert tree(project / "output") == tree(fresh)
