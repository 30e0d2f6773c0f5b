"""Import a WordPress export's comments into Isso, each on the thread of the matching post.

The export is read once by :mod:`condividi.migrate.wxr`. Only approved comments by readers go
to Isso: pending ones, spam, trashed comments, pingbacks and trackbacks are left out and
counted. Each WordPress post is matched to one of ours (by its WordPress slug or its title;
the posts importer gives the match directly), and Isso's own importer (``isso import -t
wordpress``) reads a small export written for it, holding only the matched posts, under our
stable thread ids and titles. Isso keeps the threading (``comment_parent``); a reply whose
parent was left out becomes a top-level comment. A thread that already has comments in Isso
is left as it is, so importing twice never doubles a thread.
"""

from __future__ import annotations

import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from pelican.contents import Article, Page
from pelican.readers import Readers
from pelican.utils import slugify as pelican_slugify

from condividi.build import load_settings
from condividi.comments.isso import IssoSite, isso_command, write_config
from condividi.comments.threads import comments_enabled, thread_id
from condividi.migrate.wxr import DATE_FORMAT, Comment, Export, Item, WxrError, read_export

__all__ = ["WxrError"]

_WP = "http://wordpress.org/export/1.2/"


@dataclass(frozen=True)
class SitePost:
    """One of our posts, as the import needs it."""

    slug: str
    thread: str
    title: str
    source: str
    kind: str = "article"  # or "page"


@dataclass(frozen=True)
class Thread:
    """The comments one of our posts receives: its thread id, title and the kept comments."""

    id: str
    title: str
    comments: tuple[Comment, ...]


@dataclass
class ImportPlan:
    """What an import keeps and leaves out.

    ``threads`` maps each of our thread ids to the number of comments it receives;
    ``unmatched`` lists the WordPress posts (title and link) whose comments match no post of
    ours; ``dropped`` counts the pending, spam and trashed comments, pingbacks and trackbacks;
    ``already`` lists the threads left alone because Isso already has comments on them;
    ``held`` the posts whose comments are held back (title and why: password-protected).
    """

    threads: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    dropped: int = 0
    already: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)

    @property
    def comments(self) -> int:
        """The number of comments that go to Isso."""
        return sum(self.threads.values())


def site_posts(settings: dict[str, Any]) -> list[SitePost]:
    """Read every article of the site (drafts too) with Pelican's own readers.

    Takes Pelican's settings; returns the posts in the default language first, so that a
    WordPress slug matches the original rather than a translation.
    """
    readers = Readers(settings)
    base = Path(settings["PATH"])
    default_lang = settings.get("DEFAULT_LANG", "it")
    posts: list[tuple[bool, SitePost]] = []
    for folder in settings.get("ARTICLE_PATHS") or [""]:
        for path in sorted((base / folder).rglob("*")):
            if not path.is_file() or path.suffix.lstrip(".") not in readers.extensions:
                continue
            article = readers.read_file(
                base_path=str(base), path=str(path.relative_to(base)), content_class=Article
            )
            post = SitePost(
                slug=article.slug,
                thread=thread_id(article.slug, article.lang, default_lang),
                title=article.title,
                source=str(path.relative_to(base)),
            )
            posts.append((article.lang != default_lang, post))
    return [post for _, post in sorted(posts, key=lambda pair: pair[0])]


def site_pages(settings: dict[str, Any]) -> list[SitePost]:
    """Read the site's pages that show comments (``Comments: on``; a page has none by default).

    Takes Pelican's settings; returns them as :class:`SitePost` of kind ``page``, the default
    language first.
    """
    readers = Readers(settings)
    base = Path(settings["PATH"])
    default_lang = settings.get("DEFAULT_LANG", "it")
    pages: list[tuple[bool, SitePost]] = []
    for folder in settings.get("PAGE_PATHS") or []:
        for path in sorted((base / folder).rglob("*")):
            if not path.is_file() or path.suffix.lstrip(".") not in readers.extensions:
                continue
            source = str(path.relative_to(base))
            page = readers.read_file(base_path=str(base), path=source, content_class=Page)
            if not comments_enabled(page.metadata.get("comments"), source, default=False):
                continue
            post = SitePost(
                page.slug, thread_id(page.slug, page.lang, default_lang), page.title, source, "page"
            )
            pages.append((page.lang != default_lang, post))
    return [post for _, post in sorted(pages, key=lambda pair: pair[0])]


