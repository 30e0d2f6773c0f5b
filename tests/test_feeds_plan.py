"""Which feeds a site gets, where they go, what they contain and say about themselves."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from condividi.config import ConfigError
from condividi.feeds.config import FeedsConfig
from condividi.feeds.plan import FeedPage, SiteInfo, newest_first, plan_feeds, plan_pages
from tests.feeds_support import Taxon, article

CONFIG = FeedsConfig(siteurl="https://blog.example.org", id_authority="example.org")
SITE = SiteInfo(name="Condividi", subtitle="Saggi", lang="it", author="Giulia Ferraris")
STRATEGIA = Taxon("Strategia", "strategia", "categoria/strategia/")
LINKEDIN = Taxon("LinkedIn", "linkedin", "tag/linkedin/")


def post(slug: str, day: int) -> object:
    return article(slug, date=datetime.fromisoformat(f"2026-03-{day:02d}T10:00:00+01:00"))


POSTS = [post("a", 1), post("c", 3), post("b", 3), post("d", 2)]


def italian(message: str) -> str:
    return {"%(site)s · category %(name)s": "%(site)s · categoria %(name)s"}.get(message, message)


def plan(config: FeedsConfig = CONFIG):
    return plan_feeds(
        config, SITE, POSTS, [(STRATEGIA, POSTS[:2])], [(LINKEDIN, POSTS[2:])], italian
    )


def test_newest_first_with_ties_broken_by_slug() -> None:
    assert [p.slug for p in newest_first(POSTS, None)] == ["b", "c", "d", "a"]
    assert [p.slug for p in newest_first(POSTS, 2)] == ["b", "c"]


def test_site_category_and_tag_feeds_in_both_formats() -> None:
    index = plan()
    assert [(f.kind, f.save_as) for f in index.all()] == [
        ("rss", "feeds/rss.xml"),
        ("atom", "feeds/atom.xml"),
        ("rss", "feeds/categoria/strategia.rss.xml"),
        ("atom", "feeds/categoria/strategia.atom.xml"),
        ("rss", "feeds/tag/linkedin.rss.xml"),
        ("atom", "feeds/tag/linkedin.atom.xml"),
    ]
    rss, atom = index.site
    assert rss.spec.self_url == "https://blog.example.org/feeds/rss.xml"
    assert atom.spec.home_url == "https://blog.example.org/"
    assert atom.spec.id == "tag:example.org,2026:feeds/all"
    assert [p.slug for p in atom.articles] == ["b", "c", "d", "a"]
    category = index.categories["strategia"][1]
    assert category.spec.title == "Condividi · categoria Strategia"
    assert category.spec.home_url == "https://blog.example.org/categoria/strategia/"
    assert category.link_title == "Condividi · categoria Strategia (Atom)"
    assert [p.slug for p in category.articles] == ["c", "a"]
    assert index.tags["linkedin"][0].spec.title == "Condividi · tag LinkedIn"


def test_list_pages_find_their_feeds() -> None:
    index = plan()
    assert index.of_list(category=STRATEGIA) == index.categories["strategia"]
    assert index.of_list(tag=LINKEDIN) == index.tags["linkedin"]
    assert index.of_list() == ()


def test_switches_limits_and_hub() -> None:
    config = dataclasses.replace(
        CONFIG, categories=False, tags=False, max_items=1, websub_hub="https://hub.example.org/"
    )
    index = plan(config)
    assert len(index.all()) == 2 and not index.categories and not index.tags
    assert all(len(feed.articles) == 1 for feed in index.all())
    assert {feed.spec.hub for feed in index.all()} == {"https://hub.example.org/"}


PATTERNS = {
    "PAGE_URL": "{slug}/",
    "PAGE_SAVE_AS": "{slug}/index.html",
    "PAGE_LANG_URL": "{lang}/{slug}/",
    "PAGE_LANG_SAVE_AS": "{lang}/{slug}/index.html",
}


def test_subscribe_pages_follow_the_sites_page_patterns_default_language_first() -> None:
    pages = plan_pages(CONFIG, ["en", "it"], "it", PATTERNS)
    assert pages == (
        FeedPage(lang="it", url="iscriviti/", save_as="iscriviti/index.html"),
        FeedPage(lang="en", url="en/subscribe/", save_as="en/subscribe/index.html"),
    )
    english_site = plan_pages(CONFIG, ["it"], "en", PATTERNS)
    assert [(p.lang, p.url) for p in english_site] == [
        ("en", "subscribe/"),
        ("it", "it/iscriviti/"),
    ]


def test_a_language_gets_its_page_only_with_content_in_it_and_a_slug() -> None:
    assert [p.lang for p in plan_pages(CONFIG, ["it"], "it", PATTERNS)] == ["it"]
    assert [p.lang for p in plan_pages(CONFIG, ["it", "fr"], "it", PATTERNS)] == ["it"]
    assert plan_pages(dataclasses.replace(CONFIG, page_slugs={}), ["it"], "it", PATTERNS) == ()
    pelican_defaults = {
        "PAGE_URL": "pages/{slug}.html",
        "PAGE_SAVE_AS": "pages/{slug}.html",
        "PAGE_LANG_URL": "pages/{slug}-{lang}.html",
        "PAGE_LANG_SAVE_AS": "pages/{slug}-{lang}.html",
    }
    pages = plan_pages(CONFIG, ["en"], "it", pelican_defaults)
    assert [p.save_as for p in pages] == ["pages/iscriviti.html", "pages/subscribe-en.html"]


def test_a_page_pattern_the_subscribe_page_cannot_fill_names_the_setting() -> None:
    patterns = {**PATTERNS, "PAGE_SAVE_AS": "{date:%Y}/{slug}/index.html"}
    with pytest.raises(ConfigError, match=r"PAGE_SAVE_AS.*FEEDS_PAGE_SLUGS"):
        plan_pages(CONFIG, ["it"], "it", patterns)


def test_the_sites_feed_links_lead_to_the_page_in_the_readers_language() -> None:
    index = dataclasses.replace(plan(), pages=plan_pages(CONFIG, ["en"], "it", PATTERNS))
    assert index.subscribe_url("it") == "iscriviti/"
    assert index.subscribe_url("en") == "en/subscribe/"
    assert index.subscribe_url("fr") == "iscriviti/"  # no French page: the default language's
    assert plan().subscribe_url("it") == "feeds/rss.xml"  # no page at all: the feed itself


def test_two_feeds_on_one_path_are_refused() -> None:
    config = dataclasses.replace(
        CONFIG,
        category_rss_save_as="feeds/{slug}.xml",
        tag_rss_save_as="feeds/{slug}.xml",
    )
    clash = Taxon("linkedin", "linkedin", "categoria/linkedin/")
    with pytest.raises(ConfigError, match=r"feeds/linkedin\.xml"):
        plan_feeds(config, SITE, POSTS, [(clash, POSTS)], [(LINKEDIN, POSTS)], italian)
