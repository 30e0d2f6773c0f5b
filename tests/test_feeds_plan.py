"""Which feeds a site gets, where they go, what they contain and say about themselves."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from condividi.config import ConfigError
from condividi.feeds.config import FeedsConfig
from condividi.feeds.plan import SiteInfo, newest_first, plan_feeds
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
    assert atom.spec.stylesheet == "/feeds/stile.xsl"
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


def test_switches_limits_hub_and_stylesheet() -> None:
    config = dataclasses.replace(
        CONFIG,
        categories=False,
        tags=False,
        max_items=1,
        websub_hub="https://hub.example.org/",
        stylesheet_save_as="",
    )
    index = plan(config)
    assert len(index.all()) == 2 and not index.categories and not index.tags
    assert all(len(feed.articles) == 1 for feed in index.all())
    assert {feed.spec.hub for feed in index.all()} == {"https://hub.example.org/"}
    assert {feed.spec.stylesheet for feed in index.all()} == {""}


def test_stylesheet_path_keeps_a_subfolder_siteurl() -> None:
    config = dataclasses.replace(CONFIG, siteurl="https://example.org/blog")
    assert plan(config).site[0].spec.stylesheet == "/blog/feeds/stile.xsl"


def test_two_feeds_on_one_path_are_refused() -> None:
    config = dataclasses.replace(
        CONFIG,
        category_rss_save_as="feeds/{slug}.xml",
        tag_rss_save_as="feeds/{slug}.xml",
    )
    clash = Taxon("linkedin", "linkedin", "categoria/linkedin/")
    with pytest.raises(ConfigError, match=r"feeds/linkedin\.xml"):
        plan_feeds(config, SITE, POSTS, [(clash, POSTS)], [(LINKEDIN, POSTS)], italian)
