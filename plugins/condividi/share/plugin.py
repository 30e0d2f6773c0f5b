"""Pelican glue for sharing: settings checked at start, then every written article and page
gets ``.sharing`` (share links, social metadata, social card) and the home page its metadata.

It runs in ``all_generators_finalized``, where status and URL are final (a future-dated post
has become a draft by then) and nothing has been written yet.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import posixpath
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.contents import Article, Content
from PIL import Image, UnidentifiedImageError

from condividi.build import later
from condividi.filecache import publish_file
from condividi.share.cards import Card, CardCache, card_processes
from condividi.share.config import ShareConfig, check_siteurl, is_absolute_url, share_config
from condividi.share.icons import SPRITE_PATH, icon, sprite, sprite_url
from condividi.share.metadata import (
    Person,
    Sharing,
    SocialImage,
    absolute_url,
    article_meta,
    plain_text,
    website_meta,
)
from condividi.share.networks import ShareTarget, share_links
from condividi.theme import site_content

log = logging.getLogger(__name__)

CARDS_DIR = "cards"
SITE_CARD = f"{CARDS_DIR}/_site.png"
_LINK_PREFIX = re.compile(r"^\{(static|attach|filename)\}")


class ImageError(ValueError):
    """A post's ``Image:`` cannot be used; the message names the file and the value."""


@dataclass
class _Site:
    """What every page's sharing data is built from, gathered once per build."""

    settings: Mapping[str, Any]
    config: ShareConfig
    siteurl: str
    name: str
    output: Path
    cache: CardCache
    static_content: Mapping[str, Any]
    # Cards the cache lacks, with where each goes in the output: drawn after the pages.
    pending: list[tuple[Card, str]] = field(default_factory=list)

    def card_image(self, title: str, alt: str, relative_path: str) -> SocialImage | None:
        """Return the generated card of ``title``, copied to ``relative_path`` in the output."""
        if not self.config.cards:
            return None
        card = Card(
            title=title,
            site_name=self.name,
            background=self.config.card_background,
            foreground=self.config.card_foreground,
            accent=self.config.card_accent,
            font=self.config.card_font,
        )
        cached = self.cache.cached(card)
        if cached is None:
            self.pending.append((card, relative_path))
        else:
            destination = self.output / relative_path
            destination.parent.mkdir(parents=True, exist_ok=True)
            publish_file(cached, destination)
        return SocialImage(
            absolute_url(self.siteurl, relative_path), alt, card.width, card.height, "image/png"
        )


def written_content(generators: Iterable[Any]) -> Iterator[Content]:
    """Yield every article and page (translations, hidden and drafts included) that this
    build writes, that is whose ``save_as`` is not empty, once each."""
    return (content for content in site_content(generators) if content.save_as)


def card_path(url: str) -> str:
    """Return where the card of the page at ``url`` goes: ``cards/<url without slash>.png``."""
    stem = posixpath.splitext(url.strip("/"))[0] or "index"
    return f"{CARDS_DIR}/{stem}.png"


def own_image(content: Content, value: str, alt: str, site: _Site) -> SocialImage:
    """Return the social image a post names in its ``Image:`` front matter.

    Takes an absolute URL (kept as it is, size unknown), a path under the content folder
    (``images/cover.jpg``) or ``{static}/images/cover.jpg``; the file must be one the site
    publishes (under ``STATIC_PATHS``). Raises :class:`ImageError` naming the file otherwise.
    """
    if is_absolute_url(value):
        return SocialImage(value, alt, mime=mimetypes.guess_type(value)[0] or "")
    source = content.get_relative_source_path()
    match = _LINK_PREFIX.match(value)
    path = value[match.end() :] if match else value
    if match and not path.startswith("/"):
        path = posixpath.join(posixpath.dirname(source), path)
    path = posixpath.normpath(path.lstrip("/"))
    static = site.static_content.get(path)
    if static is None:
        raise ImageError(
            f"{source}: Image: {value!r} is not a file the site publishes; put it in "
            "content/images/ (STATIC_PATHS) and write images/<name>, or give an absolute URL"
        )
    try:
        with Image.open(static.source_path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError) as error:
        raise ImageError(
            f"{source}: Image: {value!r} is not an image Pillow can read: {error}"
        ) from error
    return SocialImage(
        absolute_url(site.siteurl, static.url),
        alt,
        width,
        height,
        mimetypes.guess_type(path)[0] or "",
    )


