"""The old addresses of an imported WordPress blog, and where each leads on our site.

For every published post and page: its permalink (``/2013/05/slug/``, as ``<link>`` has it),
``/?p=ID`` (posts) or ``/?page_id=ID`` (pages). For their categories and tags:
``/category/<nicename>/`` (with its parents' path when it has some) and ``/tag/<nicename>/``,
each with its ``feed/``. The site feeds ``/feed/``, ``/feed/atom/``, ``/feed/rss2/`` and
``/comments/feed/``. And each upload copied into the site, from ``/wp-content/uploads/...``.
New addresses come from the site's own settings (``ARTICLE_URL``, ``CATEGORY_URL``, the
``FEEDS_*`` paths...) through Pelican's URL objects, under ``SITEURL``'s path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from pelican.urlwrappers import Category, Tag

from condividi import theme
from condividi.config import load_config
from condividi.feeds.config import FeedsConfig
from condividi.migrate.media import MediaCopy
from condividi.migrate.redirect_map import Redirect, make_redirect
from condividi.migrate.wxr import Export, Item


@dataclass(frozen=True)
class Imported:
    """A published post or page as imported: its item, our URL, and its terms.

    ``category`` is ``(WordPress nicename, our category name)``; ``tags`` hold
    ``(WordPress taxonomy, nicename, our tag name)``: a post's other categories become tags.
    """

    item: Item
    url: str
    category: tuple[str, str] | None = None
    tags: tuple[tuple[str, str, str], ...] = ()
    # A post dated in the future: the date it is published (a draft until then).
    scheduled: datetime | None = None


def site_path(settings: Mapping[str, Any], url: str) -> str:
    """Return the path of a site ``url`` (``il-post/``) below ``SITEURL``'s path: ``/il-post/``."""
    prefix = theme.site_path(str(settings.get("SITEURL") or ""))
    return f"{prefix}/{url.lstrip('/')}"


def shortlink(item: Item) -> str:
    """Return the address WordPress answers for ``item`` whatever its permalinks:
    ``/?p=ID`` for a post, ``/?page_id=ID`` for a page (to put after the blog's path)."""
    query = "p" if item.type == "post" else "page_id"
    return f"/?{query}={item.id}"


def old_path(url: str, host: str) -> str | None:
    """Return the path (and query) of an old address on the blog's ``host``, or None."""
    parts = urlsplit(url.strip())
    if parts.hostname and host and parts.hostname.lower() != host:
        return None
    if not parts.path and not parts.query:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def old_slug_links(item: Item) -> list[str]:
    """Return the earlier permalinks of a renamed post, from its ``_wp_old_slug`` meta.

    WordPress keeps each slug a post had before (``_wp_old_slug``, one meta per slug) and
    answers its old permalink with a redirect: the permalink with the slug in place of the
    current one. A permalink without the slug (``/?p=123``) gives none.
    """
    parts = urlsplit(item.link)
    current = unquote(item.post_name).strip()
    segments = parts.path.split("/")
    where = [i for i, segment in enumerate(segments) if current and unquote(segment) == current]
    if not where or parts.query:
        return []
    links = []
    for name, value in item.postmeta:
        old = value.strip()
        if name != "_wp_old_slug" or not old or "/" in old or unquote(old) == current:
            continue
        changed = [*segments[: where[-1]], old, *segments[where[-1] + 1 :]]
        links.append(urlunsplit(parts._replace(path="/".join(changed))))
    return list(dict.fromkeys(links))


def _category_paths(export: Export) -> dict[str, str]:
    """Return each category nicename's path below ``/category/`` (``parent/child``)."""
    parents = {category.nicename: category.parent for category in export.site.categories}
    paths = {}
    for nicename in parents:
        chain, current = [nicename], parents.get(nicename, "")
        while current and current not in chain and len(chain) < 20:
            chain.insert(0, current)
            current = parents.get(current, "")
        paths[nicename] = "/".join(chain)
    return paths


def feeds_config(settings: Mapping[str, Any]) -> FeedsConfig | None:
    """Return the site's feeds settings, or ``None`` when the feeds plugin is off."""
    if "condividi.feeds" not in (settings.get("PLUGINS") or ()):
        return None
    return load_config(FeedsConfig, settings, "FEEDS")


