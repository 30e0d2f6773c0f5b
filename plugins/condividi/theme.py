"""Pelican glue for Condividi's theme: translations, date and reading-time filters, and the
minified stylesheets and scripts (:mod:`condividi.assets`).

Listed in ``PLUGINS`` as ``condividi.theme``; the other capabilities rely on it.
"""

from __future__ import annotations

import functools
import math
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from babel.dates import format_date
from jinja2.ext import Extension
from pelican import signals
from pelican.generators import Generator

from condividi import i18n, translations
from condividi.assets import minify_static

WORDS_PER_MINUTE = 220
_TAG = re.compile(r"<[^>]+>")
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
# The lists in which Pelican's generators keep articles and pages.
CONTENT_LISTS = (
    "articles",
    "translations",
    "hidden_articles",
    "hidden_translations",
    "drafts",
    "drafts_translations",
    "pages",
    "hidden_pages",
    "draft_pages",
    "draft_translations",
)


class DropIndentation(Extension):
    """Drops the indentation of every template line when Jinja compiles the template.

    The templates stay indented for people; pages lose the spaces (some 400 bytes an article)
    at no cost per page. The theme has no ``<pre>`` or ``<textarea>`` whose text it would change.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """Return ``source`` without the spaces and tabs that begin its lines."""
        return _INDENT.sub("", source)


def reading_minutes(html: str, words_per_minute: int = WORDS_PER_MINUTE) -> int:
    """Return the reading time, in whole minutes (at least 1), of an HTML body."""
    words = len(_TAG.sub(" ", html).split())
    return max(1, math.ceil(words / words_per_minute))


@lru_cache(maxsize=8192)
def localized_date(value: date | datetime, lang: str, style: str = "long") -> str:
    """Return ``value`` written as a date in ``lang`` (``"it"`` gives ``3 marzo 2026``).

    Cached: one date is shown on its article, the index, its category and each of its tags.
    """
    return format_date(value, format=style, locale=lang)


def localedir(settings: dict[str, Any]) -> str:
    """Return the folder of the theme's gettext catalogues for these settings."""
    configured = settings.get("CONDIVIDI_LOCALEDIR")
    if configured:
        return str(configured)
    return str(Path(settings["THEME"]) / "translations")


def site_path(siteurl: str) -> str:
    """Return the path of ``siteurl`` without its final slash: ``""`` for a site at the root of
    its host, ``"/blog"`` for ``https://example.org/blog/``.

    The theme's own links and assets start with it (``/archivio/``, ``/theme/css/site.css``):
    shorter than SITEURL on every link, and they keep working when the site is read at another
    address of the same host. What is read elsewhere (canonical link, social metadata, feeds,
    emails, share links) stays absolute.
    """
    return urlsplit(siteurl).path.rstrip("/")


def site_relative(url: str, siteurl: str) -> str:
    """Return ``url`` as a path from the host's root when it is a page or file of the site at
    ``siteurl`` (``https://blog.example.org/isso`` becomes ``/isso``); any other URL unchanged.
    """
    site = siteurl.rstrip("/")
    if site and (url == site or url.startswith(site + "/")):
        return site_path(site) + (url[len(site) :] or "/")
    return url


def on_generator_init(generator: Generator) -> None:
    """Install translations and the theme's filters into a generator's Jinja environment."""
    generator.context.setdefault("CONDIVIDI_LOCALEDIR", localedir(generator.settings))
    i18n.install(generator.env)
    # A build looks templates up thousands of times; each environment lives for one build
    # (`make serve` makes new generators per rebuild), so it can skip Jinja's check of the
    # template files for changes. Dates are cached by localized_date itself, and articles carry
    # their reading time (see on_article_generator_finalized).
    generator.env.auto_reload = False
    generator.env.add_extension(DropIndentation)
    siteurl = str(generator.settings.get("SITEURL") or "")
    generator.env.globals["SITEPATH"] = site_path(siteurl)
    generator.env.filters["site_relative"] = functools.partial(site_relative, siteurl=siteurl)
    generator.env.filters["localdate"] = localized_date
    generator.env.filters["reading_minutes"] = reading_minutes
    translations.install(generator.env, generator.settings, localedir(generator.settings))