def site_slugify(settings: dict[str, Any]) -> Callable[[str], str]:
    """Return Pelican's slugify configured like the site's (``SLUG_REGEX_SUBSTITUTIONS``...)."""

    def slugify(value: str) -> str:
        return pelican_slugify(
            value,
            regex_subs=settings.get("SLUG_REGEX_SUBSTITUTIONS", ()),
            preserve_case=settings.get("SLUGIFY_PRESERVE_CASE", False),
            use_unicode=settings.get("SLUGIFY_USE_UNICODE", False),
        )

    return slugify


def _candidates(item: Item, slugify: Callable[[str], str]) -> list[str]:
    """Return the slugs a WordPress post may have on our site, most likely first."""
    post_name = unquote(item.post_name)
    link_tail = unquote(urlsplit(item.link).path.rstrip("/").rsplit("/", 1)[-1])
    names = [post_name, slugify(post_name), slugify(item.title), slugify(link_tail)]
    return [name for name in dict.fromkeys(names) if name]


def kept_comments(item: Item) -> tuple[tuple[Comment, ...], int]:
    """Return the approved readers' comments of ``item`` and how many others were left out."""
    kept = tuple(comment for comment in item.comments if comment.is_approved_comment)
    return kept, len(item.comments) - len(kept)


def plan_threads(
    export: Export, match: Callable[[Item], SitePost | None], held: Mapping[int, str] = {}
) -> tuple[list[Thread], ImportPlan]:
    """Decide which comments of ``export`` go to which of our threads.

    ``match`` returns our post for a WordPress item, or ``None``; ``held`` maps the ids of
    items whose comments must not be imported to why. Returns the threads (each with its kept
    comments, in the export's order) and the :class:`ImportPlan`.
    """
    plan = ImportPlan()
    threads: list[Thread] = []
    for item in export.items:
        kept, dropped = kept_comments(item)
        plan.dropped += dropped
        if not kept:
            continue
        if item.id in held:
            title = " ".join(item.title.split())
            count = f"{len(kept)} comment{'' if len(kept) == 1 else 's'}"
            plan.held.append(f"{title} ({item.link}): {count}, {held[item.id]}")
            continue
        post = match(item)
        if post is None:
            plan.unmatched.append(f"{' '.join(item.title.split())} ({item.link})")
            continue
        threads.append(Thread(post.thread, post.title, kept))
        plan.threads[post.thread] = plan.threads.get(post.thread, 0) + len(kept)
    return threads, plan


def match_by_slug(
    posts: Iterable[SitePost], slugify: Callable[[str], str], pages: Iterable[SitePost] = ()
):
    """Return a ``match`` for :func:`plan_threads`: a WordPress post → our post of that slug,
    a WordPress page → our page of that slug (``pages``: those with a comments section).

    Other post types match nothing.
    """
    by_kind: dict[str, dict[str, SitePost]] = {"post": {}, "page": {}}
    for kind, contents in (("post", posts), ("page", pages)):
        for content in contents:
            by_kind[kind].setdefault(content.slug, content)

    def match(item: Item) -> SitePost | None:
        by_slug = by_kind.get(item.type)
        if not by_slug:
            return None
        return next((by_slug[name] for name in _candidates(item, slugify) if name in by_slug), None)

    return match


def _date(comment: Comment) -> str:
    # WordPress leaves the GMT date as zeros on some comments: the local date is close enough.
    when = comment.date_gmt or comment.date
    return when.strftime(DATE_FORMAT) if when else "1970-01-01 00:00:00"


