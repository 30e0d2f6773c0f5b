"""Atom and RSS 2.0 documents written with feedgen from :class:`FeedItem` lists.

Pure: the same spec and items always give the same bytes, so :func:`feed_key` can name a
rendered feed in a cache. Feed-level dates come from the newest entry, never from the clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Literal

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from condividi import __version__
from condividi.feeds.entries import FeedItem
from condividi.filecache import digest

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# The date of an empty feed: fixed, so that even a site with no post builds reproducibly.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)
MEDIA_TYPES = {"atom": "application/atom+xml", "rss": "application/rss+xml"}

Format = Literal["atom", "rss"]


@dataclass(frozen=True)
class FeedSpec:
    """What a feed says about itself; ``hub`` is optional ('' = none)."""

    id: str
    title: str
    subtitle: str
    home_url: str
    self_url: str
    lang: str
    author: str
    hub: str = ""


class _FeedExtension(BaseExtension):
    """Feed-level elements feedgen does not write: the WebSub hub link in RSS."""

    def __init__(self) -> None:
        self.hub = ""

    def extend_rss(self, feed: Any) -> Any:
        if self.hub:
            channel = feed.find("channel")
            etree.SubElement(channel, f"{{{ATOM_NS}}}link", href=self.hub, rel="hub")
        return feed


class _EntryExtension(BaseEntryExtension):
    """Entry-level elements feedgen gets wrong or lacks: ``xml:lang``, link attributes, image.

    feedgen 1.0.0 drops every attribute but ``href`` of an Atom entry's links (its loop
    rebinds the variable it reads them from), so the alternate link's type and language and
    the image's enclosure link are written here, and the RSS enclosure with them.
    """

    def __init__(self) -> None:
        self.item: FeedItem | None = None

    def extend_atom(self, entry: Any) -> Any:
        item = self.item
        if item is None:
            return entry
        entry.set(XML_LANG, item.lang)
        for link in entry.findall("link"):
            link.attrib.update({"rel": "alternate", "type": "text/html", "hreflang": item.lang})
        if item.image:
            etree.SubElement(
                entry,
                "link",
                href=item.image.url,
                rel="enclosure",
                type=item.image.media_type,
                length=str(item.image.length),
            )
        return entry

    def extend_rss(self, entry: Any) -> Any:
        item = self.item
        if item is not None and item.image:
            etree.SubElement(
                entry,
                "enclosure",
                url=item.image.url,
                length=str(item.image.length),
                type=item.image.media_type,
            )
        return entry


def updated(items: Sequence[FeedItem]) -> datetime:
    """Return the feed's own date: the newest ``updated`` among ``items``."""
    return max((item.updated for item in items), default=EMPTY_FEED_DATE)


def _generator(spec: FeedSpec, items: Sequence[FeedItem], kind: Format) -> FeedGenerator:
    feed = FeedGenerator()
    feed.register_extension("condividi", _FeedExtension, _EntryExtension)
    feed.load_extension("dc", atom=False, rss=True)
    feed.load_extension("media")
    feed.id(spec.id)
    feed.title(spec.title)
    if spec.subtitle:
        feed.subtitle(spec.subtitle)
    feed.description(spec.subtitle or spec.title)
    feed.author(name=spec.author)
    feed.language(spec.lang)
    feed.generator("Condividi", version=__version__)
    feed.link(href=spec.self_url, rel="self", type=MEDIA_TYPES[kind])
    if spec.hub:
        feed.link(href=spec.hub, rel="hub")
        feed.condividi.hub = spec.hub
    # feedgen takes the RSS <link> from the last feed link added: the HTML page.
    feed.link(href=spec.home_url, rel="alternate", type="text/html")
    newest = updated(items)
    feed.updated(newest)
    feed.lastBuildDate(newest)
    for item in items:
        _add_entry(feed, item)
    return feed


def _add_entry(feed: FeedGenerator, item: FeedItem) -> None:
    # feedgen prepends by default; items come newest first and must stay so.
    entry = feed.add_entry(order="append")
    entry.id(item.id)  # also the RSS guid, with isPermaLink="false"
    entry.title(item.title)
    entry.link(href=item.url, rel="alternate")
    entry.published(item.published)
    entry.updated(item.updated)
    for author in item.authors:
        entry.author({"name": author.name, **({"uri": author.url} if author.url else {})})
        entry.dc.dc_creator(author.name)
    entry.dc.dc_language(item.lang)
    entry.condividi.item = item
    if item.categories:
        entry.category([{"term": name} for name in item.categories])
    if item.content is not None:
        entry.content(item.content, type="html")
    entry.summary(item.summary, type="html")
    if item.image:
        media = {"url": item.image.url, "medium": "image", "type": item.image.media_type}
        if item.image.length:
            media["fileSize"] = str(item.image.length)
        entry.media.content(media, group=None)


# No <?xml-stylesheet?>: browsers are removing XSLT, and a CSS one would only restyle raw
# XML. A reader who clicks a feed link on the site gets the subscribe page instead.
PROLOG = b'<?xml version="1.0" encoding="utf-8"?>\n'


def render_feed(spec: FeedSpec, items: Sequence[FeedItem], kind: Format) -> bytes:
    """Return the Atom or RSS 2.0 document (``kind``) of ``items``, newest first, as bytes.

    Takes the feed's :class:`FeedSpec` and its items already sorted and cut to length.
    """
    feed = _generator(spec, items, kind)
    if kind == "atom":
        body = feed.atom_str(pretty=True, xml_declaration=False)
    else:
        body = feed.rss_str(pretty=True, xml_declaration=False)
    return PROLOG + body


@cache
def _renderer() -> str:
    # What the bytes depend on besides the inputs: this module and the libraries it drives.
    source = Path(__file__).read_bytes()
    return digest(source, version("feedgen"), ".".join(map(str, etree.LXML_VERSION)))


def item_key(item: FeedItem) -> str:
    """Return a hash of everything in ``item`` (for :func:`feed_key`)."""
    return digest(repr(item))


def feed_key(spec: FeedSpec, item_keys: Sequence[str], kind: Format) -> str:
    """Return a hash naming what :func:`render_feed` gives for ``spec``, the items, ``kind``.

    ``item_keys`` are the items' :func:`item_key`, in order. The hash changes with any input
    and with this module's code or the feedgen and lxml versions.
    """
    return digest(_renderer(), kind, repr(spec), *item_keys)
