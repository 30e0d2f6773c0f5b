"""Where the search page is in each language, and what templates know of search (``SEARCH``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from condividi.config import ConfigError
from condividi.search.config import SearchConfig

# The script that runs searches, written into the index's folder beside pagefind.js.
SCRIPT_NAME = "condividi-search.js"


@dataclass(frozen=True)
class SearchPage:
    """The search page in one language: its URL and file, both relative to the site."""

    lang: str
    url: str
    save_as: str


@dataclass(frozen=True)
class SearchSite:
    """Search as templates see it (``SEARCH``): the pages, and where the script is.

    ``pages`` lists the default language's page first; ``script`` is the search script's
    path inside the site (``pagefind/condividi-search.js``).
    """

    pages: tuple[SearchPage, ...] = ()
    script: str = f"pagefind/{SCRIPT_NAME}"

    def page(self, lang: str) -> SearchPage | None:
        """Return the search page in ``lang``, else the default language's (None if none)."""
        for page in self.pages:
            if page.lang == lang:
                return page
        return self.pages[0] if self.pages else None

    def url(self, lang: str) -> str:
        """Return the URL (relative to the site) of the search page for a reader of ``lang``."""
        page = self.page(lang)
        return page.url if page else ""

    def others(self, lang: str) -> tuple[SearchPage, ...]:
        """Return the search pages in the languages other than ``lang``."""
        return tuple(page for page in self.pages if page.lang != lang)


def plan_search_pages(
    config: SearchConfig,
    languages: Iterable[str],
    default_lang: str,
    url_patterns: Mapping[str, Any],
) -> tuple[SearchPage, ...]:
    """Return the search pages to write: one per language that has content and a slug.

    Takes the search settings (``page_slugs``), the languages of the site's published posts
    and pages, ``DEFAULT_LANG`` and Pelican's settings, whose page patterns place the pages
    like the author's own (``PAGE_URL``/``PAGE_SAVE_AS`` for the default language,
    ``PAGE_LANG_URL``/``PAGE_LANG_SAVE_AS`` for the others). The default language comes
    first. Raises :class:`ConfigError` when a pattern needs more than ``{slug}`` and ``{lang}``.
    """
    wanted = [default_lang, *sorted(set(languages) - {default_lang})]
    pages = []
    for lang in wanted:
        slug = config.page_slugs.get(lang)
        if not slug:
            continue
        prefix = "PAGE" if lang == default_lang else "PAGE_LANG"
        places = []
        for name in (f"{prefix}_URL", f"{prefix}_SAVE_AS"):
            pattern = str(url_patterns.get(name) or "")
            try:
                places.append(pattern.format(slug=slug, lang=lang))
            except (KeyError, IndexError, ValueError) as error:
                raise ConfigError(
                    f"setting {name} = {pattern!r} cannot place the search page "
                    f"({lang}: {slug!r}): it may use only {{slug}} and {{lang}} ({error!r}); "
                    "set SEARCH_PAGE_SLUGS to other slugs, or SEARCH_ENABLED = False"
                ) from error
        if places[1]:
            pages.append(SearchPage(lang=lang, url=places[0], save_as=places[1]))
    return tuple(pages)


def articles_in(articles: Iterable[Any], lang: str) -> list[Any]:
    """Return the published ``articles`` written in ``lang``, newest first (the search
    page's list by year, for readers without JavaScript)."""
    return sorted((a for a in articles if a.lang == lang), key=lambda a: a.date, reverse=True)


def language_name(code: str, in_lang: str) -> str:
    """Return the name of the language ``code`` written in ``in_lang`` (``"en"`` in ``"it"``
    gives ``inglese``), or ``code`` itself when Babel does not know it."""
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(in_lang).languages.get(code, code))
    except (ValueError, UnknownLocaleError):
        return code