def link_neighbours(articles: list[Any]) -> None:
    """Set ``prev_article`` (older) and ``next_article`` (newer) on each of ``articles``.

    Takes the articles newest first, as Pelican lists them; neighbours share a language.
    """
    by_lang: dict[str, list[Any]] = {}
    for article in articles:
        by_lang.setdefault(article.lang, []).append(article)
    for same_lang in by_lang.values():
        for index, article in enumerate(same_lang):
            article.next_article = same_lang[index - 1] if index > 0 else None
            has_older = index + 1 < len(same_lang)
            article.prev_article = same_lang[index + 1] if has_older else None


def on_article_generator_finalized(generator: Any) -> None:
    """Link each published article to its neighbours and count its reading time once.

    Lists show every article's reading time several times (index, category, tags); counting
    it here spares re-rendering ``article.content`` each time.
    """
    link_neighbours(generator.articles)
    for article in site_content([generator]):
        article.reading_minutes = reading_minutes(article._content)


def site_content(generators: Iterable[Any]) -> Iterator[Any]:
    """Yield every article and page the ``generators`` hold (translations, hidden posts and
    drafts included), once each."""
    seen: set[int] = set()
    for generator in generators:
        for name in CONTENT_LISTS:
            for content in getattr(generator, name, ()):
                if id(content) not in seen:
                    seen.add(id(content))
                    yield content


def freeze_urls(contents: Iterable[Any]) -> None:
    """Fix the URL of each of ``contents`` (Pelican articles and pages) as it is now.

    Pelican works a URL out from the settings on every read, tens of microseconds each, and
    templates read it many times per page (the menu on every page, the neighbours, the
    feeds). Once every generator has finished, nothing changes a URL any more, so each is
    stored the way Pelican stores a URL given in front matter (``override_url``); a URL an
    author gave is kept as it is.
    """
    for content in contents:
        if not hasattr(content, "override_url"):
            content.override_url = content.url


@dataclass(frozen=True)
class MenuItem:
    """A page of the site's menu as a reader of one language sees it."""

    url: str
    title: str
    lang: str
    slug: str


def menu_pages(
    pages: Sequence[Any], slugs: Iterable[str], langs: Iterable[str]
) -> dict[str, tuple[MenuItem, ...]]:
    """Return, for each of ``langs``, the menu: the ``pages`` whose slug is in ``slugs``, in
    their order, each replaced by its translation into that language when it has one.

    Takes Pelican's published pages (the originals, with their ``translations``); a page
    without a translation into a language keeps its own title and language, which the menu
    says with a ``lang`` attribute. Worked out once per build rather than on each of the
    site's pages.
    """
    wanted = set(slugs)
    shown = [page for page in pages if page.slug in wanted]
    menus: dict[str, tuple[MenuItem, ...]] = {}
    for lang in langs:
        items = []
        for page in shown:
            if page.lang != lang:
                page = next((t for t in page.translations if t.lang == lang), page)
            items.append(MenuItem(page.url, page.title, page.lang, page.slug))
        menus[lang] = tuple(items)
    return menus


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Fix every article's and page's URL before the pages are written (see freeze_urls), and
    work out the menu for each language a page of the site is in (``MENU_PAGES``)."""
    contents = list(site_content(generators))
    freeze_urls(contents)
    if not generators:
        return
    context = generators[0].context
    langs = {str(context.get("DEFAULT_LANG") or "it")}
    langs.update(str(content.lang) for content in contents if getattr(content, "lang", None))
    context["MENU_PAGES"] = menu_pages(
        context.get("pages", ()), context.get("MENUITEMS_PAGES", ()), sorted(langs)
    )


def place_favicon(output: Path, static_dir: str) -> bool:
    """Copy the theme's ``icons/favicon.ico`` to the root of ``output``, where browsers ask
    for it on documents that name no icon (a feed opened directly); return True if written.

    A ``favicon.ico`` the site's content already put there is kept.
    """
    source = output / static_dir / "icons" / "favicon.ico"
    target = output / "favicon.ico"
    if not source.is_file() or target.exists():
        return False
    shutil.copyfile(source, target)
    return True


def on_finalized(pelican: Any) -> None:
    """Minify the theme's stylesheets and scripts Pelican has copied, write the bundle, and
    put the favicon at the site's root."""
    settings = pelican.settings
    static_dir = str(settings.get("THEME_STATIC_DIR") or "theme").strip("/")
    output = Path(pelican.output_path)
    minify_static(output / static_dir, Path(settings["CACHE_PATH"]) / "assets")
    place_favicon(output, static_dir)


def register() -> None:
    """Connect the theme glue to Pelican's signals."""
    signals.generator_init.connect(on_generator_init)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.finalized.connect(on_finalized)
