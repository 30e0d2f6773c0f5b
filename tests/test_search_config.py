"""The SEARCH_* settings: defaults, and a clear error naming a bad one."""

from __future__ import annotations

import pytest

from condividi.config import ConfigError
from condividi.search.config import SearchConfig, search_config


def test_defaults() -> None:
    config = search_config({})
    assert config == SearchConfig()
    assert config.enabled and config.output == "pagefind"
    assert dict(config.page_slugs) == {"it": "cerca", "en": "search"}


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"SEARCH_ENABLED": "yes"}, "SEARCH_ENABLED"),
        ({"SEARCH_PAGE_SLUGS": {"it": "Cerca Qui"}}, "SEARCH_PAGE_SLUGS"),
        ({"SEARCH_OUTPUT": "../outside"}, "SEARCH_OUTPUT"),
        ({"SEARCH_OUTPUT": "/pagefind"}, "SEARCH_OUTPUT"),
        ({"SEARCH_EXCERPT_WORDS": 0}, "SEARCH_EXCERPT_WORDS"),
        ({"SEARCH_EXCLUDE_SELECTORS": ["form", ""]}, "SEARCH_EXCLUDE_SELECTORS"),
    ],
)
def test_a_bad_setting_is_named(settings: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        search_config(settings)


def test_lists_become_tuples() -> None:
    assert search_config({"SEARCH_EXCLUDE_SELECTORS": [".aside"]}).exclude_selectors == (".aside",)
