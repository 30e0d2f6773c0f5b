"""The FEEDS_* settings: defaults, derived values and clear errors."""

from __future__ import annotations

from typing import Any

import pytest

from condividi.config import ConfigError
from condividi.feeds.config import feeds_config

SITE = {"SITEURL": "https://blog.example.org/"}


def test_defaults() -> None:
    config = feeds_config(SITE)
    assert config.siteurl == "https://blog.example.org"
    assert (config.atom_save_as, config.rss_save_as) == ("feeds/atom.xml", "feeds/rss.xml")
    assert config.categories and config.tags and not config.summary_only
    assert config.max_items == 20
    assert config.id_authority == "blog.example.org" and config.id_date == "2026"
    assert config.websub_hub == ""
    assert config.url("feeds/rss.xml") == "https://blog.example.org/feeds/rss.xml"


def test_settings_are_read_with_their_prefix() -> None:
    config = feeds_config(
        {
            **SITE,
            "FEEDS_MAX_ITEMS": None,
            "FEEDS_TAGS": False,
            "FEEDS_SUMMARY_ONLY": True,
            "FEEDS_ID_AUTHORITY": "example.org",
            "FEEDS_ID_DATE": "2011-05-02",
            "FEEDS_WEBSUB_HUB": "https://hub.example.org/",
            "FEEDS_CATEGORY_ATOM_SAVE_AS": "feeds/{slug}.xml",
        }
    )
    assert config.max_items is None and not config.tags and config.summary_only
    assert (config.id_authority, config.id_date) == ("example.org", "2011-05-02")
    assert config.websub_hub == "https://hub.example.org/"
    assert config.category_atom_save_as == "feeds/{slug}.xml"


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SITEURL": ""}, "SITEURL"),
        ({"SITEURL": "/blog"}, "SITEURL"),
        ({**SITE, "FEEDS_MAX_ITEMS": 0}, "FEEDS_MAX_ITEMS"),
        ({**SITE, "FEEDS_MAX_ITEMS": "20"}, "FEEDS_MAX_ITEMS"),
        ({**SITE, "FEEDS_TAGS": "no"}, "FEEDS_TAGS"),
        ({**SITE, "FEEDS_ID_DATE": "ieri"}, "FEEDS_ID_DATE"),
        ({**SITE, "FEEDS_ID_DATE": "2026-13"}, "FEEDS_ID_DATE"),
        ({**SITE, "FEEDS_ID_AUTHORITY": "https://example.org"}, "FEEDS_ID_AUTHORITY"),
        ({**SITE, "FEEDS_WEBSUB_HUB": "hub.example.org"}, "FEEDS_WEBSUB_HUB"),
        ({**SITE, "FEEDS_TAG_RSS_SAVE_AS": "feeds/tag.xml"}, "FEEDS_TAG_RSS_SAVE_AS"),
        ({**SITE, "FEEDS_ATOM_SAVE_AS": "/feeds/atom.xml"}, "FEEDS_ATOM_SAVE_AS"),
        ({**SITE, "FEEDS_RSS_SAVE_AS": "../rss.xml"}, "FEEDS_RSS_SAVE_AS"),
    ],
)
def test_bad_values_name_the_setting(settings: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        feeds_config(settings)


def test_an_email_authority_is_allowed() -> None:
    config = feeds_config({**SITE, "FEEDS_ID_AUTHORITY": "giulia@example.org"})
    assert config.id_authority == "giulia@example.org"


@pytest.mark.parametrize("value", ["feeds/stile.xsl", ""])
def test_the_removed_stylesheet_setting_is_an_error_that_says_what_replaced_it(
    value: str,
) -> None:
    with pytest.raises(
        ConfigError, match=r"FEEDS_STYLESHEET_SAVE_AS was removed.*FEEDS_PAGE_SLUGS"
    ):
        feeds_config({**SITE, "FEEDS_STYLESHEET_SAVE_AS": value})


def test_subscribe_page_slugs_default_to_italian_and_english_and_may_be_none() -> None:
    assert feeds_config(SITE).page_slugs == {"it": "iscriviti", "en": "subscribe"}
    assert feeds_config({**SITE, "FEEDS_PAGE_SLUGS": {}}).page_slugs == {}
    own = feeds_config({**SITE, "FEEDS_PAGE_SLUGS": {"fr": "abonnez-vous"}})
    assert own.page_slugs == {"fr": "abonnez-vous"}


@pytest.mark.parametrize(
    "value", [{"it": "Iscriviti!"}, {"it": "feed/iscriviti"}, {"it": ""}, {"": "iscriviti"}]
)
def test_a_bad_subscribe_page_slug_names_the_setting(value: dict[str, str]) -> None:
    with pytest.raises(ConfigError, match="FEEDS_PAGE_SLUGS"):
        feeds_config({**SITE, "FEEDS_PAGE_SLUGS": value})
