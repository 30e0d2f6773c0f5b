"""The theme's filters: reading time, localized dates, neighbours."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment

from condividi.theme import link_neighbours, localized_date, on_generator_init, reading_minutes


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
    site = "https://blog.example.org/"

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
