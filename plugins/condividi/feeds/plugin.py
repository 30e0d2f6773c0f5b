"""Pelican glue for the feeds: check settings, give templates the feed links, write the feeds
and the subscribe page that the site's "RSS feed" links lead to."""

from __future__ import annotations

import dataclasses
import logging
from functools import partial
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, Generator, PelicanTemplateNotFound

from condividi import i18n
from condividi.config import ConfigError
from condividi.feeds.config import feeds_config
from condividi.feeds.entries import FeedItem, entry_id, feed_item, language_tag
from condividi.feeds.plan import FeedPage, FeedsIndex, SiteInfo, plan_feeds, plan_pages
from condividi.feeds.render import feed_key, item_key, render_feed
from condividi.filecache import FileCache, publish_file
from condividi.theme import localedir

log = logging.getLogger(__name__)
# A cached feed this build did not use is deleted once this old: a build running at the same
# time (``make serve`` next to ``make publish``) may still be about to link it.
PRUNE_AFTER_SECONDS = 3600
# The theme's template of the subscribe page, and how many of the feed's posts it lists.
PAGE_TEMPLATE = "subscribe"
PAGE_POSTS = 10


def on_initialized(pelican: Pelican) -> None:
    """Check the ``FEEDS_*`` settings before anything is read, so a bad value stops the build."""
    feeds_config(pelican.settings)


def on_article_generator_finalized(generator: ArticlesGenerator) -> None:
    """Give each published article its ``feed_id`` and the templates ``FEEDS`` (the links)."""
    settings = generator.settings
    config = feeds_config(settings)
    for article in generator.articles:
        article.feed_id = entry_id(article, config)
    lang = str(settings.get("DEFAULT_LANG") or "it")
    name = str(settings.get("SITENAME") or config.siteurl)
    site = SiteInfo(
        name=name,
        subtitle=str(settings.get("SITESUBTITLE") or ""),
        lang=language_tag(lang),
        author=str(settings.get("AUTHOR") or name),
    )
    catalogue = i18n.load_catalogue(localedir(settings), lang)
    generator.context["FEEDS"] = plan_feeds(
        config,
        site,
        generator.articles,
        generator.categories,
        generator.tags.items(),
        catalogue.gettext,
    )


def on_all_generators_finalized(generators: list[Generator]) -> None:
    """Place the subscribe page in each language the site publishes in (see plan_pages)."""
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is None or "FEEDS" not in articles.context:
        return
    settings = articles.settings
    languages = {
        str(content.lang)
        for generator in generators
        for name in ("articles", "translations", "pages")
        for content in getattr(generator, name, ())
    }
    pages = plan_pages(
        feeds_config(settings), languages, str(settings.get("DEFAULT_LANG") or "it"), settings
    )
    articles.context["FEEDS"] = dataclasses.replace(articles.context["FEEDS"], pages=pages)


def on_article_writer_finalized(generator: ArticlesGenerator, writer: Any) -> None:
    """Write every planned feed, then the subscribe pages.

    A feed is rendered only when the cache (``CACHE_PATH/feeds``) lacks the same feed, then
    linked into the output; the cache keeps only what this build used.
    """
    config = feeds_config(generator.settings)
    index: FeedsIndex = generator.context["FEEDS"]
    output = Path(generator.output_path)
    roots = (output, Path(generator.settings["PATH"]))
    # One FeedItem (and its hash) per article, shared by all its feeds.
    items: dict[int, tuple[FeedItem, str]] = {}
    author_pages = bool(generator.settings.get("AUTHOR_SAVE_AS"))
    cache = FileCache(Path(generator.settings["CACHE_PATH"]) / "feeds", ".xml")
    feeds = index.all()
    for feed in feeds:
        for article in feed.articles:
            if id(article) not in items:
                item = feed_item(article, config, author_pages=author_pages, file_roots=roots)
                items[id(article)] = (item, item_key(item))
        feed_items = [items[id(article)][0] for article in feed.articles]
        key = feed_key(feed.spec, [items[id(article)][1] for article in feed.articles], feed.kind)
        cached = cache.get(key, partial(render_feed, feed.spec, feed_items, feed.kind))
        destination = output / feed.save_as
        destination.parent.mkdir(parents=True, exist_ok=True)
        publish_file(cached, destination)
    cache.prune(older_than=PRUNE_AFTER_SECONDS)
    for page in index.pages:
        write_page(generator, writer, page, index)
    log.info(
        "condividi.feeds: wrote %d feeds of %d posts (%d rendered, %d from the cache), "
        "%d subscribe pages",
        len(feeds),
        len(items),
        cache.made,
        cache.reused,
        len(index.pages),
    )


def write_page(
    generator: ArticlesGenerator, writer: Any, page: FeedPage, index: FeedsIndex
) -> None:
    """Write the subscribe ``page`` with the theme's ``subscribe.html``, in the page's language.

    The template gets ``feed_page`` (the page), ``lang`` (its language, which picks the
    catalogue) and ``subscribe_posts`` (the newest posts of the site-wide feed). Raises
    :class:`ConfigError` when the theme has no such template.
    """
    try:
        template = generator.get_template(PAGE_TEMPLATE)
    except PelicanTemplateNotFound as error:
        raise ConfigError(
            f"the theme has no templates/{PAGE_TEMPLATE}.html for the subscribe page: add it, "
            "or set FEEDS_PAGE_SLUGS = {} to write none"
        ) from error
    posts = index.site[0].articles[:PAGE_POSTS] if index.site else ()
    writer.write_file(
        page.save_as,
        template,
        generator.context,
        relative_urls=generator.settings.get("RELATIVE_URLS", False),
        url=page.url,
        page_name=PAGE_TEMPLATE,
        feed_page=page,
        lang=page.lang,
        subscribe_posts=posts,
    )


def register() -> None:
    """Connect the feeds capability to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
