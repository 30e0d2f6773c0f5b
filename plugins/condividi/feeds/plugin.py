"""Pelican glue for the feeds: check settings, give templates the feed links, write the feeds."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator

from condividi import i18n
from condividi.feeds.config import feeds_config
from condividi.feeds.entries import FeedItem, entry_id, feed_item, language_tag
from condividi.feeds.plan import FeedsIndex, SiteInfo, plan_feeds
from condividi.feeds.render import render_feed
from condividi.feeds.stylesheet import render_stylesheet
from condividi.theme import localedir

log = logging.getLogger(__name__)


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
    """Write every planned feed, and the stylesheet that makes them readable in a browser."""
    config = feeds_config(generator.settings)
    index: FeedsIndex = generator.context["FEEDS"]
    output = Path(generator.output_path)
    roots = (output, Path(generator.settings["PATH"]))
    items: dict[int, FeedItem] = {}  # one FeedItem per article, shared by all its feeds
    author_pages = bool(generator.settings.get("AUTHOR_SAVE_AS"))
    feeds = index.all()
    for feed in feeds:
        feed_items = []
        for article in feed.articles:
            if id(article) not in items:
                items[id(article)] = feed_item(
                    article, config, author_pages=author_pages, file_roots=roots
                )
            feed_items.append(items[id(article)])
        _write(output / feed.save_as, render_feed(feed.spec, feed_items, feed.kind))
    if config.stylesheet_save_as:
        xsl = render_stylesheet(generator.env, generator.context)
        _write(output / config.stylesheet_save_as, xsl.encode("utf-8"))
    log.info("condividi.feeds: wrote %d feeds of %d posts", len(feeds), len(items))


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def register() -> None:
    """Connect the feeds capability to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
