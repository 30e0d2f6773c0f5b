"""Pelican glue for the sitemap: check the settings as the build starts, keep the generators,
and write ``sitemap.xml`` and ``robots.txt`` once every page is written."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, PagesGenerator

from condividi.files import write_atomically
from condividi.sitemap.config import SitemapConfig, sitemap_config
from condividi.sitemap.urls import ROBOTS_MARK, collect_urls, render_robots, render_sitemap
from condividi.translations import absolute

log = logging.getLogger(__name__)

# Keyed by the build's settings dict, which the Pelican object and its generators share.
_generators: dict[int, list[Any]] = {}


def on_initialized(pelican: Pelican) -> None:
    """Check the ``SITEMAP_*`` settings before anything is read: a bad value stops the build."""
    sitemap_config(pelican.settings)


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Keep the build's generators: their published lists and URLs are final now."""
    if generators:
        _generators[id(generators[0].settings)] = generators


def published_contents(generators: list[Any]) -> list[Any]:
    """Return the published articles and pages of ``generators``, translations included
    (never drafts or hidden ones), that the build writes a page for."""
    contents: list[Any] = []
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            contents += [*generator.articles, *generator.translations]
        elif isinstance(generator, PagesGenerator):
            contents += [*generator.pages, *generator.translations]
    return [content for content in contents if getattr(content, "save_as", "")]


def list_pages(
    generators: list[Any], settings: dict[str, Any], config: SitemapConfig, output: Path
) -> list[tuple[str, list[Any]]]:
    """Return the list pages as ``(path, articles)``: home, archive, each category and tag,
    and each of ``SITEMAP_EXTRA_PATHS`` the build wrote into ``output``."""
    pages: list[tuple[str, list[Any]]] = []
    articles = next((g for g in generators if isinstance(g, ArticlesGenerator)), None)
    if articles is not None:
        everything = list(articles.articles)
        if settings.get("INDEX_SAVE_AS", "index.html"):
            pages.append((str(settings.get("INDEX_URL") or ""), everything))
        if settings.get("ARCHIVES_SAVE_AS"):
            pages.append((str(settings.get("ARCHIVES_URL") or ""), everything))
        if settings.get("CATEGORY_SAVE_AS"):
            pages += [(category.url, list(posts)) for category, posts in articles.categories]
        if settings.get("TAG_SAVE_AS"):
            pages += [(tag.url, list(posts)) for tag, posts in articles.tags.items()]
    for path in config.extra_paths:
        written = output / path / "index.html" if path.endswith("/") or not path else output / path
        if written.is_file():
            pages.append((path, []))
    return pages


def on_finalized(pelican: Pelican) -> None:
    """Write ``sitemap.xml`` and ``robots.txt`` into the output (either off when its
    ``*_SAVE_AS`` is empty); a ``robots.txt`` the site ships itself is kept."""
    settings = pelican.settings
    generators = _generators.pop(id(settings), [])
    config = sitemap_config(settings)
    output = Path(pelican.output_path)
    siteurl = str(settings.get("SITEURL") or "")
    sitemap_url = None
    if config.save_as:
        urls = collect_urls(
            published_contents(generators),
            list_pages(generators, settings, config, output),
            siteurl,
            str(settings.get("DEFAULT_LANG") or "it"),
            config.exclude_paths,
        )
        write_atomically(output / config.save_as, render_sitemap(urls), durable=False)
        sitemap_url = absolute(siteurl, config.save_as)
        log.info("sitemap: %d URLs in %s", len(urls), config.save_as)
    if config.robots_save_as:
        robots = output / config.robots_save_as
        if robots.is_file() and not robots.read_text(errors="replace").startswith(ROBOTS_MARK):
            log.info("sitemap: %s comes from the site's content; left as it is", robots.name)
            return
        write_atomically(robots, render_robots(sitemap_url), durable=False)


def register() -> None:
    """Connect the sitemap to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.finalized.connect(on_finalized)
