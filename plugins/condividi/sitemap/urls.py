"""What ``sitemap.xml`` lists, and its text: pure functions over Pelican's content objects.

Every published article and page (translations included), each category and tag page, the
home page and the archive, plus the extra paths a setting names. Drafts, hidden pages (the
newsletter's confirmation pages), the 404, the redirect map's HTML pages and a post with
``Sitemap: no`` in its front matter are never listed: only the generators' published lists
are read, never the output folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from lxml import etree

from condividi.translations import absolute, default_version, language_versions

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
# The sitemaps.org limit for one file; a bigger site needs a sitemap index.
MAX_URLS = 50_000
_FALSE = {"no", "false", "off", "0"}


@dataclass(frozen=True)
class SitemapUrl:
    """One ``<url>``: its absolute address, last change (W3C datetime) and language versions
    as ``(hreflang, href)`` pairs, ``x-default`` last."""

    loc: str
    lastmod: str = ""
    alternates: tuple[tuple[str, str], ...] = ()


def w3c_datetime(value: date | datetime | None) -> str:
    """Return ``value`` in the W3C datetime form sitemaps use (``2026-10-15T07:30:00+01:00``),
    or ``""`` for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def last_change(content: Any) -> date | datetime | None:
    """Return when ``content`` last changed: its ``Modified:`` date, else its ``Date:``."""
    return getattr(content, "modified", None) or getattr(content, "date", None)


def wants_listing(content: Any) -> bool:
    """Tell whether ``content`` may be listed: False when its front matter says
    ``Sitemap: no`` (or false, off, 0)."""
    value = getattr(content, "metadata", {}).get("sitemap")
    return value is None or str(value).strip().lower() not in _FALSE


def content_url(content: Any, siteurl: str, default_lang: str) -> SitemapUrl:
    """Return the ``<url>`` of a published article or page, with its translations."""
    versions = language_versions(content, siteurl)
    alternates: tuple[tuple[str, str], ...] = ()
    if versions:
        fallback = default_version(versions, default_lang)
        alternates = (*((v.lang, v.url) for v in versions), ("x-default", fallback.url))  # type: ignore[union-attr]
    return SitemapUrl(
        absolute(siteurl, content.url), w3c_datetime(last_change(content)), alternates
    )


def newest(articles: Iterable[Any]) -> str:
    """Return the latest change among ``articles`` as a W3C datetime (``""`` for none)."""
    changes = [change for change in map(last_change, articles) if change is not None]
    return w3c_datetime(max(changes)) if changes else ""


def collect_urls(
    contents: Iterable[Any],
    listings: Iterable[tuple[str, Sequence[Any]]],
    siteurl: str,
    default_lang: str,
    exclude_paths: Iterable[str] = (),
) -> list[SitemapUrl]:
    """Return the sitemap's URLs, each once, in the order given.

    Takes the published articles and pages (``contents``), the list pages as ``(path,
    articles on it)`` pairs (home, archive, categories, tags, extra paths), the site's
    absolute ``SITEURL``, its ``DEFAULT_LANG`` and the paths never to list.
    """
    excluded = {path.lstrip("/") for path in exclude_paths}
    urls: dict[str, SitemapUrl] = {}
    for content in contents:
        if content.url in excluded or not wants_listing(content):
            continue
        url = content_url(content, siteurl, default_lang)
        urls.setdefault(url.loc, url)
    for path, articles in listings:
        if path in excluded:
            continue
        loc = absolute(siteurl, path)
        urls.setdefault(loc, SitemapUrl(loc, newest(articles)))
    return list(urls.values())


def render_sitemap(urls: Sequence[SitemapUrl]) -> bytes:
    """Return the sitemap XML (UTF-8, with declaration) for ``urls``.

    Raises ``ValueError`` past the protocol's 50,000 URLs a file.
    """
    if len(urls) > MAX_URLS:
        raise ValueError(
            f"sitemap: {len(urls)} URLs is more than the {MAX_URLS} one sitemap file may hold"
        )
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    for url in urls:
        node = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(node, f"{{{SITEMAP_NS}}}loc").text = url.loc
        if url.lastmod:
            etree.SubElement(node, f"{{{SITEMAP_NS}}}lastmod").text = url.lastmod
        for hreflang, href in url.alternates:
            etree.SubElement(
                node,
                f"{{{XHTML_NS}}}link",
                {"rel": "alternate", "hreflang": hreflang, "href": href},
            )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


ROBOTS_MARK = "# Written by Condividi"


def render_robots(sitemap_url: str | None) -> str:
    """Return ``robots.txt``: every crawler may read every page; the sitemap's absolute URL
    when there is one."""
    lines = [
        f'{ROBOTS_MARK}: set SITEMAP_ROBOTS_SAVE_AS = "" to ship your own.',
        "User-agent: *",
        "Disallow:",
    ]
    if sitemap_url:
        lines += ["", f"Sitemap: {sitemap_url}"]
    return "\n".join(lines) + "\n"
