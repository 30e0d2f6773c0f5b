"""A WordPress export (WXR 1.0 to 1.2, from Tools → Export) read once into typed items.

Every importer works from this model: the posts and pages importer, the comment import into
Isso, the redirect map. :func:`read_export` parses the file with lxml, safely (no entity
expansion, no network, no DTD) and with ``huge_tree`` so that a very long post still reads.
Values are kept as WordPress wrote them (HTML in titles and content, ``0000-00-00`` dates
turned into ``None``); deciding what they become on our site is the importers' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

# WordPress writes http://, WordPress.com https://; 1.0, 1.1 and 1.2 have the same elements.
_WXR_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/(1\.\d+)/?$")
_EXCERPT_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/1\.\d+/excerpt/?$")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class WxrError(ValueError):
    """The WordPress export cannot be read; the message names the file (and line) and why."""


@dataclass(frozen=True)
class Term:
    """A category or tag of a post: its name (HTML as WordPress keeps it) and nicename slug.

    ``domain`` is ``category``, ``post_tag`` or another taxonomy (``post_format``,
    ``language`` of Polylang...).
    """

    domain: str
    name: str
    nicename: str


@dataclass(frozen=True)
class Comment:
    """One comment of an item as WordPress exported it.

    ``approved`` is ``"1"`` (approved), ``"0"`` (pending), ``"spam"`` or ``"trash"``;
    ``type`` is ``""`` or ``"comment"`` for a reader's comment, else ``pingback``,
    ``trackback``... Dates are naive: ``date`` local to the blog, ``date_gmt`` in UTC.
    """

    id: int
    parent: int
    approved: str
    type: str
    author: str
    email: str
    url: str
    ip: str
    date: datetime | None
    date_gmt: datetime | None
    content: str

    @property
    def is_approved_comment(self) -> bool:
        """Tell whether this is an approved comment by a reader (not a pingback or trackback)."""
        return self.approved == "1" and self.type in ("", "comment") and bool(self.content.strip())


@dataclass(frozen=True)
class Item:
    """One ``<item>`` of the export: a post, a page, an attachment, or another post type.

    Dates are naive datetimes (``date``/``modified`` local to the blog, ``*_gmt`` UTC), or
    ``None`` where WordPress wrote ``0000-00-00 00:00:00`` or something unreadable. ``line``
    is the item's line in the file, for messages.
    """

    id: int
    type: str
    title: str
    link: str
    guid: str
    post_name: str
    status: str
    date: datetime | None
    date_gmt: datetime | None
    modified: datetime | None
    modified_gmt: datetime | None
    creator: str
    excerpt: str
    content: str
    parent: int
    menu_order: int
    attachment_url: str
    terms: tuple[Term, ...]
    postmeta: tuple[tuple[str, str], ...]
    comments: tuple[Comment, ...]
    line: int
    # The post's password (``wp:post_password``): WordPress shows it only to who knows it.
    password: str = ""
    # The entities the export declares but that were not expanded (``&xxe;``): kept as text.
    entities: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[Term, ...]:
        """The item's categories, in the export's order (the first is the main one)."""
        return tuple(term for term in self.terms if term.domain == "category")

    @property
    def tags(self) -> tuple[Term, ...]:
        """The item's tags."""
        return tuple(term for term in self.terms if term.domain == "post_tag")

    def meta(self, key: str) -> str:
        """Return the value of the post meta ``key`` (``_thumbnail_id``...), or ``""``."""
        return next((value for name, value in self.postmeta if name == key), "")

    def describe(self) -> str:
        """Name the item for a message: type, id, title (cut) and line."""
        title = " ".join(self.title.split())
        if len(title) > 60:
            title = title[:57] + "..."
        shown = f"{title!r}" if title else "(no title)"
        return f"{self.type or 'item'} {self.id} {shown} (line {self.line})"


@dataclass(frozen=True)
class Category:
    """A category defined in the channel: nicename, name and the parent's nicename."""

    nicename: str
    name: str
    parent: str


@dataclass(frozen=True)
class Author:
    """A WordPress user defined in the channel: login and display name."""

    login: str
    display_name: str


