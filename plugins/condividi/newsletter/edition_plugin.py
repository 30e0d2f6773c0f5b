"""Pelican glue for the newsletter's email editions (``condividi.newsletter.edition_plugin``).

At the end of each build it renders email editions of published posts (never drafts, hidden
posts, future-dated posts or translations) with :mod:`condividi.newsletter.edition`:

- in a development build (``make serve``, ``make html``) the newest ones
  (``NEWSLETTER_EDITION_PREVIEW_COUNT``) as previews inside the site,
  ``<output>/newsletter/anteprima/<slug>/index.html`` (``.../en/<slug>/`` for another
  language) with its plain text beside it as ``index.txt``. Nothing links there and the page
  says ``noindex``. Publish builds write no preview: an email needs inline styles, which the
  published site never carries (its strict Content-Security-Policy would block them anyway);
- in a publish build (``CONDIVIDI_PUBLISH``) every post the send ledger has not settled, for
  the send step, in ``var/newsletter/editions/`` next to the content folder, outside the site,
  with a manifest listing every published post. The editions are rendered in ``finalized``
  but recorded only when the safe build (:mod:`condividi.build`) sends ``build_succeeded``,
  before the new site replaces the old: a build that logged an error leaves the previous
  manifest as it was, like the site itself. A plain ``pelican`` run records nothing, since it
  cannot tell whether it failed; the send step reads what the last ``make publish`` recorded.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pelican import Pelican, signals
from pelican.generators import ArticlesGenerator

from condividi.build import build_succeeded
from condividi.newsletter.config import newsletter_config, resolve_paths
from condividi.newsletter.edition import (
    EditionBuild,
    Manifest,
    WithheldPost,
    build_edition,
    edition_config,
    edition_key,
    edition_options,
    edition_record,
    editions_folder,
    image_size_from_folder,
    settled_record,
    wants_newsletter,
    write_manifest,
)
from condividi.newsletter.ledger import Ledger, LedgerError, LedgerMissing

logger = logging.getLogger(__name__)


# The articles generator of each running build, keyed by its settings dict (shared by the
# Pelican object and all its generators), from all_generators_finalized to finalized.
_generators: dict[int, ArticlesGenerator] = {}
# The manifest of each publish build and its folder, keyed the same way, from finalized until
# the safe build says it succeeded.
_manifests: dict[int, tuple[Path, Manifest]] = {}


def on_initialized(pelican: Pelican) -> None:
    """Check the edition settings before anything is built; raises ConfigError if wrong."""
    edition_config(pelican.settings)
    edition_options(pelican.settings)


def on_get_generators(pelican: Pelican) -> None:
    """Start afresh: this signal opens every run, autoreloaded ones too.

    A process builds one site at a time; what a failed run left behind is dropped here.
    """
    _generators.clear()
    _manifests.clear()


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Remember the articles generator: its lists of posts are final here."""
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            _generators[id(generator.settings)] = generator


def post_state(article: Any, now: datetime | None = None) -> str:
    """Return why ``article`` gets no edition: ``draft``, ``future`` or ``hidden``.

    Pelican turns a future-dated post into a draft; its own ``Status:`` tells the two apart.
    """
    now = now or datetime.now(UTC)
    declared = str(article.metadata.get("status", "published")).lower()
    if declared == "draft":
        return "draft"
    if article.status == "draft" and article.date.tzinfo and article.date > now:
        return "future"
    return str(article.status)


def withheld_posts(generator: ArticlesGenerator) -> list[WithheldPost]:
    """Return every post of ``generator`` that gets no edition, with its reason."""
    groups: list[tuple[list[Any], str | None]] = [
        (generator.drafts, None),
        (generator.drafts_translations, None),
        (generator.hidden_articles, "hidden"),
        (generator.hidden_translations, "hidden"),
        (generator.translations, "translation"),
    ]
    return [
        WithheldPost(
            title=str(article.title),
            slug=str(article.slug),
            lang=str(article.lang),
            source=str(article.relative_source_path),
            state=state or post_state(article),
            date=getattr(article, "date", None),
        )
        for articles, state in groups
        for article in articles
    ]


def preview_folder(output: Path, preview_path: str, article: Any, default_lang: str) -> Path:
    """Return the folder of ``article``'s preview: ``<slug>/``, or ``<lang>/<slug>/``."""
    folder = output / preview_path
    if article.lang != default_lang:
        folder /= article.lang
    return folder / article.slug


