"""End-to-end: the sample site builds with every page in place and nothing private."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from condividi.build import BuildError, build_succeeded
from tests.conftest import BuildSite

BROKEN_POST = "Title: Rotto\nDate: 2026-13-45 99:99\n\nTesto.\n"

ESSAY_SLUGS = [
    "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower",
    "la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti",
]


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_template_is_written(sample_output: Path) -> None:
    for relative in [
        "index.html",
        "404.html",
        "archivio/index.html",
        "categorie/index.html",
        "tag/index.html",
        "chi-sono/index.html",
        "privacy/index.html",
        "newsletter/index.html",
        "newsletter/controlla/index.html",
        "newsletter/confermata/index.html",
        "newsletter/disiscritto/index.html",
        "autore/giulia-ferraris/index.html",
        "theme/css/site.css",
    ]:
        assert (sample_output / relative).is_file(), relative
    assert list((sample_output / "categoria").glob("*/index.html"))
    assert list((sample_output / "tag").glob("*/index.html"))


def test_slugs_transliterate_accents(sample_output: Path) -> None:
    for slug in ESSAY_SLUGS:
        assert (sample_output / slug / "index.html").is_file(), slug


def test_article_has_the_shape_of_the_source_blog(sample_output: Path) -> None:
    page = soup(sample_output / ESSAY_SLUGS[0] / "index.html")
    assert page.html["lang"] == "it"
    assert page.find("h1").get_text(strip=True).startswith("Perché")
    meta = page.select_one(".post-meta")
    assert meta.find("time")["datetime"].startswith("2026-")
    assert "minuti di lettura" in meta.get_text() or "minuto di lettura" in meta.get_text()
    assert page.select(".tags a[rel=tag]")
    thanks = page.select_one("aside.thanks")
    assert "Grazie per aver letto" in thanks.get_text()
    assert thanks.select_one("a.rss-link")["href"] == "/iscriviti/"
    assert page.select_one("nav.post-nav a")


def test_english_post_gets_the_english_interface(sample_output: Path) -> None:
    pages = list((sample_output / "en").glob("why-*/index.html"))
    assert pages, "the English post is written under en/"
    page = soup(pages[0])
    assert page.html["lang"] == "en"
    assert "Thanks for reading" in page.select_one("aside.thanks").get_text()
    assert "minute" in page.select_one(".post-meta").get_text()


def test_drafts_and_future_posts_stay_private(sample_output: Path) -> None:
    assert not (sample_output / "drafts").exists()
    written = "\n".join(p.read_text(encoding="utf-8") for p in sample_output.rglob("*.html"))
    for source in (Path(__file__).parent.parent / "content" / "articles").glob("*.md"):
        header = source.read_text(encoding="utf-8").split("\n\n", 1)[0]
        is_draft = "Status: draft" in header
        is_future = "Date: 2031" in header or "Date: 2030" in header
        if is_draft or is_future:
            title = next(line for line in header.splitlines() if line.startswith("Title:"))
            assert title.removeprefix("Title:").strip() not in written, source.name


def test_no_inline_scripts_or_styles(sample_output: Path) -> None:
    for path in sample_output.rglob("*.html"):
        page = soup(path)
        for script in page.find_all("script"):
            is_data = script.get("type") in ("application/ld+json", "application/json")
            assert script.get("src") or is_data, f"inline script in {path}"
        assert not page.find("style"), f"<style> in {path}"
        assert not page.find(attrs={"style": True}), f"style attribute in {path}"
        for tag in page.find_all(True):
            handlers = [a for a in tag.attrs if a.startswith("on")]
            assert not handlers, f"event handler attribute {handlers} in {path}"


def test_build_succeeded_is_sent_before_the_new_output_replaces_the_old(
    make_site: BuildSite,
) -> None:
    calls: list[tuple[Path, bool, str]] = []

    def receiver(pelican: Any) -> None:
        staging = Path(pelican.output_path)
        calls.append((staging, (staging / "index.html").is_file(), pelican.settings["SITEURL"]))

    with build_succeeded.connected_to(receiver):
        output = make_site(siteurl="https://blog.example.org")
    assert len(calls) == 1
    staging, written, siteurl = calls[0]
    assert written, "the pages are written when the receivers run"
    assert staging != output and staging.parent == output.parent
    assert not staging.exists(), "the staging folder became the output"
    assert siteurl == "https://blog.example.org"


def test_build_succeeded_is_not_sent_when_the_build_logged_an_error(
    make_site: BuildSite,
) -> None:
    articles = make_site.project / "content" / "articles"  # type: ignore[attr-defined]
    (articles / "rotto.md").write_text(BROKEN_POST, encoding="utf-8")
    calls: list[Any] = []
    with build_succeeded.connected_to(calls.append), pytest.raises(BuildError, match="rotto"):
        make_site()
    assert calls == []


@pytest.mark.parametrize("failure", ["raises", "logs"])
def test_a_failing_receiver_fails_the_build_and_keeps_the_output(
    make_site: BuildSite, failure: str
) -> None:
    output = make_site()
    before = (output / "index.html").read_bytes()

    def receiver(pelican: Any) -> None:
        if failure == "raises":
            raise OSError("disk full")
        logging.getLogger("a.plugin").error("disk full")

    with build_succeeded.connected_to(receiver), pytest.raises(BuildError, match="disk full"):
        make_site(siteurl="https://altro.example.org")
    assert (output / "index.html").read_bytes() == before
    assert list(output.parent.glob(f".{output.name}.*")) == [], "no staging folder is left"


def test_the_menu_follows_the_reader_s_language(make_site: BuildSite) -> None:
    pages = make_site.project / "content" / "pages"  # type: ignore[attr-defined]
    (pages / "about.md").write_text(
        "Title: About me\nSlug: chi-sono\nLang: en\n\nI write about communication.\n",
        encoding="utf-8",
    )
    output = make_site()
    english = next((output / "en").glob("why-*/index.html"))
    menu = {a.get_text(): a for a in soup(english).select("nav.site-nav a")}
    assert menu["About me"]["href"] == "/en/chi-sono/" and not menu["About me"].get("lang")
    # No English translation: the Italian page, its title marked as Italian.
    assert (menu["Privacy"]["href"], menu["Privacy"]["lang"]) == ("/privacy/", "it")
    assert soup(english).select_one("footer.site-footer p span[lang=it]")
    italian = {a.get_text(): a for a in soup(output / "index.html").select("nav.site-nav a")}
    assert italian["Chi sono"]["href"] == "/chi-sono/" and not italian["Chi sono"].get("lang")
    assert not soup(output / "index.html").select("footer.site-footer [lang]")
