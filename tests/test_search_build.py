"""Search in a built copy of the sample site: what the index holds, the pages, the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from condividi.build import BuildError
from condividi.preview.pipeline import Pipeline
from condividi.search.index import read_fragments
from tests.conftest import BuildSite
from tests.redirects_support import MAP

POSTS = {
    "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/",
    "/la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti/",
    "/dipendenti-ambasciatori-linkedin-e-la-voce-delle-persone/",
    "/metriche-di-vanita-e-metriche-utili-come-misurare-i-contenuti/",
    "/crisi-di-reputazione-sui-social-le-prime-24-ore/",
    "/en/why-we-left-the-share-button-scripts-behind/",
}
PAGES = {"/chi-sono/", "/newsletter/", "/privacy/"}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def development_site(make_site: BuildSite) -> Path:
    """The sample site built with pelicanconf.py (drafts written) and an old-address map."""
    content = make_site.project / "content"  # type: ignore[attr-defined]
    (content / "redirects.txt").write_text(MAP, encoding="utf-8")
    return make_site("pelicanconf.py")


def test_the_index_holds_the_published_posts_and_pages_only(development_site: Path) -> None:
    output = development_site
    # What the build wrote that is not content: drafts, hidden pages, the 404, old addresses.
    assert list((output / "drafts").glob("*.html"))
    assert (output / "newsletter" / "confermata" / "index.html").exists()  # a hidden page
    assert (output / "404.html").exists()
    assert (output / "2013" / "05" / "perche-le-aziende" / "index.html").exists()
    records = read_fragments(output / "pagefind")
    assert {record["url"] for record in records} == POSTS | PAGES
    by_url = {record["url"]: record for record in records}
    essay = by_url["/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"]
    assert essay["meta"]["title"] == "Perché le aziende dovrebbero smettere di inseguire i follower"
    assert essay["meta"]["date"] == "2026-03-09"
    # Only the title and the body: no menu, share bar, newsletter box or comments.
    for text in ("Archivio", "Condividi su", "Grazie per aver letto", "commento", "Cerca"):
        assert text not in essay["content"], text
    assert "date" not in by_url["/chi-sono/"]["meta"]


def test_one_index_per_language_with_its_own_stemming(development_site: Path) -> None:
    import json

    entry = json.loads((development_site / "pagefind" / "pagefind-entry.json").read_text())
    assert {lang: value["page_count"] for lang, value in entry["languages"].items()} == {
        "it": 8,
        "en": 1,
    }
    assert {value["wasm"] for value in entry["languages"].values()} == {"it", "en"}


def test_a_search_page_in_each_language_and_a_field_on_every_page(
    development_site: Path,
) -> None:
    output = development_site
    italian = soup(output / "cerca" / "index.html")
    english = soup(output / "en" / "search" / "index.html")
    assert italian.html["lang"] == "it" and english.html["lang"] == "en"
    assert italian.h1.get_text() == "Cerca" and english.h1.get_text() == "Search"
    assert italian.select_one("script[type=module]")["src"] == "/pagefind/condividi-search.js"
    assert (output / "pagefind" / "condividi-search.js").is_file()
    # Without JavaScript: every post of the page's language, by year.
    italian_links = {a["href"] for a in italian.select(".search-archive a")}
    assert italian_links == POSTS - {"/en/why-we-left-the-share-button-scripts-behind/"}
    assert {a["href"] for a in english.select(".search-archive a")} == {
        "/en/why-we-left-the-share-button-scripts-behind/"
    }
    assert italian.select_one("a[data-search-carry]")["href"] == "/en/search/"
    pages = [p for p in output.rglob("*.html") if "pagefind" not in p.parts]
    for path in pages:
        html = soup(path)
        if html.select_one("meta[http-equiv=refresh]") or "anteprima" in path.parts:
            continue  # an old address's redirect page, a newsletter preview
        form = html.select_one("header.site-header form.site-search[role=search]")
        assert form is not None, path
        lang = html.html["lang"]
        assert form["action"] == ("/cerca/" if lang == "it" else "/en/search/"), path
        assert form.select_one("input[type=search][name=q]")["id"] == "site-search-q"


def test_nothing_of_search_loads_on_an_article_until_the_field_is_focused(
    development_site: Path,
) -> None:
    article = soup(
        development_site
        / "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"
        / "index.html"
    )
    sources = [tag.get("src") or tag.get("href") for tag in article.select("script, link")]
    assert not [s for s in sources if s and ("pagefind" in s or "search" in s)]
    # The field's part of the bundle only waits for focus (it names the script, not loads it).
    bundle = (development_site / "theme" / "js" / "site.js").read_text()
    assert "data-search-script" in bundle and "focusin" in bundle


def test_search_can_be_switched_off(make_site: BuildSite) -> None:
    output = make_site(overrides={"SEARCH_ENABLED": False})
    assert not (output / "pagefind").exists() and not (output / "cerca").exists()
    assert not soup(output / "index.html").select("form.site-search")


def test_a_bad_setting_stops_the_build_and_names_it(make_site: BuildSite) -> None:
    with pytest.raises(BuildError, match="SEARCH_OUTPUT"):
        make_site(overrides={"SEARCH_OUTPUT": "../elsewhere"})


def test_a_failed_index_fails_the_build_and_keeps_the_old_site(
    make_site: BuildSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    output = make_site()
    before = (output / "pagefind" / "pagefind-entry.json").read_bytes()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with pytest.raises(BuildError, match="search: Pagefind could not start"):
        make_site()
    assert (output / "pagefind" / "pagefind-entry.json").read_bytes() == before
    assert not [p for p in output.parent.iterdir() if p.name.startswith(".output.building")]


def test_the_preview_s_full_build_indexes_too(make_site: BuildSite, tmp_path: Path) -> None:
    project = make_site.project  # type: ignore[attr-defined]
    pipeline = Pipeline(
        project / "pelicanconf.py",
        tmp_path / "preview-output",
        {"PATH": str(project / "content"), "CACHE_PATH": str(tmp_path / "cache")},
    )
    outcome = pipeline.full_build()
    assert outcome.ok, outcome.problems
    urls = {record["url"] for record in read_fragments(tmp_path / "preview-output" / "pagefind")}
    assert urls == POSTS | PAGES