def write_previews(
    output: Path, preview_path: str, builds: list[tuple[Any, EditionBuild]], default_lang: str
) -> None:
    """Write each edition's HTML and text under ``output/preview_path``, replacing old ones."""
    root = output / preview_path
    shutil.rmtree(root, ignore_errors=True)  # a post turned back into a draft loses its preview
    for article, build in builds:
        folder = preview_folder(output, preview_path, article, default_lang)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "index.html").write_text(build.edition.html, encoding="utf-8")
        # Servers send .txt as text/plain with no charset and browsers then guess
        # windows-1252; a byte-order mark is the one label a bare text file can carry.
        (folder / "index.txt").write_text(build.edition.text, encoding="utf-8-sig")


def on_finalized(pelican: Pelican) -> None:
    """Render every published post's edition; write previews, or keep the manifest (see above)."""
    settings = pelican.settings
    generator = _generators.pop(id(settings), None)
    if generator is None:
        return
    config = edition_config(settings)
    publish = bool(settings.get("CONDIVIDI_PUBLISH"))
    preview = config.preview and not publish  # inline styles never reach the live site
    if not (preview or publish):
        return
    output = Path(pelican.output_path)
    options = edition_options(
        settings, image_size=image_size_from_folder(output, str(settings["SITEURL"]))
    )
    articles = sorted(
        (article for article in generator.articles if article.status == "published"),
        key=lambda article: article.date,
    )
    opted_out = opted_out_posts(articles)
    if preview:
        mailed = [article for article in articles if id(article) not in opted_out]
        newest = mailed[-config.preview_count :] if config.preview_count > 0 else []
        builds = [(article, _build(article, options)) for article in newest]
        write_previews(output, config.preview_path, builds, str(settings["DEFAULT_LANG"]))
    if publish:
        settled = settled_keys(settings)
        records = [
            dataclasses.replace(settled_record(article, options), newsletter=False)
            if id(article) in opted_out
            else settled_record(article, options)
            if settled is None or edition_key(article, options.siteurl) in settled
            else edition_record(article, _build(article, options))
            for article in articles
        ]
        manifest = Manifest(
            siteurl=options.siteurl,
            editions=tuple(records),
            withheld=tuple(withheld_posts(generator)),
        )
        _manifests[id(settings)] = (editions_folder(settings), manifest)


def on_build_succeeded(pelican: Pelican) -> None:
    """Record the manifest ``finalized`` kept for this build, if it kept one."""
    pending = _manifests.pop(id(pelican.settings), None)
    if pending is None:
        return
    folder, manifest = pending
    write_manifest(folder, manifest)
    logger.info(
        "newsletter: %d editions recorded in %s (%d rendered, not yet sent)",
        len(manifest.editions),
        folder,
        sum(record.rendered for record in manifest.editions),
    )


def opted_out_posts(articles: list[Any]) -> set[int]:
    """Return the ids of the ``articles`` whose front matter says ``Newsletter: no``.

    A value other than yes or no is logged as an error naming the file (the safe build then
    fails), and that post is kept out of the newsletter meanwhile.
    """
    opted_out: set[int] = set()
    for article in articles:
        try:
            wanted = wants_newsletter(article)
        except ValueError as error:
            logger.error("newsletter: %s", error)
            wanted = False
        if not wanted:
            opted_out.add(id(article))
    return opted_out


def settled_keys(settings: dict[str, Any]) -> set[str] | None:
    """Return the keys the send ledger has settled (sent or archived), or None with no ledger.

    Those editions will never be mailed again, so the build records their key and title but
    does not render them: a blog of a thousand posts renders one email per new post. With no
    ledger yet nothing can be sent (``init`` comes first and needs only the keys), so nothing
    is rendered either. A ledger that cannot be read is treated the same way, with a warning:
    the site still builds, and the send step refuses that ledger with its reasons.
    """
    config = resolve_paths(newsletter_config(settings, environ={}), settings)
    try:
        ledger = Ledger.load(Path(config.ledger_path))
    except LedgerMissing:
        return None
    except LedgerError as error:
        logger.warning("newsletter: no edition rendered, %s", error)
        return None
    return {
        key
        for key, entry in ledger.entries.items()
        if entry.state in ("sent", "archived", "skipped")
    }


def _build(article: Any, options: Any) -> EditionBuild:
    build = build_edition(article, options)
    if build.truncated:
        logger.info(
            "newsletter: the email of %s keeps %d of %d blocks (%d bytes)",
            article.relative_source_path,
            build.blocks_kept,
            build.blocks_total,
            build.html_bytes,
        )
    return build


def register() -> None:
    """Connect the edition glue to Pelican's signals and to the safe build's success."""
    signals.initialized.connect(on_initialized)
    signals.get_generators.connect(on_get_generators)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.finalized.connect(on_finalized)
    build_succeeded.connect(on_build_succeeded)