def isso_export(threads: Iterable[Thread]) -> bytes:
    """Return a minimal WXR file holding ``threads`` for ``isso import -t wordpress``.

    Each thread is an item whose ``<link>`` is our thread id, so Isso files its comments there.
    """
    rss = etree.Element("rss", version="2.0", nsmap={"wp": _WP})
    channel = etree.SubElement(rss, "channel")
    etree.SubElement(channel, "title").text = "Condividi comment import"

    def add(parent: etree._Element, name: str, value: str) -> None:
        etree.SubElement(parent, f"{{{_WP}}}{name}").text = value

    for thread in threads:
        item = etree.SubElement(channel, "item")
        etree.SubElement(item, "title").text = thread.title or thread.id
        etree.SubElement(item, "link").text = thread.id
        for comment in thread.comments:
            element = etree.SubElement(item, f"{{{_WP}}}comment")
            add(element, "comment_id", str(comment.id))
            add(element, "comment_author", comment.author)
            add(element, "comment_author_email", comment.email)
            add(element, "comment_author_url", comment.url)
            add(element, "comment_author_IP", comment.ip)
            add(element, "comment_date_gmt", _date(comment))
            add(element, "comment_content", comment.content)
            add(element, "comment_approved", "1")
            add(element, "comment_parent", str(comment.parent))
    return etree.tostring(rss, xml_declaration=True, encoding="UTF-8")


def threads_with_comments(database: Path) -> set[str]:
    """Return the ids of the threads that already have comments in Isso's ``database``."""
    if not database.is_file():
        return set()
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        try:
            rows = db.execute(
                "SELECT DISTINCT threads.uri FROM threads "
                "JOIN comments ON comments.tid = threads.id"
            ).fetchall()
        except sqlite3.OperationalError:  # a database Isso has not set up yet
            return set()
    return {uri for (uri,) in rows}


def run_isso_import(
    site: IssoSite, threads: list[Thread], plan: ImportPlan, dry_run: bool = False
) -> tuple[int, str]:
    """Import ``threads`` into the site's Isso database with ``isso import``.

    Threads that Isso already holds comments on are left out (listed in ``plan.already``).
    Takes the site's Isso setup; returns Isso's exit status and its output. With ``dry_run``
    Isso only tries (``--dry-run``). Nothing is run when no thread is left.
    """
    present = threads_with_comments(site.dbpath)
    fresh = [thread for thread in threads if thread.id not in present]
    for thread in threads:
        if thread.id in present:
            plan.already.append(thread.id)
            plan.threads.pop(thread.id, None)
    if not fresh:
        return 0, ""
    config_path = write_config(site)
    with tempfile.TemporaryDirectory(prefix="condividi-wxr-") as folder:
        mapped = Path(folder) / "comments.xml"
        mapped.write_bytes(isso_export(fresh))
        arguments = ["import", "--type", "wordpress", *(["--dry-run"] if dry_run else [])]
        # Isso asks before importing into a database that has comments: these threads are new.
        result = subprocess.run(
            isso_command(config_path, *arguments, str(mapped)),
            input="y\n",
            capture_output=True,
            text=True,
            check=False,
        )
    return result.returncode, (result.stdout + result.stderr).strip()


def import_wxr(settings_file: Path, wxr: Path, dry_run: bool = False) -> tuple[int, ImportPlan]:
    """Import the comments of ``wxr`` into the site's Isso database with ``isso import``.

    Each WordPress post is matched to one of the site's posts by slug or title, each page to
    one of its pages that shows comments (``Comments: on``). Takes the
    Pelican settings file, the WordPress export and whether Isso should only try
    (``--dry-run``, nothing written); returns Isso's exit status and the plan. Raises
    :class:`WxrError` on an unreadable export.
    """
    export = read_export(wxr)
    settings = load_settings(settings_file.resolve())
    match = match_by_slug(site_posts(settings), site_slugify(settings), site_pages(settings))
    threads, plan = plan_threads(export, match)
    status, output = run_isso_import(IssoSite.from_settings(settings), threads, plan, dry_run)
    if status != 0 and output:
        print(output)
    return status, plan


def import_for_posts(
    site: IssoSite,
    export: Export,
    posts: Mapping[int, SitePost],
    dry_run: bool = False,
    held: Mapping[int, str] = {},
) -> tuple[int, str, ImportPlan]:
    """Import the comments of the WordPress items ``posts`` maps (id → our post or page) into
    the Isso database of ``site``, except those of the items ``held`` maps (id → why).

    Used by the posts importer, which knows each imported post's thread. With ``dry_run``
    nothing is run or written: only the plan is made. Returns Isso's exit status, its output
    and the plan.
    """
    threads, plan = plan_threads(export, lambda item: posts.get(item.id), held)
    if dry_run:
        return 0, "", plan
    status, output = run_isso_import(site, threads, plan)
    return status, output, plan
