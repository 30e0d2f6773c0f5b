"""The SHARE_* settings and the publish-time SITEURL check: clear errors naming the value."""

from __future__ import annotations

import pytest

from condividi.config import ConfigError
from condividi.share.config import ShareConfig, check_siteurl, share_config
from condividi.share.networks import DEFAULT_NETWORKS


def test_defaults() -> None:
    config = share_config({})
    assert config == ShareConfig()
    assert config.networks == DEFAULT_NETWORKS
    assert config.utm is False
    assert config.mastodon_share_page == "https://tootpick.org/"


def test_networks_set_and_order() -> None:
    config = share_config({"SHARE_NETWORKS": ["mastodon", "email", "linkedin"]})
    assert config.networks == ("mastodon", "email", "linkedin")


def test_an_unknown_network_is_named() -> None:
    with pytest.raises(ConfigError, match=r"SHARE_NETWORKS: unknown network 'myspace'"):
        share_config({"SHARE_NETWORKS": ["facebook", "myspace"]})


def test_a_network_listed_twice_is_an_error() -> None:
    with pytest.raises(ConfigError, match="'x' twice"):
        share_config({"SHARE_NETWORKS": ["x", "email", "x"]})


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"SHARE_NETWORKS": "facebook"}, "SHARE_NETWORKS"),
        ({"SHARE_UTM": "yes"}, "SHARE_UTM"),
        ({"SHARE_UTM": True, "SHARE_UTM_CAMPAIGN": " "}, "SHARE_UTM_CAMPAIGN is empty"),
        ({"SHARE_X_ACCOUNT": "not an account"}, "SHARE_X_ACCOUNT"),
        ({"SHARE_MASTODON_SHARE_PAGE": "tootpick.org"}, "SHARE_MASTODON_SHARE_PAGE"),
        ({"SHARE_CARD_ACCENT": "arancione"}, "SHARE_CARD_ACCENT = 'arancione' is not a colour"),
        ({"SHARE_CARD_FONT": "/nonexistent/font.ttf"}, "SHARE_CARD_FONT"),
    ],
)
def test_bad_values_name_the_setting(settings: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        share_config(settings)


@pytest.mark.parametrize("siteurl", ["", "/blog", "blog.example.org", "//blog.example.org"])
def test_a_publish_build_needs_an_absolute_siteurl(siteurl: str) -> None:
    with pytest.raises(ConfigError, match="absolute SITEURL") as error:
        check_siteurl({"CONDIVIDI_PUBLISH": True, "SITEURL": siteurl})
    assert "share links" in str(error.value)


def test_siteurl_checks() -> None:
    check_siteurl({"CONDIVIDI_PUBLISH": True, "SITEURL": "https://blog.example.org"})
    check_siteurl({"CONDIVIDI_PUBLISH": True, "SITEURL": "http://127.0.0.1:8000"})
    check_siteurl({"SITEURL": ""})  # a local build may stay relative
