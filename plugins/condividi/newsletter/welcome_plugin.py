"""Pelican glue for the welcome mail (``condividi.newsletter.welcome_plugin``).

The welcome files are read as the build starts (a broken one stops it, naming the file) and
rendered, with the newest posts, once the safe build succeeded (:data:`build_succeeded`), into
the folder the local provider reads them from (:func:`~condividi.newsletter.welcome.
welcome_folder`). A plain ``pelican`` run writes nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator

from condividi.build import build_succeeded
from condividi.config import project_root
from condividi.newsletter.config import newsletter_config, resolve_paths
from condividi.newsletter.welcome import (
    LatestPost,
    WelcomeSource,
    latest_posts,
    read_sources,
    render_welcome,
    source_folder,
    welcome_config,
    welcome_folder,
    write_welcomes,
)
from condividi.theme import localedir
from condividi.translations import absolute

log = logging.getLogger(__name__)

# Keyed by the build's settings dict: the welcome sources, then the newest posts.
_sources: dict[int, list[WelcomeSource]] = {}
_posts: dict[int, list[LatestPost]] = {}


def _folder_name(folder: Path, settings: dict[str, Any]) -> str:
    try:
        return folder.resolve().relative_to(project_root(settings)).as_posix()
    except ValueError:
        return str(folder)


def on_initialized(pelican: Pelican) -> None:
    """Read the welcome files; one without a subject or text stops the build, named."""
    settings = pelican.settings
    config = welcome_config(settings)
    if not config.enabled:
        _sources[id(settings)] = []  # none: the success removes what an earlier build wrote
        return
    folder = source_folder(settings, config)
    default_lang = str(settings.get("DEFAULT_LANG") or "it")
    _sources[id(settings)] = read_sources(folder, default_lang, _folder_name(folder, settings))


def on_article_generator_finalized(generator: ArticlesGenerator) -> None:
    """Keep the published posts, every language, newest first, with absolute URLs."""
    if id(generator.settings) not in _sources:
        return
    siteurl = str(generator.settings.get("SITEURL") or "")
    posts = sorted(
        [*generator.articles, *generator.translations], key=lambda a: a.date, reverse=True
    )
    _posts[id(generator.settings)] = [
        LatestPost(str(post.title), absolute(siteurl, post.url), str(post.lang)) for post in posts
    ]


def on_build_succeeded(pelican: Pelican) -> None:
    """Render each language's welcome with its newest posts and write them for the local
    provider (removing those whose file is gone)."""
    settings = pelican.settings
    sources = _sources.pop(id(settings), None)
    posts = _posts.pop(id(settings), [])
    if sources is None:
        return
    config = welcome_config(settings)
    newsletter = resolve_paths(newsletter_config(settings, environ={}), settings)
    sitename = str(settings.get("SITENAME") or "")
    mails = [
        render_welcome(
            source, latest_posts(posts, source.lang, config.posts), sitename, localedir(settings)
        )
        for source in sources
    ]
    folder = welcome_folder(newsletter.local_db)
    write_welcomes(folder, mails, str(settings.get("DEFAULT_LANG") or "it"))
    if mails:
        log.info(
            "newsletter: welcome mail in %s written in %s", ", ".join(m.lang for m in mails), folder
        )


def register() -> None:
    """Connect the welcome mail to Pelican's signals and to the safe build's success."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    build_succeeded.connect(on_build_succeeded)
