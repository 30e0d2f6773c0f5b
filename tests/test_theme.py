"""The theme's filters: reading time, localized dates, neighbours."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment
from pelican.contents import Article
from pelican.settings import read_settings
from PIL import Image

from condividi.theme import (
    DropIndentation,
    MenuItem,
    freeze_urls,
    link_neighbours,
    localized_date,
    menu_pages,
    on_generator_init,
    place_favicon,
    reading_minutes,
    site_content,
    site_path,
    site_relative,
)


def test_reading_minutes_counts_words_not_tags() -> None:
    assert reading_minutes("<p>" + "parola " * 10 + "</p>") == 1
    assert reading_minutes("<p>" + "parola " * 441 + "</p>") == 3


def test_localized_dates() -> None:
    assert localized_date(date(2026, 3, 9), "it") == "9 marzo 2026"
    assert localized_date(date(2026, 3, 9), "en") == "March 9, 2026"


def test_neighbours_stay_within_a_language() -> None:
    newest, middle, english, oldest = (
        SimpleNamespace(lang=lang) for lang in ("it", "it", "en", "it")
    )
    link_neighbours([newest, middle, english, oldest])
    assert newest.next_article is None and newest.prev_article is middle
    assert middle.prev_article is oldest and middle.next_article is newest
    assert english.prev_article is None and english.next_article is None


def _article(slug: str, lang: str = "it", **metadata: object) -> Article:
    settings = read_settings(
        override={
            "DEFAULT_LANG": "it",
            "ARTICLE_URL": "{slug}/",
            "ARTICLE_LANG_URL": "{lang}/{slug}/",
            "ARTICLE_SAVE_AS": "{slug}/index.html",
        }
    )
    return Article(
        "<p>Testo</p>",
        {"title": slug, "slug": slug, "lang": lang, "date": datetime(2026, 3, 9), **metadata},
        settings=settings,
        source_path=f"/sito/content/{slug}.md",
    )


def test_urls_are_fixed_once_and_stay_what_pelican_says() -> None:
    post, english, moved = _article("un-saggio"), _article("essay", "en"), _article("vecchio")
    moved.override_url = "archivio/vecchio.html"  # as a ``URL:`` in front matter sets it
    expected = [post.url, english.url, moved.url]
    assert expected == ["un-saggio/", "en/essay/", "archivio/vecchio.html"]
    freeze_urls([post, english, moved])
    post.slug = "cambiato"  # a URL is read from the stored value from now on
    assert [post.url, english.url, moved.url] == expected
    assert post.save_as == "cambiato/index.html"  # only the URL is fixed, not the file
    assert not hasattr(post, "override_save_as")  # Pelican keeps checking for clashes


def test_site_content_yields_each_article_and_page_once() -> None:
    a, b, page = SimpleNamespace(), SimpleNamespace(), SimpleNamespace()
    articles = SimpleNamespace(articles=[a], translations=[b], drafts=[a])
    pages = SimpleNamespace(pages=[page], hidden_pages=[])
    assert list(site_content([articles, pages, articles])) == [a, b, page]


def test_one_build_skips_template_checks_and_caches_dates(tmp_path: Path) -> None:
    env = Environment()
    on_generator_init(SimpleNamespace(env=env, context={}, settings={"THEME": str(tmp_path)}))
    assert env.auto_reload is False  # an environment lives for one build only
    localdate = env.filters["localdate"]
    before = localdate.cache_info().hits
    assert localdate(date(2026, 3, 9), "it") == localdate(date(2026, 3, 9), "it") == "9 marzo 2026"
    assert localdate.cache_info().hits >= before + 1


def test_lists_are_paginated_with_working_links(make_site) -> None:
    from bs4 import BeautifulSoup

    output = make_site(overrides={"DEFAULT_PAGINATION": 3})
    site = "/"  # the theme links its own pages by path

    def page(path: str) -> BeautifulSoup:
        return BeautifulSoup((output / path / "index.html").read_text(encoding="utf-8"), "lxml")

    first, second = page(""), page("pagina/2")
    assert len(first.select("article.summary")) == 3
    assert second.select("article.summary")
    seen = {a["href"] for a in first.select("article.summary h2 a")}
    assert seen.isdisjoint(a["href"] for a in second.select("article.summary h2 a"))
    assert first.select_one('.pagination a[rel="next"]')["href"] == f"{site}pagina/2/"
    assert second.select_one('.pagination a[rel="prev"]')["href"] == site
    assert "Pagina 2 di" in second.select_one(".pagination span").get_text()
    # every summary keeps its meta line and its translated "read more" link
    for summary in second.select("article.summary"):
        assert summary.select_one(".post-meta time")
        assert summary.select_one("a.read-more").get_text().startswith("Continua a leggere")


def test_templates_lose_their_indentation_when_compiled() -> None:
    env = Environment(extensions=[DropIndentation], trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(
        "<ul>\n  {% for item in items %}\n    <li>{{ item }}</li>\n  {% endfor %}\n</ul>\n"
    )
    # Values are left as they are: only the template's own text loses its indentation.
    assert template.render(items=["a", "  b"]) == "<ul>\n<li>a</li>\n<li>  b</li>\n</ul>"


def test_site_path_is_what_the_theme_links_start_with() -> None:
    assert site_path("https://blog.example.org") == ""
    assert site_path("https://blog.example.org/") == ""
    assert site_path("https://example.org/blog/") == "/blog"
    assert site_path("http://127.0.0.1:8000") == ""
    assert site_path("") == ""


def test_the_theme_links_its_pages_and_assets_by_path(sample_output: Path) -> None:
    page = (sample_output / "chi-sono" / "index.html").read_text(encoding="utf-8")
    assert '<link rel="stylesheet" href="/theme/css/site.css">' in page
    assert '<a href="/archivio/">' in page
    # What other sites read stays absolute.
    assert re.search(r'<link rel="canonical" href="http://127\.0\.0\.1:\d+/chi-sono/">', page)


def test_site_relative_shortens_the_sites_own_urls_only() -> None:
    site = "https://example.org/blog"
    assert site_relative("https://example.org/blog/isso", site) == "/blog/isso"
    assert site_relative("https://example.org/blog/feeds/rss.xml", site + "/") == (
        "/blog/feeds/rss.xml"
    )
    assert site_relative("https://example.org/blog", site) == "/blog/"
    assert site_relative("https://example.org/blogroll/", site) == "https://example.org/blogroll/"
    assert site_relative("https://comments.example.org/", site) == "https://comments.example.org/"
    assert site_relative("http://127.0.0.1:8080", "http://127.0.0.1:8000") == (
        "http://127.0.0.1:8080"
    )


def test_only_the_lists_of_posts_load_the_list_styles(sample_output: Path) -> None:
    lists = '<link rel="stylesheet" href="/theme/css/lists.css">'
    for page in ("index.html", "archivio/index.html", "tag/linkedin/index.html"):
        assert lists in (sample_output / page).read_text(encoding="utf-8"), page
    for page in ("perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower", "chi-sono"):
        assert lists not in (sample_output / page / "index.html").read_text(encoding="utf-8")
    css = (sample_output / "theme/css/lists.css").read_text(encoding="utf-8")
    assert ".summary" in css and ".archive" in css
    assert ".summary" not in (sample_output / "theme/css/site.css").read_text(encoding="utf-8")


def test_the_menu_shows_each_readers_translation_or_the_original() -> None:
    def page(slug: str, lang: str, title: str, translations: tuple = ()) -> SimpleNamespace:
        return SimpleNamespace(
            slug=slug, lang=lang, title=title, url=f"{slug}/", translations=list(translations)
        )

    about_en = page("about", "en", "About me")
    about = page("chi-sono", "it", "Chi sono", [about_en])
    privacy = page("privacy", "it", "Privacy")
    hidden = page("newsletter-confermata", "it", "Confermata")
    menus = menu_pages([about, hidden, privacy], ["privacy", "chi-sono"], ["it", "en"])
    assert menus["it"] == (
        MenuItem("chi-sono/", "Chi sono", "it", "chi-sono"),
        MenuItem("privacy/", "Privacy", "it", "privacy"),
    )
    # An English reader gets the English "About me", and the Italian-only page as it is.
    assert menus["en"] == (
        MenuItem("about/", "About me", "en", "about"),
        MenuItem("privacy/", "Privacy", "it", "privacy"),
    )


def test_the_favicon_is_at_the_root_where_browsers_look_for_it(sample_output: Path) -> None:
    # A feed opened directly names no icon, so Chromium asks for /favicon.ico.
    with Image.open(sample_output / "favicon.ico") as icon:
        assert icon.format == "ICO"
        assert (32, 32) in icon.info["sizes"]


def test_a_favicon_from_the_content_is_kept(tmp_path: Path) -> None:
    (tmp_path / "theme" / "icons").mkdir(parents=True)
    (tmp_path / "theme" / "icons" / "favicon.ico").write_bytes(b"theme")
    assert place_favicon(tmp_path, "theme")
    assert (tmp_path / "favicon.ico").read_bytes() == b"theme"
    (tmp_path / "favicon.ico").write_bytes(b"the author's own")
    assert not place_favicon(tmp_path, "theme")
    assert (tmp_path / "favicon.ico").read_bytes() == b"the author's own"