@dataclass(frozen=True)
class Site:
    """The blog the export comes from.

    ``link`` is its home page; ``base_site_url`` where WordPress is installed (the uploads
    live under ``<base_site_url>/wp-content/uploads``); ``language`` as WordPress gives it
    (``it-IT``); ``version`` the WXR version (``1.2``).
    """

    title: str
    link: str
    description: str
    language: str
    base_site_url: str
    base_blog_url: str
    version: str
    categories: tuple[Category, ...] = ()
    authors: tuple[Author, ...] = ()

    @property
    def lang(self) -> str:
        """The primary language subtag (``it`` for ``it-IT``), or ``""``."""
        return self.language.replace("_", "-").split("-")[0].lower()

    @property
    def host(self) -> str:
        """The host name of the blog (``giulia.wordpress.com``), lower case."""
        return (urlsplit(self.link or self.base_blog_url).hostname or "").lower()


@dataclass(frozen=True)
class Export:
    """A parsed WordPress export: the file it came from, its site and its items in order."""

    source: Path
    site: Site
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def posts(self) -> tuple[Item, ...]:
        """The items of type ``post``."""
        return tuple(item for item in self.items if item.type == "post")

    @property
    def pages(self) -> tuple[Item, ...]:
        """The items of type ``page``."""
        return tuple(item for item in self.items if item.type == "page")

    @property
    def attachments(self) -> tuple[Item, ...]:
        """The items of type ``attachment`` (media: images, audio, video, documents)."""
        return tuple(item for item in self.items if item.type == "attachment")

    @cached_property
    def by_id(self) -> dict[int, Item]:
        """Every item by its WordPress id."""
        return {item.id: item for item in self.items}


def parse_date(text: str) -> datetime | None:
    """Return a WordPress date (``2013-05-04 10:30:00``) as a naive datetime.

    Returns ``None`` for ``0000-00-00 00:00:00`` (what WordPress writes for a draft's unset
    GMT date), an empty string, or anything that is not such a date.
    """
    text = text.strip()
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            return None


def _number(text: str) -> int:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else 0


class _Reader:
    """Reads the elements of one export, knowing its namespaces."""

    def __init__(self, root: etree._Element, source: Path) -> None:
        self.wp = ""
        self.excerpt = ""
        for uri in _namespaces(root):
            if _WXR_NAMESPACE.match(uri) and not self.wp:
                self.wp = "{" + uri + "}"
            elif _EXCERPT_NAMESPACE.match(uri):
                self.excerpt = "{" + uri + "}encoded"
        if not self.wp:
            raise WxrError(
                f"{source}: not a WordPress export (no http:// or https://wordpress.org/export/ "
                "namespace); "
                "export the blog from WordPress's Tools > Export"
            )
        self.version = _WXR_NAMESPACE.match(self.wp.strip("{}")).group(1)

    def text(self, element: etree._Element, name: str) -> str:
        """Return the text of ``element``'s child ``wp:name`` (``""`` when absent)."""
        return element.findtext(self.wp + name) or ""

    def comment(self, element: etree._Element) -> Comment:
        text = self.text
        return Comment(
            id=_number(text(element, "comment_id")),
            parent=_number(text(element, "comment_parent")),
            approved=text(element, "comment_approved").strip(),
            type=text(element, "comment_type").strip(),
            author=text(element, "comment_author").strip(),
            email=text(element, "comment_author_email").strip(),
            url=text(element, "comment_author_url").strip(),
            ip=text(element, "comment_author_IP").strip(),
            date=parse_date(text(element, "comment_date")),
            date_gmt=parse_date(text(element, "comment_date_gmt")),
            content=text(element, "comment_content"),
        )

    def item(self, element: etree._Element) -> Item:
        entities = keep_entities_as_text(element)
        text = self.text
        terms = tuple(
            Term(
                domain=category.get("domain", "category"),
                name=(category.text or "").strip(),
                nicename=category.get("nicename", "").strip(),
            )
            for category in element.iterfind("category")
        )
        postmeta = tuple(
            (text(meta, "meta_key"), text(meta, "meta_value"))
            for meta in element.iterfind(self.wp + "postmeta")
        )
        return Item(
            id=_number(text(element, "post_id")),
            type=text(element, "post_type").strip(),
            title=element.findtext("title") or "",
            link=(element.findtext("link") or "").strip(),
            guid=(element.findtext("guid") or "").strip(),
            post_name=text(element, "post_name").strip(),
            status=text(element, "status").strip(),
            date=parse_date(text(element, "post_date")),
            date_gmt=parse_date(text(element, "post_date_gmt")),
            modified=parse_date(text(element, "post_modified")),
            modified_gmt=parse_date(text(element, "post_modified_gmt")),
            creator=(element.findtext(CREATOR) or "").strip(),
            excerpt=(element.findtext(self.excerpt) or "") if self.excerpt else "",
            content=element.findtext(CONTENT) or "",
            parent=_number(text(element, "post_parent")),
            menu_order=_number(text(element, "menu_order")),
            attachment_url=text(element, "attachment_url").strip(),
            terms=terms,
            postmeta=postmeta,
            comments=tuple(map(self.comment, element.iterfind(self.wp + "comment"))),
            line=element.sourceline or 0,
            password=text(element, "post_password"),
            entities=entities,
        )

    def site(self, channel: etree._Element) -> Site:
        keep_entities_as_text(channel)
        text = self.text
        categories = tuple(
            Category(
                nicename=text(category, "category_nicename").strip(),
                name=text(category, "cat_name").strip(),
                parent=text(category, "category_parent").strip(),
            )
            for category in channel.iterfind(self.wp + "category")
        )
        authors = tuple(
            Author(
                login=text(author, "author_login").strip(),
                display_name=text(author, "author_display_name").strip(),
            )
            for author in channel.iterfind(self.wp + "author")
        )
        return Site(
            title=(channel.findtext("title") or "").strip(),
            link=(channel.findtext("link") or "").strip(),
            description=(channel.findtext("description") or "").strip(),
            language=(channel.findtext("language") or "").strip(),
            base_site_url=text(channel, "base_site_url").strip(),
            base_blog_url=text(channel, "base_blog_url").strip(),
            version=text(channel, "wxr_version").strip() or self.version,
            categories=categories,
            authors=authors,
        )


