"""Pelican glue for the feeds: check settings, give templates the feed links, write the feeds."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator

from condividi import i18n
from condividi.feeds.config import feeds_config
from condividi.feeds.entries import FeedItem, entry_id, feed_item, language_tag
from condividi.feeds.plan import FeedsIndex, SiteInfo, plan_feeds
from condividi.feeds.render import feed_key, item_key, render_feed
from condividi.feeds.stylesheet import render_stylesheet
from condividi.filecache import FileCache, publish_file
from condividi.theme import localedir

log = logging.getLogger(__name__)
# A cached feed this build did not use is deleted once this old: a build running at the same
# time (``make serve`` next to ``make publish``) may still be about to link it.
PRUNE_AFTER_SECONDS = 3600


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


def on_article_writer_finalized(generator: ArticlesGenerator, writer: Any) -> None:
    """Write every planned feed, and the stylesheet that makes them readable in a browser.

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
    if config.stylesheet_save_as:
        xsl = render_stylesheet(generator.env, generator.context)
        _write(output / config.stylesheet_save_as, xsl.encode("utf-8"))
    log.info(
        "condividi.feeds: wrote %d feeds of %d posts (%d rendered, %d from the cache)",
        len(feeds),
        len(items),
        cache.made,
        cache.reused,
    )


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def register() -> None:
    """Connect the feeds capability to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
