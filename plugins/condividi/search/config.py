"""The ``SEARCH_*`` settings, read once into a typed, validated :class:`SearchConfig`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from condividi.config import ConfigError, load_config

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Pagefind's own output folder name; the site serves the index and its scripts from there.
_FOLDER = re.compile(r"^[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*$")


def _page_slugs() -> dict[str, str]:
    return {"it": "cerca", "en": "search"}


@dataclass(frozen=True)
class SearchConfig:
    """Everything the search capability reads from ``SEARCH_*`` settings.

    ``enabled``: build the index and show the field (``SEARCH_ENABLED``). ``page_slugs``: the
    search page's slug per language, placed like the author's pages (``PAGE_URL`` for the
    default language, ``PAGE_LANG_URL`` for the others). ``output``: the index's folder in
    the site. ``pages``: index the site's pages (about, privacy, ...) beside the posts.
    ``exclude_selectors``: CSS selectors of parts of a post body left out of the index.
    ``excerpt_words``: the length of a result's excerpt.
    """

    enabled: bool = True
    page_slugs: Mapping[str, str] = field(default_factory=_page_slugs)
    output: str = "pagefind"
    pages: bool = True
    exclude_selectors: tuple[str, ...] = ("form", "script", "style", "template")
    excerpt_words: int = 24


def search_config(settings: Mapping[str, Any]) -> SearchConfig:
    """Return the search settings of Pelican ``settings``, checked.

    Raises :class:`ConfigError` naming the setting whose value Condividi cannot use.
    """
    config = load_config(SearchConfig, settings, "SEARCH")
    for lang, slug in config.page_slugs.items():
        if not isinstance(slug, str) or not _SLUG.match(slug):
            raise ConfigError(
                f"setting SEARCH_PAGE_SLUGS has {lang!r}: {slug!r}, which is not a slug "
                "(lowercase letters, digits and single hyphens, like 'cerca')"
            )
    if not _FOLDER.match(config.output):
        raise ConfigError(
            f"setting SEARCH_OUTPUT = {config.output!r} is not a folder inside the site "
            "(letters, digits, '-', '_' and '/', like 'pagefind')"
        )
    if not 4 <= config.excerpt_words <= 100:
        raise ConfigError(
            f"setting SEARCH_EXCERPT_WORDS = {config.excerpt_words!r} is out of range: "
            "give a number of words from 4 to 100"
        )
    for selector in config.exclude_selectors:
        if not isinstance(selector, str) or not selector.strip():
            raise ConfigError(
                f"setting SEARCH_EXCLUDE_SELECTORS has {selector!r}: give CSS selectors "
                "as non-empty strings, like 'form' or '.aside'"
            )
    return config