def keep_entities_as_text(element: etree._Element) -> tuple[str, ...]:
    """Turn each unexpanded entity below ``element`` back into its text (``&xxe;``).

    The parser never expands an entity the export declares (no XXE, no billion laughs); it
    keeps it as a node, and the text after it would be lost to ``findtext``. Takes an
    element, changes it in place; returns the entities found (``&xxe;``), each once.
    """
    found: dict[str, None] = {}
    for entity in list(element.iter(etree.Entity)):
        text = (entity.text or "") + (entity.tail or "")
        found.setdefault(entity.text or "", None)
        parent = entity.getparent()
        if parent is None:
            continue
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(entity)
    return tuple(found)


def _namespaces(root: etree._Element) -> Iterator[str]:
    seen = set()
    for element in (root, *root.iterchildren()):
        for uri in element.nsmap.values():
            if uri and uri not in seen:
                seen.add(uri)
                yield uri


def _parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, recover=recover
    )


def _parse_xml(data: bytes, source: Path) -> etree._Element:
    """Parse the export's XML; an undeclared prefix (WordPress.com's ``atom:``) is let through.

    WordPress.com wrote ``<atom:link>`` in the channel without declaring ``xmlns:atom`` for
    years; WordPress's own importer reads those exports, so we do too (the element is not
    used). Anything else that is not well-formed is an error naming the file and line.
    """
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        first = error
    if first.code == etree.ErrorTypes.NS_ERR_UNDEFINED_NAMESPACE:
        parser = _parser(recover=True)
        root = etree.fromstring(data, parser)
        other = [e for e in parser.error_log if e.type_name != "NS_ERR_UNDEFINED_NAMESPACE"]
        if root is not None and not other:
            return root
        if other:
            raise WxrError(f"{source}:{other[0].line}: not well-formed XML: {other[0].message}")
    line = first.lineno if first.lineno is not None else "?"
    raise WxrError(f"{source}:{line}: not well-formed XML: {first.msg}") from None


def parse_export(data: bytes, source: Path) -> Export:
    """Parse the bytes of a WordPress export; ``source`` names it in messages.

    Returns the :class:`Export`. Raises :class:`WxrError` naming ``source`` and the line for
    XML that is not well-formed, and ``source`` for a document that is not a WordPress export.
    """
    root = _parse_xml(data, source)
    if root is None or root.tag != "rss" or root.find("channel") is None:
        raise WxrError(f"{source}: not a WordPress export (no <rss><channel>)")
    reader = _Reader(root, source)
    channel = root.find("channel")
    items = tuple(map(reader.item, channel.iterfind("item")))  # before the site: see entities
    return Export(source=source, site=reader.site(channel), items=items)


def read_export(path: Path) -> Export:
    """Read the WordPress export at ``path`` (see :func:`parse_export`).

    Raises :class:`WxrError` naming the file when it cannot be read or parsed.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WxrError(f"{path}: cannot be read: {error.strerror or error}") from None
    return parse_export(data, path)