def social_image(content: Content, title: str, site: _Site) -> SocialImage | None:
    """Return a post's own image if it has one, else its generated card (if cards are on)."""
    alt = plain_text(content.metadata.get("imagealt", ""))
    value = str(content.metadata.get("image") or "").strip()
    if value:
        return own_image(content, value, alt or title, site)
    return site.card_image(title, alt or f"{title} – {site.name}", card_path(content.url))


def sharing_for(content: Content, site: _Site) -> Sharing:
    """Return the sharing data of one article or page."""
    settings, config = site.settings, site.config
    canonical = absolute_url(site.siteurl, content.url)
    title = plain_text(content.title)
    # The summary front matter, not ``content.summary``: reading that here would memoize it
    # before Pelican resolves its intra-site links.
    summary_html = content.metadata.get("summary")
    summary = plain_text(summary_html if summary_html is not None else content.summary)
    image = social_image(content, title, site)
    other_langs = [translation.lang for translation in content.translations]
    if not isinstance(content, Article):
        meta = website_meta(
            canonical=canonical,
            title=title,
            description=summary or plain_text(settings.get("SITESUBTITLE", "")),
            siteurl=site.siteurl,
            site_name=site.name,
            lang=content.lang,
            image=image,
            alternate_langs=other_langs,
            x_account=config.x_account.lstrip("@"),
        )
        return Sharing(canonical, title, meta)
    tags = tuple(str(tag) for tag in getattr(content, "tags", ()))
    modified = getattr(content, "modified", None)
    authors = [
        Person(author.name, absolute_url(site.siteurl, author.url) if author.save_as else "")
        for author in getattr(content, "authors", ())
    ]
    meta = article_meta(
        canonical=canonical,
        title=title,
        description=summary,
        siteurl=site.siteurl,
        site_name=site.name,
        lang=content.lang,
        published=content.date.isoformat(),
        modified=modified.isoformat() if modified else "",
        tags=tags,
        authors=authors,
        image=image,
        alternate_langs=other_langs,
        x_account=config.x_account.lstrip("@"),
    )
    target = ShareTarget(
        url=canonical,
        title=title,
        summary=meta.description,
        tags=tags,
        image=image.url if image else "",
        via=config.x_account.lstrip("@"),
    )
    links = share_links(
        target,
        config.networks,
        utm_campaign=config.utm_campaign if config.utm else "",
        mastodon_page=config.mastodon_share_page,
    )
    return Sharing(canonical, title, meta, links)


def on_initialized(pelican: Any) -> None:
    """Check the share settings and, in a publish build, that ``SITEURL`` is absolute."""
    check_siteurl(pelican.settings)
    share_config(pelican.settings)
    if not is_absolute_url(str(pelican.settings.get("SITEURL") or "")):
        log.warning("share: SITEURL is not absolute, so share links and metadata are relative")


