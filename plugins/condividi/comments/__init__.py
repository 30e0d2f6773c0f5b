"""Comments: self-hosted Isso by default; giscus, Disqus, Remark42 or Cusdis on a click.

Listed in ``PLUGINS`` as ``condividi.comments``. The glue below reads ``COMMENTS_*`` once into
the template context (``comments_config``) and gives every post its thread id
(``comments_thread``, ``None`` when the post has ``Comments: off``; a page has one only with
``Comments: on``) and, for a hosted service,
its click-to-load embed (``comments_embed``); with Isso, the address of the script that starts
Isso's client in the post's language (``comments_client``, written once per language:
:mod:`condividi.comments.isso_client`). The theme's ``partials/comments.html`` and
``partials/comment_count.html`` render them; ``theme/static/js/comments.js`` fills the counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator

from condividi import i18n
from condividi.comments.config import CommentsConfig, comments_config
from condividi.comments.embeds import Post, build_embed
from condividi.comments.isso_client import client_attributes, client_path, client_script
from condividi.comments.threads import comments_enabled, thread_id
from condividi.files import write_atomically
from condividi.theme import localedir, site_content, site_relative


def on_generator_init(generator: Generator) -> None:
    """Read and check the settings once; every generator shares the context."""
    if "comments_config" not in generator.context:
        generator.context["comments_config"] = comments_config(generator.settings)


def annotate(
    article: Any, config: CommentsConfig, settings: dict[str, Any], default: bool = True
) -> None:
    """Set ``comments_thread`` and ``comments_embed`` on one article or page.

    ``default`` is whether it takes comments without a ``Comments:`` line: a post does, a page
    (about, privacy...) does not.
    """
    enabled = config.provider != "none" and comments_enabled(
        article.metadata.get("comments"), article.relative_source_path, default
    )
    if not enabled:
        article.comments_thread = None
        article.comments_embed = None
        article.comments_client = None
        return
    default_lang = settings.get("DEFAULT_LANG", "it")
    article.comments_thread = thread_id(article.slug, article.lang, default_lang)
    siteurl = settings.get("SITEURL", "")
    post = Post(
        thread=article.comments_thread,
        url=f"{siteurl}/{article.url}",
        title=Markup(article.title).striptags(),
        lang=article.lang,
        siteurl=siteurl,
    )
    article.comments_embed = build_embed(config, post)
    article.comments_client = None
    if config.provider == "isso":
        static_dir = str(settings.get("THEME_STATIC_DIR") or "theme")
        article.comments_client = client_path(static_dir, str(article.lang))


def on_all_generators_finalized(generators: list[Generator]) -> None:
    """Give every article (translations, hidden posts and drafts too) its comment thread, and
    every page that asks for one (``Comments: on``)."""
    for generator in generators:
        if isinstance(generator, (ArticlesGenerator, PagesGenerator)):
            config = generator.context["comments_config"]
            is_article = isinstance(generator, ArticlesGenerator)
            for content in site_content([generator]):
                annotate(content, config, generator.settings, default=is_article)


def on_article_writer_finalized(generator: Generator, writer: Any) -> None:
    """Write the script that starts Isso's client for each language of the posts with a
    thread (see :mod:`condividi.comments.isso_client`); the same for the pages' languages."""
    config: CommentsConfig = generator.context["comments_config"]
    if config.provider != "isso":
        return
    settings = generator.settings
    isso_url = site_relative(config.isso_url, str(settings.get("SITEURL") or ""))
    languages = {
        str(article.lang): article.comments_client
        for article in site_content([generator])
        if getattr(article, "comments_client", None)
    }
    for lang, path in sorted(languages.items()):
        catalogue = i18n.load_catalogue(localedir(settings), lang)
        script = client_script(client_attributes(isso_url, lang, catalogue))
        write_atomically(Path(generator.output_path) / path, script, durable=False)


def register() -> None:
    """Connect the comments glue to Pelican's signals."""
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
    signals.page_writer_finalized.connect(on_article_writer_finalized)
