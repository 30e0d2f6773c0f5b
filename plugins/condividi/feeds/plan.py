"""Which feeds a site has: the site-wide pair, then a pair per category and per tag; and
where its subscribe page is, in each language.

:func:`plan_feeds` decides each feed's path, identity and articles without reading any
content, :func:`plan_pages` the subscribe pages; the theme gets the resulting links through
:class:`FeedsIndex` (``FEEDS`` in templates) and the writer renders the same plan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from condividi.config import ConfigError
from condividi.feeds.config import FeedsConfig
from condividi.feeds.render import MEDIA_TYPES, FeedSpec, Format

FORMATS: tuple[Format, ...] = ("rss", "atom")
FORMAT_NAMES = {"rss": "RSS", "atom": "Atom"}


@dataclass(frozen=True)
class SiteInfo:
    """The site-wide facts a feed states: name, subtitle, language, author."""

    name: str
    subtitle: str
    lang: str
    author: str


@dataclass(frozen=True)
class PlannedFeed:
    """One feed file to write: its format, path, what it says about itself and its posts."""

    kind: Format
    save_as: str
    spec: FeedSpec
    articles: tuple[Any, ...]

    @property
    def media_type(self) -> str:
        """The feed's media type (``application/atom+xml`` or ``application/rss+xml``)."""
        return MEDIA_TYPES[self.kind]

    @property
    def link_title(self) -> str:
        """The title of the feed's autodiscovery link, e.g. ``Condividi (RSS)``."""
        return f"{self.spec.title} ({FORMAT_NAMES[self.kind]})"


@dataclass(frozen=True)
class FeedPage:
    """The subscribe page in one language: its URL and file, both relative to the site."""

    lang: str
    url: str
    save_as: str


@dataclass(frozen=True)
class FeedsIndex:
    """The feeds of a build, as templates see them (``FEEDS.site``, ``FEEDS.of_list(...)``,
    ``FEEDS.subscribe_url(lang)``)."""

    site: tuple[PlannedFeed, ...] = ()
    categories: Mapping[str, tuple[PlannedFeed, ...]] = field(default_factory=dict)
    tags: Mapping[str, tuple[PlannedFeed, ...]] = field(default_factory=dict)
    # The default language's page first; set once every generator has read its content.
    pages: tuple[FeedPage, ...] = ()

    def subscribe_url(self, lang: str) -> str:
        """Return where the site's "RSS feed" links lead a reader of a page in ``lang``.

        The subscribe page in ``lang``, else the one of the default language, else (no page)
        the site-wide RSS feed itself; a URL relative to the site, like Pelican's.
        """
        for page in self.pages:
            if page.lang == lang:
                return page.url
        if self.pages:
            return self.pages[0].url
        rss = [feed for feed in self.site if feed.kind == "rss"]
        return rss[0].save_as if rss else ""

    def of_list(self, category: Any = None, tag: Any = None) -> tuple[PlannedFeed, ...]:
        """Return the feeds of a category's or tag's list page (empty for other pages)."""
        if tag:
            return self.tags.get(tag.slug, ())
        if category:
            return self.categories.get(category.slug, ())
        return ()

    def all(self) -> list[PlannedFeed]:
        """Return every planned feed, the site-wide ones first."""
        feeds = list(self.site)
        for group in (*self.categories.values(), *self.tags.values()):
            feeds.extend(group)
        return feeds


def newest_first(articles: Iterable[Any], max_items: int | None) -> tuple[Any, ...]:
    """Return ``articles`` newest first (ties by slug, for stable output), cut to ``max_items``."""
    ordered = sorted(articles, key=lambda article: str(article.slug))
    ordered.sort(key=lambda article: article.date, reverse=True)
    return tuple(ordered[:max_items] if max_items else ordered)