def term_targets(
    kind: str, name: str, settings: Mapping[str, Any], feeds: FeedsConfig | None
) -> tuple[str, str]:
    """Return our list page and Atom feed (or ``""``) of a ``category`` or ``tag`` ``name``."""
    if kind == "category":
        wrapper: Category | Tag = Category(name, settings)
        feed = feeds.category_atom_save_as if feeds and feeds.categories else ""
    else:
        wrapper = Tag(name, settings)
        feed = feeds.tag_atom_save_as if feeds and feeds.tags else ""
    page = site_path(settings, wrapper.url)
    return page, site_path(settings, feed.format(slug=wrapper.slug)) if feed else ""


def waiting_targets(imported: Iterable[Imported], settings: Mapping[str, Any]) -> dict[str, str]:
    """Return the targets that no build writes until a scheduled post is published.

    Takes the published posts and pages imported; returns each such target (the scheduled
    post's page; the page and feed of a category or tag that only scheduled posts have)
    mapped to why it waits. The build leaves a redirect there out until the target exists.
    """
    imported = list(imported)
    feeds = feeds_config(settings)
    waiting: dict[str, str] = {}
    now: dict[tuple[str, str], bool] = {}  # (kind, name) -> has a post published now
    for entry in imported:
        # A post's other categories are tags here (see Imported.tags).
        terms = [("category", entry.category[1])] if entry.category else []
        terms += [("tag", name) for _, _, name in entry.tags]
        for term in terms:
            now[term] = now.get(term, False) or entry.scheduled is None
        if entry.scheduled is not None:
            when = f"{entry.scheduled:%Y-%m-%d}"
            waiting[site_path(settings, entry.url)] = f"a post scheduled for {when}"
    for (kind, name), published in now.items():
        if published:
            continue
        for target in term_targets(kind, name, settings, feeds):
            if target:
                waiting.setdefault(target, f"the {kind} {name!r}, of scheduled posts only")
    return waiting


def wordpress_redirects(
    export: Export,
    imported: Iterable[Imported],
    copies: Iterable[MediaCopy],
    settings: Mapping[str, Any],
) -> list[Redirect]:
    """Return the redirects from the old blog's addresses to the imported site's.

    Takes the export, the published posts and pages imported, the uploads copied and Pelican's
    settings. A redirect whose old and new paths are equal is left out; an old path is listed
    once (its first target).
    """
    host = export.site.host
    base = urlsplit(export.site.link).path.rstrip("/")
    found: dict[str, Redirect] = {}

    def add(source: str | None, target: str) -> None:
        if not source or source in found:
            return
        try:
            redirect = make_redirect(source, target)
        except ValueError:  # leads to itself, or an address we cannot write
            return
        found.setdefault(redirect.source, redirect)

    # WordPress nicename -> ("category" or "tag", our name); a category wins over a tag.
    categories: dict[str, tuple[str, str]] = {}
    tags: dict[str, tuple[str, str]] = {}
    for entry in imported:
        new = site_path(settings, entry.url)
        add(old_path(entry.item.link, host), new)
        add(f"{base}{shortlink(entry.item)}", new)
        for link in old_slug_links(entry.item):
            add(old_path(link, host), new)
        if entry.category:
            nicename, name = entry.category
            categories[nicename] = ("category", name)
        for domain, nicename, name in entry.tags:
            (categories if domain == "category" else tags).setdefault(nicename, ("tag", name))
    feeds = feeds_config(settings)

    def targets(kind: str, name: str) -> tuple[str, str]:
        return term_targets(kind, name, settings, feeds)

    paths = _category_paths(export)
    for nicename, (kind, name) in categories.items():
        page, feed = targets(kind, name)
        for path in dict.fromkeys((paths.get(nicename, nicename), nicename)):
            add(f"{base}/category/{path}/", page)
            if feed:
                add(f"{base}/category/{path}/feed/", feed)
    for nicename, (kind, name) in tags.items():
        page, feed = targets(kind, name)
        add(f"{base}/tag/{nicename}/", page)
        if feed:
            add(f"{base}/tag/{nicename}/feed/", feed)
    if feeds:
        atom = site_path(settings, feeds.atom_save_as)
        for old in ("/feed/", "/feed/atom/", "/comments/feed/"):
            add(f"{base}{old}", atom)
        add(f"{base}/feed/rss2/", site_path(settings, feeds.rss_save_as))
    for copy in copies:
        add(old_path(copy.url, host), site_path(settings, copy.relative))
    return list(found.values())
