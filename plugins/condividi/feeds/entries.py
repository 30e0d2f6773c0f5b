"""Feed entries from articles: stable ids, absolute URLs in content, the post's image.

Pure functions over "article-like" objects (anything with Pelican's ``slug``, ``title``,
``date``, ``url``, ... attributes), so they are tested without a build and reused by the
newsletter, which keys its editions on :func:`entry_id`.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from condividi.feeds.config import FeedsConfig
from condividi.html import absolutize_html

# An explicit id with one of these schemes is already a URI and is used as it is.
_URI_SCHEMES = ("tag:", "urn:", "http://", "https://")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# RFC 4151 allows URI path characters in a tag's specific part; others are percent-encoded.
_TAG_SAFE = "-._~!$&'()*+,;=:@/"
# Characters XML 1.0 cannot carry at all; lxml refuses them, so they are dropped.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Person:
    """An author: a name and, when the site has author pages, the page's URL."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class Enclosure:
    """The post's image: absolute URL, media type and size in bytes (0 when unknown)."""

    url: str
    media_type: str
    length: int


@dataclass(frozen=True)
class FeedItem:
    """One post as every feed shows it, computed once per article and shared by all feeds."""

    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    lang: str
    authors: tuple[Person, ...]
    categories: tuple[str, ...]
    summary: str
    content: str | None
    image: Enclosure | None


def _metadata(article: Any, key: str) -> str:
    """Return the front-matter value ``key`` of ``article`` as a stripped string ('' if none)."""
    metadata = getattr(article, "metadata", None) or {}
    value = metadata.get(key, getattr(article, key, None))
    return str(value).strip() if value else ""


def entry_id(article: Any, config: FeedsConfig) -> str:
    """Return the permanent id of ``article`` in every feed (and as the newsletter's key).

    Takes an article-like object (``slug``, optional ``metadata``) and the feeds config. A
    ``FeedId:`` (or ``Id:``) in front matter wins: a value that is already a URI (``tag:``,
    ``urn:``, ``http(s)://``) is used as it is, any other value replaces the slug below.
    Otherwise the id is the tag URI ``tag:<FEEDS_ID_AUTHORITY>,<FEEDS_ID_DATE>:<slug>``: it
    depends on neither the post's date, nor its category, nor its URL pattern.
    """
    explicit = _metadata(article, "feedid") or _metadata(article, "id")
    if explicit.lower().startswith(_URI_SCHEMES):
        return explicit
    key = quote(explicit or str(article.slug), safe=_TAG_SAFE)
    return f"tag:{config.id_authority},{config.id_date}:{key}"


def xml_text(text: str) -> str:
    """Return ``text`` without the control characters XML 1.0 cannot represent."""
    return _NOT_XML.sub("", text)


def feed_text(title: str) -> str:
    """Return a title, category or tag as the plain text a feed's text element holds.

    Tags dropped and entities decoded (``&lt;b&gt;`` is the five characters ``<b>``), XML
    controls removed; the feed writer escapes what is left, so a reader shows it as text and
    never as markup.
    """
    return xml_text(Markup(title).striptags())


def language_tag(lang: str) -> str:
    """Return ``lang`` as a language tag feeds accept (``it_IT`` becomes ``it-IT``)."""
    return lang.strip().replace("_", "-")


def image_url(article: Any, siteurl: str) -> str | None:
    """Return the absolute URL of the post's image, or None.

    Takes the article and SITEURL. The ``Image:`` front matter wins (a site path such as
    ``images/cover.jpg`` or ``{static}/images/cover.jpg``, or an absolute URL); otherwise a
    ``social_image`` attribute set by another plugin (the share capability's social card).
    """
    value = _metadata(article, "image") or str(getattr(article, "social_image", "") or "")
    value = value.strip()
    if not value:
        return None
    if _HAS_SCHEME.match(value):
        return value
    for prefix in ("{static}", "{attach}", "|static|", "|attach|"):
        value = value.removeprefix(prefix)
    return f"{siteurl}/{value.lstrip('/')}"


def enclosure(url: str, siteurl: str, roots: Sequence[Path]) -> Enclosure:
    """Return the enclosure of an image URL, sized from the first of ``roots`` that has it.

    A URL under ``siteurl`` is looked up at the same path below each folder of ``roots``
    (the output, then the content); the size is 0 when the file is not found.
    """
    media_type = mimetypes.guess_type(urlsplit(url).path)[0] or "application/octet-stream"
    length = 0
    if url.startswith(f"{siteurl}/"):
        relative = urlsplit(url[len(siteurl) + 1 :]).path
        for root in roots:
            candidate = root / relative
            if candidate.is_file():
                length = candidate.stat().st_size
                break
    return Enclosure(url=url, media_type=media_type, length=length)


def feed_item(
    article: Any,
    config: FeedsConfig,
    *,
    author_pages: bool = True,
    file_roots: Sequence[Path] = (),
) -> FeedItem:
    """Return the :class:`FeedItem` of a published Pelican article.

    Takes the article, the feeds config, whether author pages exist (to link authors) and the
    folders where the post's image may be found (to size its enclosure). The content and
    summary are converted to absolute URLs here, once per article.
    """
    url = config.url(article.url)
    authors = tuple(
        Person(
            name=xml_text(str(author)),
            url=config.url(author.url) if author_pages and getattr(author, "url", "") else None,
        )
        for author in getattr(article, "authors", None) or []
        if str(author).strip()
    )
    names = [str(article.category)] if getattr(article, "category", None) else []
    names += [str(tag) for tag in getattr(article, "tags", None) or []]
    published = article.date
    updated = getattr(article, "modified", None) or published
    image = image_url(article, config.siteurl)
    content = None
    if not config.summary_only:
        content = xml_text(absolutize_html(article.content, url))
    return FeedItem(
        id=entry_id(article, config),
        title=feed_text(str(article.title)),
        url=url,
        published=published,
        updated=updated,
        lang=language_tag(str(article.lang)),
        authors=authors,
        categories=tuple(dict.fromkeys(feed_text(name) for name in names)),
        summary=xml_text(absolutize_html(str(getattr(article, "summary", "") or ""), url)),
        content=content,
        image=enclosure(image, config.siteurl, file_roots) if image else None,
    )
