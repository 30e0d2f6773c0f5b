"""Pelican glue for search: the search pages, the field's links, and the index after a build.

- ``initialized``: the ``SEARCH_*`` settings are checked (a bad value stops the build);
- ``all_generators_finalized``: the search pages are placed (``SEARCH`` in templates) and the
  documents to index are taken from the published posts and pages, whose content is final;
- ``article_writer_finalized``: the search page of each language is written (``search.html``);
- :data:`condividi.build.build_succeeded`: Pagefind indexes the documents into the new
  output, before it replaces the old one, and the search script is placed beside the index.
  A plain ``pelican`` run writes the pages but no index (it cannot tell whether it failed).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator, Generator, PelicanTemplateNotFound

from condividi.build import build_succeeded
from condividi.config import ConfigError
from condividi.search.config import SearchConfig, search_config
from condividi.search.index import search_documents, write_index
from condividi.search.pages import (
    SCRIPT_NAME,
    SearchSite,
    articles_in,
    language_name,
    plan_search_pages,
)
from condividi.theme import site_path

log = logging.getLogger(__name__)
PAGE_TEMPLATE = "search"
SCRIPT_SOURCE = Path(__file__).with_name("search.js")


@dataclass
class _Build:
    """What one running build knows of search, from its generators to its success."""

    config: SearchConfig
    site: SearchSite = field(default_factory=SearchSite)
    generators: list[Any] = field(default_factory=list)


# Keyed by the build's settings dict (shared by the Pelican object and all its generators).
# The preview's quick builds stop before any success, so only the newest few are kept.
_builds: dict[int, _Build] = {}
_KEPT_BUILDS = 4


def on_initialized(pelican: Pelican) -> None:
    """Check the search settings before anything is read; raises ConfigError if wrong."""
    search_config(pelican.settings)


def on_generator_init(generator: Generator) -> None:
    """Give templates the ``language_name`` filter (the search page's other languages)."""
    generator.env.filters["language_name"] = language_name


def on_get_generators(pelican: Pelican) -> None:
    """Start afresh: what a failed run left behind is dropped (one build at a time)."""
    _builds.pop(id(pelican.settings), None)


def on_all_generators_finalized(generators: list[Generator]) -> None:
    """Place the search pages, tell templates (``SEARCH``), and take the documents."""
    if not generators:
        return
    settings = generators[0].settings
    config = search_config(settings)
    if not config.enabled:
        return
    languages = {
        str(content.lang)
        for generator in generators
        for name in ("articles", "translations", "pages")
        for content in getattr(generator, name, ())
    }
    default_lang = str(settings.get("DEFAULT_LANG") or "it")
    pages = plan_search_pages(config, languages, default_lang, settings)
    # The documents are made only once the build succeeded: reading each post's final
    # content costs, and the preview's quick builds never get there.
    build = _Build(config, SearchSite(pages, f"{config.output}/{SCRIPT_NAME}"), list(generators))
    _builds[id(settings)] = build
    while len(_builds) > _KEPT_BUILDS:
        _builds.pop(next(iter(_builds)))
    generators[0].context["SEARCH"] = build.site


def on_article_writer_finalized(generator: ArticlesGenerator, writer: Any) -> None:
    """Write the search page of each language with the theme's ``search.html``.

    The template gets ``search_page`` (the page), ``lang`` (its language, which picks the
    catalogue) and ``search_articles`` (the published posts in that language, newest first,
    listed by year for readers without JavaScript). Raises :class:`ConfigError` when the
    theme has no such template.
    """
    build = _builds.get(id(generator.settings))
    if build is None or not build.site.pages:
        return
    try:
        template = generator.get_template(PAGE_TEMPLATE)
    except PelicanTemplateNotFound as error:
        raise ConfigError(
            f"the theme has no templates/{PAGE_TEMPLATE}.html for the search page: add it, "
            "or set SEARCH_ENABLED = False"
        ) from error
    published = [*generator.articles, *generator.translations]
    for page in build.site.pages:
        writer.write_file(
            page.save_as,
            template,
            generator.context,
            relative_urls=generator.settings.get("RELATIVE_URLS", False),
            url=page.url,
            page_name=PAGE_TEMPLATE,
            search_page=page,
            lang=page.lang,
            search_articles=articles_in(published, page.lang),
        )


def on_build_succeeded(pelican: Pelican) -> None:
    """Index the build's documents into its output, with the search script beside them.

    Raises :class:`~condividi.search.index.SearchError` when Pagefind fails: the build then
    fails and the old output stays in place.
    """
    build = _builds.pop(id(pelican.settings), None)
    if build is None:
        return
    started = time.perf_counter()
    siteurl = str(pelican.settings.get("SITEURL") or "")
    documents = search_documents(build.generators, build.config, site_path(siteurl))
    build.generators = []
    folder = Path(pelican.output_path) / build.config.output
    stats = write_index(documents, folder, build.config)
    shutil.copyfile(SCRIPT_SOURCE, folder / SCRIPT_NAME)
    log.info(
        "search: %s indexed (%d files, %.0f KB) in %.2f s",
        ", ".join(f"{count} {lang}" for lang, count in sorted(stats.pages.items())) or "nothing",
        stats.files,
        stats.bytes / 1024,
        time.perf_counter() - started,
    )


def register() -> None:
    """Connect search to Pelican's signals and to the safe build's success."""
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_get_generators)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
    build_succeeded.connect(on_build_succeeded)
