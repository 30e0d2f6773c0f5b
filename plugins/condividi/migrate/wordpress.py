"""Import a WordPress blog: posts and pages to Markdown, media, old addresses, comments.

:func:`plan_import` reads the export (:mod:`condividi.migrate.wxr`) and decides everything
without writing: each post and page becomes a Markdown file with front matter Pelican reads
(``content/articles/<date>-<slug>.md``, ``content/pages/<slug>.md``), its body converted by
:mod:`condividi.migrate.convert`; the uploads it links are found in the local uploads folder;
the old addresses are listed for the redirect map. :func:`write_import` then writes: media,
files (each atomically; an existing file is never overwritten unless ``force``, an identical
one is "unchanged"), the redirect map (:func:`~condividi.migrate.redirect_map.merge_redirects`),
the list of missing media, and the approved comments of the imported posts into Isso
(:mod:`condividi.comments.wordpress`). A dry run stops after the plan.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from pelican.contents import Article, Page
from pelican.readers import Readers
from pelican.urlwrappers import Category

from condividi.build import load_settings
from condividi.comments.isso import IssoSite
from condividi.comments.threads import thread_id
from condividi.comments.wordpress import ImportPlan as CommentsPlan
from condividi.comments.wordpress import SitePost, import_for_posts, kept_comments
from condividi.config import project_root
from condividi.files import write_atomically
from condividi.migrate.convert import convert_excerpt, convert_post, plain_text
from condividi.migrate.media import MediaPlan
from condividi.migrate.permalinks import (
    Imported,
    old_path,
    shortlink,
    waiting_targets,
    wordpress_redirects,
)
from condividi.migrate.redirect_map import MergeReport, Redirect, merge_redirects, redirects_file
from condividi.migrate.shortcodes import MediaContext
from condividi.migrate.wxr import Export, Item, read_export
from condividi.newpost import post_slug

MISSING_MEDIA = "wordpress-missing-media.txt"
MAX_SLUG = 150
IMPORTED_TYPES = ("post", "page")
# WordPress statuses: what each becomes here (None: not imported).
STATUSES: dict[str, str | None] = {
    "publish": "published",
    "future": "published",  # scheduled: Pelican keeps a future-dated post a draft until then
    "draft": "draft",
    "pending": "draft",
    "private": "draft",
    "trash": None,
    "auto-draft": None,
}
# WordPress's default category ("Uncategorized" until renamed) in its common locales: a post
# there was never filed, so it becomes neither a category nor a tag here.
DEFAULT_CATEGORY_NAMES = frozenset(
    {
        "uncategorized",  # en_US
        "uncategorised",  # en_GB, en_AU
        "senza categoria",  # it_IT
        "non classé",  # fr_FR
        "sin categoría",  # es_ES
        "sin categoria",
        "allgemein",  # de_DE
        "sem categoria",  # pt_BR, pt_PT
        "ongecategoriseerd",  # nl_NL
        "bez kategorii",  # pl_PL
        "без рубрики",  # ru_RU
        "okategoriserade",  # sv_SE
        "ikke kategoriseret",  # da_DK
        "ukategorisert",  # nb_NO
        "nezařazené",  # cs_CZ
        "sense categoria",  # ca
        "χωρίς κατηγορία",  # el
        "未分類",  # ja
        "未分类",  # zh_CN
    }
)
DEFAULT_CATEGORY_SLUGS = frozenset(
    {"uncategorized", "uncategorised", "senza-categoria", "non-classe", "sin-categoria"}
    | {"allgemein", "sem-categoria", "ongecategoriseerd", "bez-kategorii", "okategoriserade"}
)
# What a file's state means for the report.
NEW, UNCHANGED, REPLACED, EXISTS = "new", "unchanged", "replaced", "exists"


class Progress(Protocol):
    """Told how many posts and pages an import converts, then of each one (a progress bar)."""

    def start(self, total: int) -> None:
        """The conversion of ``total`` posts and pages begins."""

    def advance(self, item: Item) -> None:
        """``item`` was converted."""


@dataclass(frozen=True)
class Options:
    """How to import: the local uploads folder, overwrite, write nothing, bring comments."""

    uploads: Path | None = None
    force: bool = False
    dry_run: bool = False
    comments: bool = True


@dataclass
class PlannedFile:
    """One post or page as it will be written."""

    item: Item
    kind: str  # "article" or "page"
    path: Path
    text: str
    title: str
    slug: str
    lang: str
    status: str
    url: str
    date: datetime
    state: str = NEW
    notes: list[str] = field(default_factory=list)
    imported: Imported | None = None


@dataclass(frozen=True)
class Skipped:
    """An item not imported: which (described), why, and whether that is an error."""

    item: str
    reason: str
    error: bool = False


@dataclass
class ImportReport:
    """Everything an import did (or, in a dry run, would do)."""

    source: Path
    dry_run: bool
    settings_file: Path
    content: Path
    files: list[PlannedFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    other_types: Counter[str] = field(default_factory=Counter)
    shortcodes_left: Counter[str] = field(default_factory=Counter)
    media: MediaPlan = field(default_factory=lambda: MediaPlan(None))
    redirects: list[Redirect] = field(default_factory=list)
    # Redirects whose target no build writes yet (a scheduled post...), and why.
    waiting: list[tuple[Redirect, str]] = field(default_factory=list)
    redirects_path: Path = Path("redirects.txt")
    merged: MergeReport | None = None
    missing_list: Path | None = None
    comments: CommentsPlan | None = None
    # WordPress post id -> our post, for the comment import (None: comments not imported).
    comment_targets: dict[int, SitePost] | None = None
    # WordPress post id -> why its comments are held back (password-protected).
    comments_held: dict[int, str] = field(default_factory=dict)
    export: Export | None = None
    # The site's Isso setup, once the comments are to be imported.
    isso: IssoSite | None = None
    comments_status: int = 0
    comments_output: str = ""
    comments_note: str = ""

    def count(self, state: str) -> int:
        """Return how many files are in ``state`` (new, unchanged, replaced, exists)."""
        return sum(1 for planned in self.files if planned.state == state)

    @property
    def failed(self) -> bool:
        """Tell whether something was skipped with an error or the comment import failed."""
        return (
            any(skip.error for skip in self.skipped)
            or self.count(EXISTS) > 0
            or self.comments_status != 0
        )


def local_date(naive_gmt: datetime | None, naive_local: datetime | None, zone: ZoneInfo):
    """Return a WordPress date in the site's time zone: from GMT if known, else the local one.

    Returns ``None`` when neither is usable (``0000-00-00`` in both).
    """
    if naive_gmt is not None:
        return naive_gmt.replace(tzinfo=UTC).astimezone(zone)
    if naive_local is not None:
        return naive_local.replace(tzinfo=zone)
    return None


def _cut(slug: str) -> str:
    if len(slug) <= MAX_SLUG:
        return slug
    return slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]


def item_slug(item: Item, title: str) -> tuple[str, str]:
    """Return a post's slug and a note when it is not WordPress's own.

    WordPress's ``post_name`` is kept when it is already a slug by our rules
    (:func:`condividi.newpost.post_slug`); a percent-encoded or accented one is decoded and
    transliterated; a draft without one gets its title's; a post with neither gets
    ``<type>-<id>``. Slugs are cut to 150 characters at a hyphen.
    """
    name = unquote(item.post_name).strip()
    slug = _cut(post_slug(name)) if name else ""
    note = f"slug {name!r} became {slug!r}" if name and slug and slug != name else ""
    if not slug:
        slug = _cut(post_slug(title))
    if not slug:
        slug = f"{item.type}-{item.id}"
    return slug, note


def _field(value: str) -> str:
    """Return a front matter value on one line (Pelican's reader reads one line per key)."""
    return " ".join(value.split())


def front_matter(fields: Iterable[tuple[str, str]]) -> str:
    """Return ``Key: value`` lines for the non-empty fields, then the blank line."""
    lines = [f"{key}: {_field(value)}" for key, value in fields if _field(value)]
    return "\n".join(lines) + "\n\n"


def _taxonomy_name(name: str) -> str:
    # WordPress stores term names entity-encoded: decoding "&lt;script&gt;" makes markup, so
    # the text is stripped again until no tag is left. Pelican splits tags on commas (on
    # semicolons when there are any).
    text = plain_text(name)
    while (again := plain_text(text)) != text:
        text = again
    return text.replace(",", " ").replace(";", " ").strip()


def is_default_category(nicename: str, name: str) -> bool:
    """Tell whether a WordPress category is its default one ("Uncategorized", "Senza
    categoria", "Non classé"...), by its nicename or its plain-text name."""
    return (
        nicename.strip().lower() in DEFAULT_CATEGORY_SLUGS
        or " ".join(name.split()).casefold() in DEFAULT_CATEGORY_NAMES
    )


def _terms(item: Item) -> tuple[tuple[str, str] | None, list[tuple[str, str, str]], list[str]]:
    """Return the category (nicename, name), the tags (taxonomy, nicename, name) and notes.

    WordPress's default category is left out (:func:`is_default_category`), with a note.
    """
    notes = []
    categories = [(t.nicename, _taxonomy_name(t.name)) for t in item.categories if t.name]
    default = [name for nicename, name in categories if is_default_category(nicename, name)]
    if default:
        categories = [pair for pair in categories if pair[1] not in default]
        names = ", ".join(dict.fromkeys(default))
        notes.append(f"WordPress's default category left out: {names}")
    category = categories[0] if categories else None
    tags = [("category", nicename, name) for nicename, name in categories[1:]]
    tags += [("post_tag", t.nicename, _taxonomy_name(t.name)) for t in item.tags if t.name]
    if len(categories) > 1:
        extra = ", ".join(name for _, name in categories[1:])
        notes.append(f"only one category here: {extra} became tags")
    seen: set[str] = {category[1].lower()} if category else set()
    unique = []
    for tag in tags:
        if tag[2] and tag[2].lower() not in seen:
            seen.add(tag[2].lower())
            unique.append(tag)
    return category, unique, notes


def _title(item: Item) -> tuple[str, str]:
    """Return the plain-text title and a note when the post had none."""
    title = plain_text(item.title)
    if title:
        return title, ""
    words = plain_text(item.content).split()
    if words:
        title = " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        return title, f"no title: titled {title!r} from its first words"
    return (
        f"{item.type.capitalize()} {item.id}",
        f"no title and no text: titled {item.type} {item.id}",
    )


class _Site:
    """The site's settings the importer needs, read once."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = settings
        self.content = Path(settings["PATH"])
        self.zone = ZoneInfo(settings.get("TIMEZONE") or "UTC")
        self.default_lang = settings.get("DEFAULT_LANG", "en")
        self.articles = (settings.get("ARTICLE_PATHS") or ["articles"])[0] or "."
        self.pages = (settings.get("PAGE_PATHS") or ["pages"])[0] or "."
        statics = settings.get("STATIC_PATHS") or ["images"]
        self.images = "images" if "images" in statics else statics[0]

    def url(self, kind: str, metadata: dict[str, Any]) -> str:
        """Return our URL of a published article or page with ``metadata``.

        A post dated in the future gets the URL it will have once published, not the draft's
        Pelican gives it until then (``WITH_FUTURE_DATES = False``).
        """
        content_class = Article if kind == "article" else Page
        settings = {**self.settings, "WITH_FUTURE_DATES": True}
        return content_class(
            "", metadata={**metadata, "status": "published"}, settings=settings
        ).url

    def uncategorized(self, kind: str) -> str:
        """Return the ``Category:`` of a post that has none: the site's ``DEFAULT_CATEGORY``
        when Pelican would otherwise name it after its folder (``articles``), else ``""``."""
        if kind != "article" or not self.settings.get("USE_FOLDER_AS_CATEGORY", True):
            return ""
        return str(self.settings.get("DEFAULT_CATEGORY") or "")

    def scheduled(self, status: str, date: datetime) -> bool:
        """Tell whether a published post dated ``date`` waits as a draft until that date."""
        future = date > datetime.now(self.zone)
        return status == "published" and future and not self.settings.get("WITH_FUTURE_DATES")


def existing_slugs(settings: dict[str, Any], skip: set[Path]) -> dict[tuple[str, str], str]:
    """Return ``(slug, lang) → file`` for the site's posts and pages, except the ``skip`` files.

    Read with Pelican's own readers, so a slug taken from a title counts too.
    """
    readers = Readers(settings)
    base = Path(settings["PATH"])
    found: dict[tuple[str, str], str] = {}
    folders = [
        *((folder, Article) for folder in settings.get("ARTICLE_PATHS") or [""]),
        *((folder, Page) for folder in settings.get("PAGE_PATHS") or []),
    ]
    for folder, content_class in folders:
        for path in sorted((base / folder).rglob("*")):
            if path in skip or not path.is_file():
                continue
            if path.suffix.lstrip(".") not in readers.extensions:
                continue
            try:
                content = readers.read_file(
                    base_path=str(base),
                    path=str(path.relative_to(base)),
                    content_class=content_class,
                )
            except Exception:  # a broken file of the author's: the build will name it
                continue
            key = (content.slug, content.lang)
            found.setdefault(key, str(path.relative_to(base.parent)))
    return found


class _LinkMap:
    """Links between imported posts: old address → ``{filename}`` of the new file."""

    def __init__(self, home: str) -> None:
        self.host = (urlsplit(home).hostname or "").lower()
        self.base = urlsplit(home).path.rstrip("/")  # a blog installed in a folder: /blog
        self.targets: dict[str, str] = {}

    def add(self, url: str, target: str) -> None:
        path = old_path(url, self.host)
        if path and path != "/":
            self.targets.setdefault(path.rstrip("/"), target)

    def resolve(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https", "") or url.startswith("#"):
            return None
        path = old_path(url.split("#")[0], self.host)
        target = self.targets.get((path or "").rstrip("/"))
        if target is None:
            return None
        return target + (f"#{parts.fragment}" if parts.fragment else "")


def plan_import(
    settings_file: Path,
    wxr: Path,
    options: Options = Options(),
    progress: Progress | None = None,
) -> ImportReport:
    """Read the export and decide every file, copy and redirect, writing nothing.

    Takes the Pelican settings file, the WordPress export, the :class:`Options` and a
    :class:`Progress` told of each post or page converted. Returns the report to give
    :func:`write_import`. Raises :class:`~condividi.migrate.wxr.WxrError` on an export that
    cannot be read; any single item that cannot be converted is skipped with an error.
    """
    settings = load_settings(settings_file.resolve())
    site = _Site(settings)
    export = read_export(wxr)
    report = ImportReport(wxr, options.dry_run, settings_file, site.content, export=export)
    report.media = MediaPlan(options.uploads, site.images)
    report.redirects_path = redirects_file(settings)
    attachments = {item.id: item for item in export.attachments}
    links = _LinkMap(export.site.link or export.site.base_blog_url)
    used: dict[tuple[str, str], str] = {}
    planned: list[PlannedFile] = []
    for item in export.items:
        if not item.type or not item.status:
            # Not something WordPress shows: no post type or no status (a broken or partial item).
            missing = " and ".join(
                name
                for name, value in (("post_type", item.type), ("status", item.status))
                if not value
            )
            report.skipped.append(Skipped(item.describe(), f"no {missing}: not a post or page"))
            continue
        if item.type not in IMPORTED_TYPES:
            if item.type != "attachment":
                report.other_types[item.type] += 1
            continue
        status = STATUSES.get(item.status, "draft")
        if status is None:
            why = "in the trash" if item.status == "trash" else "an empty auto-draft"
            report.skipped.append(Skipped(item.describe(), why))
            continue
        try:
            planned.append(_plan_file(item, status, export, site, used))
        except Exception as error:  # one broken item never stops the others
            report.skipped.append(Skipped(item.describe(), f"cannot be read: {error}", True))
    for entry in planned:
        if entry.status == "published":
            target = "{filename}/" + entry.path.relative_to(site.content).as_posix()
            links.add(entry.item.link, target)
            links.add(f"{links.base}{shortlink(entry.item)}", target)

    def rewrite(url: str) -> str | None:
        return report.media.resolve(url) or links.resolve(url)

    taken = existing_slugs(settings, {entry.path for entry in planned})
    if progress is not None:
        progress.start(len(planned))
    for entry in planned:
        if progress is not None:
            progress.advance(entry.item)
        try:
            _convert(entry, export, site, attachments, rewrite, report)
        except Exception as error:
            report.skipped.append(
                Skipped(entry.item.describe(), f"cannot be converted: {error}", True)
            )
            continue
        owner = taken.get((entry.slug, entry.lang))
        if owner:
            report.skipped.append(
                Skipped(
                    entry.item.describe(),
                    f"its address /{entry.url} is taken by {owner} (slug {entry.slug!r})",
                    True,
                )
            )
            continue
        entry.state = _state(entry, options.force)
        report.files.append(entry)
    published = [
        entry.imported for entry in report.files if entry.imported and entry.state != EXISTS
    ]
    report.redirects = wordpress_redirects(
        export, published, report.media.copies.values(), settings
    )
    waiting = waiting_targets(published, settings)
    report.waiting = [
        (redirect, waiting[redirect.target])
        for redirect in report.redirects
        if redirect.target in waiting
    ]
    report.merged = merge_redirects(report.redirects_path, report.redirects, write=False)
    if report.media.downloadable:
        report.missing_list = project_root(settings) / MISSING_MEDIA
    _plan_comments(report, site, options)
    return report


def _plan_file(
    item: Item, status: str, export: Export, site: _Site, used: dict[tuple[str, str], str]
) -> PlannedFile:
    """Decide a post's title, slug, language, date, status, file and URL (not its body)."""
    notes: list[str] = []
    title, note = _title(item)
    notes += [note] if note else []
    slug, note = item_slug(item, title)
    notes += [note] if note else []
    language = next((t.nicename for t in item.terms if t.domain == "language"), "")
    lang = (language or export.site.lang or site.default_lang).lower()
    base, number = slug, 2
    while (slug, lang) in used:
        slug = f"{base}-{number}"
        number += 1
    if slug != base:
        notes.append(f"slug {base!r} is taken by {used[(base, lang)]}: this one is {slug!r}")
    date = local_date(item.date_gmt, item.date, site.zone)
    if date is None:
        fallback = local_date(item.modified_gmt, item.modified, site.zone)
        date = (fallback or datetime.now(site.zone)).replace(second=0, microsecond=0)
        if status == "published":
            notes.append("no usable date (0000-00-00): imported as a draft")
        status = "draft"
        notes.append(f"dated {date:%Y-%m-%d %H:%M}, its {'last change' if fallback else 'import'}")
    if item.status == "private":
        notes.append("private on WordPress: imported as a draft")
    if item.password:
        # A static host cannot ask for the password: never publish it, nor its comments.
        status = "draft"
        notes.append(
            "password-protected on WordPress: imported as a draft, its comments held back; "
            "a static site cannot ask for the password, so publish it only if all may read it"
        )
    if item.entities:
        notes.append(
            f"the export declares entities that are never expanded: {', '.join(item.entities)} "
            "kept as text; check the title and text"
        )
    kind = "article" if item.type == "post" else "page"
    suffix = "" if lang == site.default_lang else f"-{lang}"
    if kind == "article":
        path = site.content / site.articles / f"{date:%Y-%m-%d}-{slug}{suffix}.md"
    else:
        path = site.content / site.pages / f"{slug}{suffix}.md"
    used[(slug, lang)] = item.describe()
    metadata: dict[str, Any] = {"title": title, "slug": slug, "lang": lang, "date": date}
    category = _terms(item)[0] if kind == "article" else None
    if category:  # ARTICLE_URL may hold {category}
        metadata["category"] = Category(category[1], site.settings)
    url = site.url(kind, metadata)
    if site.scheduled(status, date):
        notes.append(
            f"scheduled for {date:%Y-%m-%d %H:%M}: a draft until then, published by the first "
            "build from that date; its old addresses redirect from then on"
        )
    return PlannedFile(item, kind, path, "", title, slug, lang, status, url, date, notes=notes)


def _convert(
    entry: PlannedFile,
    export: Export,
    site: _Site,
    attachments: Mapping[int, Item],
    rewrite: Callable[[str], str | None],
    report: ImportReport,
) -> None:
    """Convert a planned post's body and excerpt, and write its front matter."""
    item = entry.item
    conversion = convert_post(item.content, MediaContext(attachments, item.id), rewrite)
    entry.notes += conversion.notes
    report.shortcodes_left.update(conversion.shortcodes_left)
    if conversion.shortcodes_left:
        names = ", ".join(f"[{name}]" for name in sorted(conversion.shortcodes_left))
        entry.notes.append(f"shortcodes left as text: {names}")
    category, tags, notes = _terms(item) if entry.kind == "article" else (None, [], [])
    entry.notes += notes
    date = entry.date
    modified = local_date(item.modified_gmt, item.modified, site.zone)
    if modified is not None and modified.replace(second=0) <= date:
        modified = None
    author = next(
        (a.display_name for a in export.site.authors if a.login == item.creator and a.display_name),
        item.creator,
    )
    image, image_alt = _featured_image(item, export, rewrite)
    fields = [
        ("Title", html.escape(entry.title, quote=False)),
        ("Date", f"{date:%Y-%m-%d %H:%M}"),
        ("Modified", f"{modified:%Y-%m-%d %H:%M}" if modified else ""),
        ("Slug", entry.slug),
        ("Category", category[1] if category else site.uncategorized(entry.kind)),
        ("Tags", ", ".join(name for _, _, name in tags)),
        ("Summary", convert_excerpt(item.excerpt, rewrite)),
        ("Lang", entry.lang),
        ("Author", plain_text(author)),
        ("Image", image),
        ("ImageAlt", image_alt),
        ("Status", entry.status),
        # A page has no comments section unless it says so: one that had comments keeps them.
        ("Comments", "on" if entry.kind == "page" and _shows_comments(item) else ""),
        # The id its feed readers know: an imported post does not show up as new to them.
        ("FeedId", item.guid if entry.kind == "article" and _is_uri(item.guid) else ""),
    ]
    entry.text = front_matter(fields) + conversion.markdown
    if entry.status == "published":
        scheduled = entry.date if site.scheduled(entry.status, entry.date) else None
        entry.imported = Imported(item, entry.url, category, tuple(tags), scheduled)


def _shows_comments(item: Item) -> bool:
    """Tell whether an imported item shows its comments: it has approved ones, and no password."""
    return bool(kept_comments(item)[0]) and not item.password


def _is_uri(value: str) -> bool:
    return value.startswith(("http://", "https://", "tag:", "urn:"))


def _featured_image(
    item: Item, export: Export, rewrite: Callable[[str], str | None]
) -> tuple[str, str]:
    """Return the ``Image:`` of a post whose featured image was copied, and its alt text."""
    thumbnail = item.meta("_thumbnail_id")
    attachment = export.by_id.get(int(thumbnail)) if thumbnail.isdigit() else None
    if attachment is None or not attachment.attachment_url:
        return "", ""
    image = rewrite(attachment.attachment_url) or ""
    if not image.startswith("{static}"):
        return "", ""
    return image, plain_text(attachment.meta("_wp_attachment_image_alt"))


def _state(entry: PlannedFile, force: bool) -> str:
    try:
        current = entry.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return NEW
    except (OSError, UnicodeDecodeError):
        current = None
    if current == entry.text:
        return UNCHANGED
    return REPLACED if force else EXISTS


def _comment_targets(report: ImportReport, site: _Site) -> dict[int, SitePost]:
    """Return our post or page for each imported item whose comments go to Isso."""
    return {
        entry.item.id: SitePost(
            entry.slug,
            thread_id(entry.slug, entry.lang, site.default_lang),
            entry.title,
            str(entry.path.relative_to(site.content)),
            entry.kind,
        )
        for entry in report.files
        if entry.state != EXISTS
        and (entry.kind == "article" or _shows_comments(entry.item))
        and not entry.item.password
    }


def _held_comments(report: ImportReport) -> dict[int, str]:
    """Return the imported items whose comments stay out of Isso, and why."""
    return {
        entry.item.id: "held back: the post is password-protected on WordPress"
        for entry in report.files
        if entry.item.password
    }


def _plan_comments(report: ImportReport, site: _Site, options: Options) -> None:
    if not options.comments:
        report.comments_note = "comments not imported (--no-comments)"
        return
    provider = site.settings.get("COMMENTS_PROVIDER", "isso")
    if provider != "isso":
        report.comments_note = f"comments not imported: COMMENTS_PROVIDER is {provider!r}, not Isso"
        return
    report.comment_targets = _comment_targets(report, site)
    report.isso = IssoSite.from_settings(site.settings)
    assert report.export is not None
    report.comments_held = _held_comments(report)
    _, _, report.comments = import_for_posts(
        report.isso, report.export, report.comment_targets, True, report.comments_held
    )


def write_import(report: ImportReport) -> None:
    """Write what :func:`plan_import` decided: media, files, redirect map, list, comments.

    Does nothing for a dry run. Media go first, so that no post ever links a file that is not
    there yet; every file is written atomically.
    """
    if report.dry_run:
        return
    for copy in report.media.copies.values():
        target = report.content / copy.relative
        data = copy.source.read_bytes()
        if not target.exists() or target.read_bytes() != data:
            write_atomically(target, data, durable=False)
    for entry in report.files:
        if entry.state in (NEW, REPLACED):
            write_atomically(entry.path, entry.text, durable=False)
    comment = f"imported from WordPress {report.source.name} on {datetime.now():%Y-%m-%d}"
    report.merged = merge_redirects(report.redirects_path, report.redirects, comment=comment)
    if report.missing_list is not None:
        write_atomically(
            report.missing_list, "".join(f"{url}\n" for url in report.media.downloadable)
        )
    if report.comment_targets is not None and report.export is not None:
        assert report.isso is not None
        status, output, plan = import_for_posts(
            report.isso, report.export, report.comment_targets, held=report.comments_held
        )
        report.comments, report.comments_status, report.comments_output = plan, status, output


def import_wordpress(
    settings_file: Path,
    wxr: Path,
    options: Options = Options(),
    progress: Progress | None = None,
) -> ImportReport:
    """Plan the import of ``wxr`` and, unless it is a dry run, write it. Returns the report."""
    report = plan_import(settings_file, wxr, options, progress)
    write_import(report)
    return report