def on_all_generators_finalized(generators: list[Any]) -> None:
    """Attach ``.sharing`` to every written article and page, draw or reuse their cards, and
    put the home page's metadata in the shared template context as ``share_home``."""
    started = time.perf_counter()
    settings = generators[0].settings
    context = generators[0].context
    site = _Site(
        settings=settings,
        config=share_config(settings),
        siteurl=str(settings.get("SITEURL") or "").rstrip("/"),
        name=plain_text(settings.get("SITENAME", "")),
        output=Path(settings["OUTPUT_PATH"]),
        cache=CardCache(Path(settings["CACHE_PATH"]) / "cards"),
        static_content=context.get("static_content", {}),
    )
    count = 0
    for content in written_content(generators):
        content.sharing = sharing_for(content, site)
        count += 1
    subtitle = plain_text(settings.get("SITESUBTITLE", ""))
    home_title = subtitle or site.name
    context["share_home"] = website_meta(
        canonical=absolute_url(site.siteurl, ""),
        title=site.name,
        description=subtitle,
        siteurl=site.siteurl,
        site_name=site.name,
        lang=settings.get("DEFAULT_LANG", "it"),
        image=site.card_image(home_title, f"{home_title} – {site.name}", SITE_CARD),
        x_account=site.config.x_account.lstrip("@"),
        home=True,
    )
    _pending[id(settings)] = site
    log.info(
        "share: %d pages, %d social cards to draw after the pages (%.2f s)",
        count,
        len(site.pending),
        time.perf_counter() - started,
    )


def on_generator_init(generator: Any) -> None:
    """Make ``share_icon(name)`` (an ``<svg>`` showing the sprite's symbol) available to
    templates."""
    url = sprite_url(str(generator.settings.get("SITEURL") or ""), _static_dir(generator.settings))
    generator.env.globals["share_icon"] = functools.partial(icon, url=url)


def _static_dir(settings: Mapping[str, Any]) -> str:
    return str(settings.get("THEME_STATIC_DIR") or "theme")


def write_sprite(output: Path, theme_static_dir: str) -> Path:
    """Write the icon sprite under ``output`` (where :func:`sprite_url` points); return its path.

    Generated from :mod:`condividi.share.icons` on every build, so the sprite and the links
    that use it cannot drift apart.
    """
    path = output / theme_static_dir.strip("/") / SPRITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sprite(), encoding="utf-8")
    return path


# The cards each build has still to draw, by id of its settings, until its pages are written.
_pending: dict[int, _Site] = {}


def draw_pending(
    site: _Site, output: Path, interrupted: Callable[[], bool] | None = None
) -> list[str]:
    """Draw the cards ``site`` lacks, on every core, and put each where it goes in ``output``.

    Returns the files written (relative to ``output``); stops early when ``interrupted()``
    says so (the next build finds the rest still missing and draws them).
    """
    started = time.perf_counter()
    places: dict[str, list[str]] = {}
    cards: list[Card] = []
    for card, relative_path in site.pending:
        key = site.cache.key(card)
        if key not in places:
            places[key] = []
            cards.append(card)
        places[key].append(relative_path)
    written: list[str] = []

    def place(card: Card, cached: Path) -> None:
        for relative_path in places[site.cache.key(card)]:
            destination = output / relative_path
            destination.parent.mkdir(parents=True, exist_ok=True)
            publish_file(cached, destination)
            written.append(relative_path)

    site.cache.draw(cards, card_processes(), place, interrupted)
    _log_cards(site, started)
    return written


def _log_cards(site: _Site, started: float) -> None:
    log.info(
        "share: social cards: %d drawn, %d from the cache (%.2f s)",
        site.cache.drawn,
        site.cache.reused,
        time.perf_counter() - started,
    )


def on_finalized(pelican: Any) -> None:
    """Write the icon sprite next to the theme's static files Pelican has just copied, then
    draw the social cards the cache lacked, after the pages, on every core (or, when the
    build allows it, hand them to :func:`condividi.build.later`: ``make serve`` draws them
    once the site is served)."""
    output = Path(pelican.output_path)
    write_sprite(output, _static_dir(pelican.settings))
    site = _pending.pop(id(pelican.settings), None)
    if site is None:
        return
    if not site.pending:
        _log_cards(site, time.perf_counter())
        return
    if not later(pelican.settings, functools.partial(draw_pending, site)):
        draw_pending(site, output)


def register() -> None:
    """Connect the share capability to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.generator_init.connect(on_generator_init)
    signals.all_generators_finalized.connect(on_all_generators_finalized)
    signals.finalized.connect(on_finalized)
