"""The comments settings: defaults, Isso's address, and a clear error for each bad value."""

from __future__ import annotations

from typing import Any

import pytest

from condividi.comments.config import CommentsConfig, comments_config, resolve_isso_url
from condividi.config import ConfigError
from tests.comments_support import HOSTED

SITE = {"SITEURL": "https://blog.example.org"}


def config(**settings: Any) -> CommentsConfig:
    return comments_config({**SITE, **settings})


def test_isso_on_this_computer_by_default() -> None:
    assert config() == CommentsConfig()
    assert config().isso_url == "http://127.0.0.1:8080"


def test_a_path_means_under_the_site_origin() -> None:
    assert config(COMMENTS_ISSO_URL="/isso/").isso_url == "https://blog.example.org/isso"
    assert resolve_isso_url("https://comments.example.org/", "") == "https://comments.example.org"


def test_a_path_needs_an_absolute_siteurl() -> None:
    with pytest.raises(ConfigError, match=r"COMMENTS_ISSO_URL = '/isso'.*SITEURL"):
        comments_config({"SITEURL": "", "COMMENTS_ISSO_URL": "/isso"})


@pytest.mark.parametrize("value", ["comments.example.org", "ftp://x.org", "https://x.org/?a=1"])
def test_isso_url_must_be_a_url_or_a_path(value: str) -> None:
    with pytest.raises(ConfigError, match="COMMENTS_ISSO_URL"):
        config(COMMENTS_ISSO_URL=value)


def test_unknown_provider_is_named_with_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"COMMENTS_PROVIDER = 'facebook'.*isso, giscus"):
        config(COMMENTS_PROVIDER="facebook")


def test_wrong_type_is_named() -> None:
    with pytest.raises(ConfigError, match="COMMENTS_MODERATION"):
        config(COMMENTS_MODERATION="yes")


@pytest.mark.parametrize("provider", sorted(HOSTED))
def test_each_hosted_service_works_with_its_settings(provider: str) -> None:
    assert config(COMMENTS_PROVIDER=provider, **HOSTED[provider]).provider == provider


@pytest.mark.parametrize("provider", sorted(HOSTED))
def test_each_hosted_service_names_a_missing_setting(provider: str) -> None:
    required = dict(HOSTED[provider])
    missing = next(iter(required))
    del required[missing]
    with pytest.raises(ConfigError, match=f"{missing} is required.*'{provider}'"):
        config(COMMENTS_PROVIDER=provider, **required)


@pytest.mark.parametrize(
    ("provider", "key", "value"),
    [
        ("giscus", "COMMENTS_GISCUS_REPO", "https://github.com/giulia/blog"),
        ("disqus", "COMMENTS_DISQUS_SHORTNAME", "Condividi Blog"),
        ("remark42", "COMMENTS_REMARK42_HOST", "https://remark.example.org/web"),
        ("cusdis", "COMMENTS_CUSDIS_HOST", "cusdis.com"),
    ],
)
def test_malformed_service_values_are_named(provider: str, key: str, value: str) -> None:
    with pytest.raises(ConfigError, match=key):
        config(COMMENTS_PROVIDER=provider, **{**HOSTED[provider], key: value})


def test_cors_hosts_must_be_origins() -> None:
    assert config(COMMENTS_ISSO_HOSTS=["https://www.example.org"]).isso_hosts == (
        "https://www.example.org",
    )
    with pytest.raises(ConfigError, match=r"COMMENTS_ISSO_HOSTS.*not an origin"):
        config(COMMENTS_ISSO_HOSTS=["https://www.example.org/blog"])


def test_production_refuses_an_isso_readers_cannot_reach() -> None:
    with pytest.raises(ConfigError, match=r"COMMENTS_ISSO_URL.*their own computer"):
        config(CONDIVIDI_PUBLISH=True)
    with pytest.raises(ConfigError, match="mixed content"):
        config(CONDIVIDI_PUBLISH=True, COMMENTS_ISSO_URL="http://comments.example.org")
    published = config(CONDIVIDI_PUBLISH=True, COMMENTS_ISSO_URL="/isso")
    assert published.isso_url == "https://blog.example.org/isso"


def test_a_local_production_build_may_use_a_local_isso() -> None:
    local = comments_config({"SITEURL": "http://127.0.0.1:8123", "CONDIVIDI_PUBLISH": True})
    assert local.isso_url == "http://127.0.0.1:8080"