def plan_feeds(
    config: FeedsConfig,
    site: SiteInfo,
    articles: Sequence[Any],
    categories: Iterable[tuple[Any, Sequence[Any]]],
    tags: Iterable[tuple[Any, Sequence[Any]]],
    gettext: Callable[[str], str],
) -> FeedsIndex:
    """Return the :class:`FeedsIndex` of a site.

    Takes the config, the site facts, the published articles, ``(category, articles)`` and
    ``(tag, articles)`` pairs (Pelican's taxonomy objects: ``name``, ``slug``, ``url``) and
    the gettext of the site language for feed titles. Raises :class:`ConfigError` when two
    feeds would be written to the same path.
    """
    base = f"tag:{config.id_authority},{config.id_date}:feeds"

    def pair(
        save_as: dict[Format, str], feed_id: str, title: str, home: str, posts: Sequence[Any]
    ) -> tuple[PlannedFeed, ...]:
        chosen = newest_first(posts, config.max_items)
        return tuple(
            PlannedFeed(
                kind=kind,
                save_as=save_as[kind],
                spec=FeedSpec(
                    id=feed_id,
                    title=title,
                    subtitle=site.subtitle,
                    home_url=home,
                    self_url=config.url(save_as[kind]),
                    lang=site.lang,
                    author=site.author,
                    hub=config.websub_hub,
                ),
                articles=chosen,
            )
            for kind in FORMATS
        )

    site_feeds = pair(
        {"atom": config.atom_save_as, "rss": config.rss_save_as},
        f"{base}/all",
        site.name,
        f"{config.siteurl}/",
        articles,
    )
    category_feeds: dict[str, tuple[PlannedFeed, ...]] = {}
    if config.categories:
        for category, posts in categories:
            category_feeds[category.slug] = pair(
                {
                    "atom": config.category_atom_save_as.format(slug=category.slug),
                    "rss": config.category_rss_save_as.format(slug=category.slug),
                },
                f"{base}/category/{category.slug}",
                gettext("%(site)s · category %(name)s") % {"site": site.name, "name": category},
                config.url(category.url),
                posts,
            )
    tag_feeds: dict[str, tuple[PlannedFeed, ...]] = {}
    if config.tags:
        for tag, posts in tags:
            tag_feeds[tag.slug] = pair(
                {
                    "atom": config.tag_atom_save_as.format(slug=tag.slug),
                    "rss": config.tag_rss_save_as.format(slug=tag.slug),
                },
                f"{base}/tag/{tag.slug}",
                gettext("%(site)s · tag %(name)s") % {"site": site.name, "name": tag},
                config.url(tag.url),
                posts,
            )
    index = FeedsIndex(site=site_feeds, categories=category_feeds, tags=tag_feeds)
    _check_paths(index)
    return index


def _check_paths(index: FeedsIndex) -> None:
    seen: dict[str, str] = {}
    for feed in index.all():
        if feed.save_as in seen:
            raise ConfigError(
                f"two feeds would be written to {feed.save_as!r} ({seen[feed.save_as]} and "
                f"{feed.spec.title} {FORMAT_NAMES[feed.kind]}): give the FEEDS_*_SAVE_AS "
                "settings different paths"
            )
        seen[feed.save_as] = f"{feed.spec.title} {FORMAT_NAMES[feed.kind]}"


def plan_pages(
    config: FeedsConfig,
    languages: Iterable[str],
    default_lang: str,
    url_patterns: Mapping[str, Any],
) -> tuple[FeedPage, ...]:
    """Return the subscribe pages to write: one per language that has a slug and content.

    Takes the feeds config (``page_slugs``), the languages of the site's published posts and
    pages, ``DEFAULT_LANG`` and Pelican's settings, whose page patterns place the pages like
    the author's own (``PAGE_URL``/``PAGE_SAVE_AS`` for the default language,
    ``PAGE_LANG_URL``/``PAGE_LANG_SAVE_AS`` for the others). The default language always gets
    its page (when it has a slug) and comes first. Raises :class:`ConfigError` when a
    pattern needs more than ``{slug}`` and ``{lang}``.
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
                    f"setting {name} = {pattern!r} cannot place the subscribe page "
                    f"({lang}: {slug!r}): it may use only {{slug}} and {{lang}} ({error!r}); "
                    "set FEEDS_PAGE_SLUGS = {} to write no subscribe page"
                ) from error
        if not places[1]:
            continue  # the site writes no pages there
        pages.append(FeedPage(lang=lang, url=places[0], save_as=places[1]))
    return tuple(pages)
