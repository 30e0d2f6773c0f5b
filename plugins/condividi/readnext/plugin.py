"""Pelican glue for "Leggi anche": each article gets ``read_next``, the published posts in its
language most like it (see :mod:`condividi.readnext.similarity`), which
``partials/read_next.html`` lists before the comments.

It runs in ``all_generators_finalized``, where the lists of published posts and drafts are
final (a future-dated post has become a draft by then).
"""

from __future__ import annotations

import html
import logging
import time
from typing import Any

from pelican import signals
from pelican.generators import ArticlesGenerator

from condividi.readnext.config import readnext_config
from condividi.readnext.similarity import PostText, plain_summary, related_posts

log = logging.getLogger(__name__)


def post_text(article: Any, candidate: bool) -> PostText:
    """Return the :class:`PostText` of a Pelican ``article``.

    Reads the ``summary`` front matter (or the start of the body), never ``article.summary``,
    which would fix the summary before Pelican has resolved its links.
    """
    return PostText(
        key=str(article.source_path),
        lang=str(article.lang),
        title=html.unescape(str(article.title)),
        summary=html.unescape(plain_summary(article.metadata, article._content or "")),
        tags=tuple(str(tag) for tag in getattr(article, "tags", ())),
        category=str(getattr(article, "category", "") or ""),
        timestamp=article.date.timestamp(),
        candidate=candidate,
    )


def on_initialized(pelican: Any) -> None:
    """Check the ``READNEXT_*`` settings as the build starts."""
    readnext_config(pelican.settings)


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Give every published article and draft its ``read_next`` list of articles."""
    for generator in generators:
        if not isinstance(generator, ArticlesGenerator):
            continue
        config = readnext_config(generator.settings)
        if not config.enabled:
            continue
        started = time.perf_counter()
        published = [*generator.articles, *generator.translations]
        drafts = [*generator.drafts, *generator.drafts_translations]
        by_key = {str(article.source_path): article for article in [*published, *drafts]}
        texts = [post_text(article, True) for article in published]
        texts += [post_text(article, False) for article in drafts]
        related = related_posts(texts, config.count)
        for key, article in by_key.items():
            article.read_next = tuple(by_key[other] for other in related.get(key, ()))
        log.info(
            "readnext: related posts of %d articles (%.3f s)",
            len(by_key),
            time.perf_counter() - started,
        )


def register() -> None:
    """Connect the read-next capability to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
