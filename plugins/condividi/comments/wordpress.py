"""Import a WordPress export's comments into Isso, each on the thread of the matching post.

Isso's own importer (``isso import -t wordpress``) files a post's comments under the path of
the post's old WordPress ``<link>``. This module first rewrites the WXR file: every post that
matches one of ours (by its WordPress slug, or by its title) gets our stable thread id as its
link and our title; pingbacks, trackbacks, spam and trashed comments are dropped; posts that
match nothing are left out and reported. Isso then imports the rewritten file.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from pelican.contents import Article
from pelican.readers import Readers
from pelican.utils import slugify as pelican_slugify

from condividi.build import load_settings
from condividi.comments.isso import IssoSite, isso_command, write_config
from condividi.comments.threads import thread_id

_WXR_NAMESPACE = re.compile(r"^http://wordpress\.org/export/1\.\d+/$")
_DROPPED_TYPES = ("pingback", "trackback")
_DROPPED_STATUSES = ("spam", "trash")


class WxrError(ValueError):
    """The WordPress export cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class SitePost:
    """One of our posts, as the import needs it."""

    slug: str
    thread: str
    title: str
    source: str


@dataclass
class ImportPlan:
    """What a rewrite kept and left out.

    ``threads`` maps each of our thread ids to the number of comments it receives;
    ``unmatched`` lists the WordPress posts (title and link) whose comments match no post of
    ours; ``dropped`` counts the pingbacks, trackbacks, spam and trashed comments.
    """

    threads: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    dropped: int = 0

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


def _namespace(root: etree._Element, source: Path) -> str:
    for uri in root.nsmap.values():
        if uri and _WXR_NAMESPACE.match(uri):
            return uri
    raise WxrError(f"{source}: not a WordPress export (no http://wordpress.org/export/ namespace)")


def _text(element: etree._Element, path: str, ns: dict[str, str]) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _candidates(
    item: etree._Element, ns: dict[str, str], slugify: Callable[[str], str]
) -> list[str]:
    """Return the slugs a WordPress post may have on our site, most likely first."""
    post_name = unquote(_text(item, "wp:post_name", ns))
    link_tail = unquote(urlsplit(_text(item, "link", ns)).path.rstrip("/").rsplit("/", 1)[-1])
    names = [post_name, slugify(post_name), slugify(_text(item, "title", ns)), slugify(link_tail)]
    return [name for name in dict.fromkeys(names) if name]


def _keep_comment(comment: etree._Element, ns: dict[str, str]) -> bool:
    """Tell whether a WordPress comment is a reader's comment worth importing.

    Fixes, in place, the GMT date WordPress leaves as zeros on some unapproved comments.
    """
    if _text(comment, "wp:comment_type", ns) in _DROPPED_TYPES:
        return False
    if _text(comment, "wp:comment_approved", ns) in _DROPPED_STATUSES:
        return False
    if not _text(comment, "wp:comment_content", ns):
        return False
    date_gmt = comment.find("wp:comment_date_gmt", ns)
    if date_gmt is not None and _text(comment, "wp:comment_date_gmt", ns).strip("0-: ") == "":
        date_gmt.text = _text(comment, "wp:comment_date", ns)
    return True


def rewrite_wxr(
    source: Path, posts: Iterable[SitePost], slugify: Callable[[str], str]
) -> tuple[bytes, ImportPlan]:
    """Rewrite a WordPress export so that Isso files its comments under our thread ids.

    Takes the WXR file, our posts and the site's slugify function; returns the rewritten
    file's bytes and the :class:`ImportPlan`. Raises :class:`WxrError` on a file that is not
    well-formed XML or not a WordPress export.
    """
    parser = etree.XMLParser(strip_cdata=False, resolve_entities=False, no_network=True)
    try:
        tree = etree.parse(str(source), parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno is not None else "?"
        raise WxrError(f"{source}:{line}: not well-formed XML: {error.msg}") from error
    except OSError as error:
        raise WxrError(f"{source}: cannot be read: {error}") from error
    ns = {"wp": _namespace(tree.getroot(), source)}
    by_slug: dict[str, SitePost] = {}
    for post in posts:
        by_slug.setdefault(post.slug, post)
    plan = ImportPlan()
    for item in list(tree.getroot().iterfind("channel/item")):
        kept = 0
        for comment in item.findall("wp:comment", ns):
            if _keep_comment(comment, ns):
                kept += 1
            else:
                item.remove(comment)
                plan.dropped += 1
        if kept == 0:
            item.getparent().remove(item)
            continue
        post = None
        if _text(item, "wp:post_type", ns) in ("post", ""):
            post = next(
                (by_slug[name] for name in _candidates(item, ns, slugify) if name in by_slug), None
            )
        if post is None:
            plan.unmatched.append(f"{_text(item, 'title', ns)} ({_text(item, 'link', ns)})")
            item.getparent().remove(item)
            continue
        for tag, text in (("link", post.thread), ("title", post.title)):
            element = item.find(tag)
            if element is None:
                element = etree.SubElement(item, tag)
            element.text = text
        plan.threads[post.thread] = plan.threads.get(post.thread, 0) + kept
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), plan


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


def import_wxr(settings_file: Path, wxr: Path, dry_run: bool = False) -> tuple[int, ImportPlan]:
    """Import the comments of ``wxr`` into the site's Isso database with ``isso import``.

    Takes the Pelican settings file, the WordPress export and whether Isso should only try
    (``--dry-run``, nothing written); returns Isso's exit status and the plan. Raises
    :class:`WxrError` on an unreadable export.
    """
    settings = load_settings(settings_file.resolve())
    rewritten, plan = rewrite_wxr(wxr, site_posts(settings), site_slugify(settings))
    site = IssoSite.from_settings_file(settings_file)
    config_path = write_config(site)
    with tempfile.TemporaryDirectory(prefix="condividi-wxr-") as folder:
        mapped = Path(folder) / "comments.xml"
        mapped.write_bytes(rewritten)
        arguments = ["import", "--type", "wordpress", *(["--dry-run"] if dry_run else [])]
        result = subprocess.run(isso_command(config_path, *arguments, str(mapped)), check=False)
    return result.returncode, plan
