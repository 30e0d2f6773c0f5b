"""What goes into the search index, and the Pagefind bundle it makes (real Pagefind)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from condividi.search.config import SearchConfig
from condividi.search.index import (
    SearchDocument,
    SearchError,
    document_html,
    prune_bundle,
    read_fragments,
    search_documents,
    searchable,
    write_index,
)


def post(slug: str, lang: str = "it", **extra: object) -> SimpleNamespace:
    fields = {
        "url": f"{slug}/" if lang == "it" else f"{lang}/{slug}/",
        "save_as": f"{slug}/index.html",
        "lang": lang,
        "title": slug.replace("-", " ").title(),
        "content": f"<p>Testo di {slug}.</p>",
        "date": datetime(2026, 3, 9, 10, 30),
        "status": "published",
        "metadata": {},
        "source_path": f"/site/content/{slug}.md",
    }
    fields.update(extra)
    return SimpleNamespace(**fields)


def test_the_document_holds_only_the_title_and_body_in_its_language() -> None:
    html = document_html("Il <em>titolo</em>", "<p>Il corpo.</p>", "it", "2026-03-09")
    assert '<html lang="it">' in html
    assert '<main data-pagefind-body data-pagefind-meta="date:2026-03-09"><h1>Il <em>titolo' in html
    assert "<nav" not in html and "<footer" not in html
    assert "data-pagefind-meta" not in document_html("Chi sono", "<p>x</p>", "it")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, True),
        ({"status": "draft"}, False),
        ({"status": "hidden"}, False),
        ({"save_as": ""}, False),
        ({"metadata": {"search": "no"}}, False),
        ({"metadata": {"search": "False"}}, False),
        ({"metadata": {"search": "yes"}}, True),
    ],
)
def test_only_published_written_content_is_searchable(changes: dict, expected: bool) -> None:
    assert searchable(post("saggio", **changes)) is expected


def test_documents_come_from_published_posts_pages_and_translations() -> None:
    english = post("essay", "en")
    articles = SimpleNamespace(
        articles=[post("saggio")],
        translations=[english],
        drafts=[post("bozza", status="draft")],
        hidden_articles=[post("nascosto", status="hidden")],
    )
    pages = SimpleNamespace(
        pages=[post("chi-sono", date=None)],
        translations=[],
        hidden_pages=[post("newsletter-confermata", status="hidden")],
        draft_pages=[post("pagina-bozza", status="draft")],
    )
    documents = search_documents([articles, pages], SearchConfig(), "/blog")
    assert [(d.url, d.lang) for d in documents] == [
        ("/blog/saggio/", "it"),
        ("/blog/en/essay/", "en"),
        ("/blog/chi-sono/", "it"),
    ]
    assert 'data-pagefind-meta="date:2026-03-09"' in documents[0].html
    assert "data-pagefind-meta" not in documents[2].html  # a page has no date
    assert documents[0].source == "/site/content/saggio.md"
    no_pages = search_documents([articles, pages], SearchConfig(pages=False))
    assert [d.url for d in no_pages] == ["/saggio/", "/en/essay/"]


def test_pagefind_writes_one_index_per_language_and_only_what_the_site_loads(
    tmp_path: Path,
) -> None:
    documents = [
        SearchDocument(
            "/saggio/",
            "it",
            document_html("Saggio", "<p>Chi insegue i follower.</p>", "it", "2026-03-09"),
        ),
        SearchDocument(
            "/en/essay/",
            "en",
            document_html("Essay", "<p>Sharing buttons.</p><form><p>Iscriviti</p></form>", "en"),
        ),
    ]
    folder = tmp_path / "output" / "pagefind"
    folder.mkdir(parents=True)
    (folder / "stale.txt").write_text("from an older build")
    stats = write_index(documents, folder, SearchConfig())
    assert stats.pages == {"it": 1, "en": 1} and stats.files > 0
    names = {path.name for path in folder.iterdir()}
    assert {"pagefind.js", "pagefind-entry.json", "index", "fragment"} <= names
    assert {"wasm.it.pagefind", "wasm.en.pagefind"} <= names
    assert not [n for n in names if "ui" in n or "worker" in n or n == "stale.txt"]
    assert "wasm.unknown.pagefind" not in names
    records = {record["url"]: record for record in read_fragments(folder)}
    assert set(records) == {"/saggio/", "/en/essay/"}
    assert records["/saggio/"]["meta"] == {"title": "Saggio", "date": "2026-03-09"}
    # SEARCH_EXCLUDE_SELECTORS: a form inside a body is left out.
    assert "Iscriviti" not in records["/en/essay/"]["content"]
    assert not (tmp_path / "output" / ".pagefind.indexing").exists()


def test_prune_keeps_what_the_entry_file_names(tmp_path: Path) -> None:
    languages = {"it": {"hash": "it_1", "wasm": "it"}, "xx": {"hash": "xx_2", "wasm": None}}
    (tmp_path / "pagefind-entry.json").write_text(json.dumps({"languages": languages}))
    for name in (
        "pagefind.js",
        "pagefind-ui.js",
        "pagefind.it_1.pf_meta",
        "pagefind.xx_2.pf_meta",
        "wasm.it.pagefind",
        "wasm.en.pagefind",
        "wasm.unknown.pagefind",
        "pagefind-worker.js",
    ):
        (tmp_path / name).write_text("x")
    (tmp_path / "index").mkdir()
    assert prune_bundle(tmp_path) == ["pagefind-ui.js", "pagefind-worker.js", "wasm.en.pagefind"]
    assert (tmp_path / "wasm.unknown.pagefind").exists()  # the language Pagefind cannot stem


def test_an_unreadable_bundle_is_a_search_error_and_nothing_is_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import condividi.search.index as index

    monkeypatch.setattr(index, "prune_bundle", _wrap(index.prune_bundle))
    documents = [SearchDocument("/a/", "it", document_html("A", "<p>a</p>", "it"))]
    with pytest.raises(SearchError, match="incomplete"):
        write_index(documents, tmp_path / "pagefind", SearchConfig())
    assert list(tmp_path.iterdir()) == []


def _wrap(prune):  # empties the entry file Pagefind wrote, then prunes as the build does
    def broken(folder: Path) -> list[str]:
        (folder / "pagefind-entry.json").write_text("")
        return prune(folder)

    return broken


def test_pagefind_missing_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    documents = [SearchDocument("/a/", "it", document_html("A", "<p>a</p>", "it"))]
    with pytest.raises(SearchError, match="Pagefind could not start"):
        write_index(documents, tmp_path / "pagefind", SearchConfig())
