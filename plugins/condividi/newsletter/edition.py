"""The email edition of a post: HTML with inlined CSS and a plain-text twin, under 100 KB.

:func:`render_edition` turns one published article (or anything with the same attributes, see
:class:`PostLike`) into an :class:`~condividi.newsletter.providers.base.Edition`: a table-based,
fluid email no wider than 600px, every URL absolute, every image with ``alt`` and ``width``, a
hidden preheader from the summary, a "read it on the site" button, the post's share links and
an unsubscribe link. Its CSS is inlined with css-inline; its text part is made from the same
HTML. When the HTML would pass ``max_bytes`` (Gmail clips a message at 102 KB) the body is cut
at a block boundary and the button says "continue reading".

The unsubscribe link holds :data:`UNSUBSCRIBE_PLACEHOLDER`; :func:`with_unsubscribe_tag` swaps
in the merge tag of the provider that will send it. A publish build records every edition in a
manifest (``var/newsletter/editions/index.json`` by default, outside the published site) that
:func:`read_manifest` loads for the send step.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import css_inline
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from PIL import Image

from condividi.build import swap_into_place
from condividi.config import ConfigError, load_config, project_path
from condividi.html import absolutize_tree, html_formatter, html_to_text
from condividi.i18n import load_catalogue
from condividi.images.markup import email_image
from condividi.newsletter.config import PROVIDER_NAMES, newsletter_config
from condividi.newsletter.providers.base import UNSUBSCRIBE_PLACEHOLDER, Edition
from condividi.theme import localized_date, reading_minutes

if TYPE_CHECKING:  # BeautifulSoup is imported when an edition is made, not on every build
    from bs4 import Tag

# The local provider replaces this per subscriber; Mailman's adapter with the list's own link.
# Each provider's unsubscribe merge tag (reference/providers.md §11).
UNSUBSCRIBE_TAGS: Mapping[str, str] = {
    "local": UNSUBSCRIBE_PLACEHOLDER,
    "mailman": UNSUBSCRIBE_PLACEHOLDER,
    "buttondown": "{{ unsubscribe_url }}",
    "kit": "{{ unsubscribe_url }}",
    "mailchimp": "*|UNSUB|*",
    "listmonk": "{{ UnsubscribeURL }}",
    "mailerlite": "{$unsubscribe}",
    "brevo": "{{ unsubscribe }}",
}

TEMPLATE = "edition.html"
MANIFEST = "index.json"
MANIFEST_FORMAT = 1
# The card is 600px with 20px of padding on each side: the widest an image may be.
CONTENT_WIDTH = 560
# Below this, not even the frame of the email (header, button, footer) fits.
MIN_MAX_BYTES = 20_000
PREHEADER_CHARS = 150
# Invisible padding after the preheader stops clients from filling the inbox preview with
# the start of the body (the header and the title) once the summary runs out.
PREHEADER_PADDING = "\u034f\u200c\u00a0" * 40
# Elements a mail client will not play or run: replaced by a link to the post.
_EMBEDS = ("iframe", "video", "audio", "object", "embed", "canvas", "form", "svg")
_DROPPED = ("script", "style", "template", "link", "meta")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCK_TAG = re.compile(
    r"</?(?:address|blockquote|br|dd|div|dl|dt|figcaption|h[1-6]|hr|li|ol|p|pre|td|th|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")

ImageSize = Callable[[str], "tuple[int, int] | None"]


class PostLike(Protocol):
    """What :func:`render_edition` reads from a post; a Pelican ``Article`` has all of it.

    Optional: ``share_links`` (pairs of label and URL, or objects or mappings with
    ``label``/``name`` and ``url``), ``feed_id`` (the feeds capability's stable id, used as
    the edition key when present) and ``modified``.
    """

    title: str
    content: str
    summary: str | None
    url: str
    slug: str
    lang: str
    date: datetime
    tags: Sequence[Any]


@dataclass(frozen=True)
class EditionConfig:
    """The edition settings (``NEWSLETTER_EDITION_*``).

    ``path``: where a publish build records the editions and their manifest, relative to the
    project (the folder holding the content folder). ``max_bytes``: the largest email HTML.
    ``preview``: write a preview of the newest editions into development builds (publish
    builds never carry one). ``preview_path``: where, inside the output folder.
    ``preview_count``: how many of the newest posts get a preview.
    """

    path: str = "var/newsletter/editions"
    max_bytes: int = 100_000
    preview: bool = True
    preview_path: str = "newsletter/anteprima"
    preview_count: int = 10


def edition_config(settings: Mapping[str, Any]) -> EditionConfig:
    """Return the validated :class:`EditionConfig` from Pelican ``settings``.

    Raises :class:`ConfigError` naming the setting when a value cannot be used.
    """
    config = load_config(EditionConfig, settings, "NEWSLETTER_EDITION")
    if config.max_bytes < MIN_MAX_BYTES:
        raise ConfigError(
            f"setting NEWSLETTER_EDITION_MAX_BYTES = {config.max_bytes} is too small: "
            f"an edition needs at least {MIN_MAX_BYTES} bytes"
        )
    for name, value in (("PATH", config.path), ("PREVIEW_PATH", config.preview_path)):
        parts = Path(value).parts
        if not parts or ".." in parts or (name == "PREVIEW_PATH" and Path(value).is_absolute()):
            raise ConfigError(
                f"setting NEWSLETTER_EDITION_{name} = {value!r} is not valid: "
                "give a folder path without '..'"
                + (", relative to the output folder" if name == "PREVIEW_PATH" else "")
            )
    return config


def editions_folder(settings: Mapping[str, Any]) -> Path:
    """Return where a publish build records the editions (``NEWSLETTER_EDITION_PATH``).

    A relative path is taken from the project folder (:func:`~condividi.config.project_path`).
    """
    return project_path(settings, edition_config(settings).path)


@dataclass(frozen=True)
class EditionOptions:
    """Everything about the site an edition needs, besides the post itself.

    ``siteurl`` must be absolute; ``templates`` is the folder holding ``edition.html``;
    ``localedir`` the theme's ``translations`` folder. ``image_size`` returns the pixel size
    of an image URL when it can tell (see :func:`image_size_from_folder`).
    """

    siteurl: str
    sitename: str
    templates: Path
    localedir: Path
    max_bytes: int = 100_000
    utm: bool = False
    utm_campaign: str = "newsletter"
    image_size: ImageSize | None = None


def edition_options(
    settings: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    image_size: ImageSize | None = None,
) -> EditionOptions:
    """Return the :class:`EditionOptions` for Pelican ``settings`` (and the environment).

    Raises :class:`ConfigError` when ``SITEURL`` is not an absolute http(s) URL (links in an
    email must be) or the theme has no ``templates/emails/edition.html``.
    """
    siteurl = str(settings.get("SITEURL") or "").rstrip("/")
    if urlsplit(siteurl).scheme not in ("http", "https") or not urlsplit(siteurl).netloc:
        raise ConfigError(
            f"setting SITEURL = {siteurl!r} is not valid for newsletter editions: "
            "emails need an absolute http(s) address such as https://blog.example.org"
        )
    theme = Path(str(settings["THEME"]))
    templates = theme / "templates" / "emails"
    if not (templates / TEMPLATE).is_file():
        raise ConfigError(
            f"setting THEME = {str(theme)!r}: the theme has no templates/emails/{TEMPLATE} "
            "for newsletter editions"
        )
    localedir = settings.get("CONDIVIDI_LOCALEDIR") or theme / "translations"
    newsletter = newsletter_config(settings, environ)
    return EditionOptions(
        siteurl=siteurl,
        sitename=_plain(str(settings.get("SITENAME") or "")),
        templates=templates,
        localedir=Path(localedir),
        max_bytes=edition_config(settings).max_bytes,
        utm=newsletter.utm,
        utm_campaign=newsletter.utm_campaign,
        image_size=image_size,
    )


def unsubscribe_tag(provider: str) -> str:
    """Return the unsubscribe merge tag of ``provider`` (raises ValueError for an unknown one)."""
    try:
        return UNSUBSCRIBE_TAGS[provider]
    except KeyError:
        raise ValueError(
            f"provider {provider!r} is not known: choose one of {', '.join(PROVIDER_NAMES)}"
        ) from None


def with_unsubscribe_tag(edition: Edition, provider: str) -> Edition:
    """Return ``edition`` with :data:`UNSUBSCRIBE_PLACEHOLDER` replaced by ``provider``'s tag."""
    tag = unsubscribe_tag(provider)
    return dataclasses.replace(
        edition,
        html=edition.html.replace(UNSUBSCRIBE_PLACEHOLDER, tag),
        text=edition.text.replace(UNSUBSCRIBE_PLACEHOLDER, tag),
    )


# Links and images --------------------------------------------------------------------------


def post_url(post: PostLike, siteurl: str) -> str:
    """Return the absolute URL of ``post`` on the site."""
    return f"{siteurl.rstrip('/')}/{post.url.lstrip('/')}"


def edition_key(post: PostLike, siteurl: str) -> str:
    """Return the stable identity of ``post``'s edition: its feed id, else its absolute URL."""
    return str(getattr(post, "feed_id", None) or post_url(post, siteurl))


def is_site_url(url: str, siteurl: str) -> bool:
    """Tell whether ``url`` is a page of the site at ``siteurl`` (same origin, under its path)."""
    target, site = urlsplit(url), urlsplit(siteurl)
    if (target.scheme.lower(), target.netloc.lower()) != (site.scheme.lower(), site.netloc.lower()):
        return False
    prefix = site.path.rstrip("/")
    return target.path == prefix or target.path.startswith(prefix + "/")


def add_utm(url: str, siteurl: str, campaign: str) -> str:
    """Return ``url`` with ``utm_source``/``utm_medium``/``utm_campaign`` if it is on the site.

    Links elsewhere, and links that already carry UTM parameters, come back unchanged.
    """
    if not is_site_url(url, siteurl):
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name.startswith("utm_") for name, _ in query):
        return url
    query += [("utm_source", "newsletter"), ("utm_medium", "email"), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def image_size_from_folder(folder: Path, siteurl: str) -> ImageSize:
    """Return an :data:`ImageSize` that reads the site's own images from the built ``folder``.

    The function it returns maps an absolute image URL under ``siteurl`` to its file in
    ``folder`` and returns ``(width, height)`` read by Pillow, or None for other URLs and
    files Pillow cannot read (SVG, missing files).
    """
    root = folder.resolve()
    site_path = urlsplit(siteurl).path.rstrip("/")

    def size(url: str) -> tuple[int, int] | None:
        if not is_site_url(url, siteurl):
            return None
        relative = unquote(urlsplit(url).path)[len(site_path) :].lstrip("/")
        path = (root / relative).resolve()
        if not path.is_file() or not path.is_relative_to(root):
            return None
        try:
            with Image.open(path) as image:
                return image.size
        except (OSError, ValueError):
            return None

    return size


def _positive_int(value: Any) -> int | None:
    try:
        number = int(str(value).strip().removesuffix("px"))
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def _fit_image(img: Tag, image_size: ImageSize | None) -> None:
    """Give ``img`` an ``alt``, a width no wider than the column and a fluid style."""
    if img.get("alt") is None:
        img["alt"] = ""
    natural = image_size(str(img.get("src") or "")) if image_size else None
    if natural is None and _positive_int(img.get("width")):
        natural = (_positive_int(img.get("width")) or 0, _positive_int(img.get("height")) or 0)
    width = min(natural[0], CONTENT_WIDTH) if natural else CONTENT_WIDTH
    img["width"] = str(width)
    if natural and natural[1]:
        img["height"] = str(round(natural[1] * width / natural[0]))
    elif img.has_attr("height"):
        del img["height"]  # unknown proportions: let the image keep its own
    for attribute in ("loading", "decoding", "fetchpriority", "sizes"):
        if img.has_attr(attribute):
            del img[attribute]
    img["style"] = f"width:100%;max-width:{width}px;height:auto;border:0;"


def email_body_blocks(
    body_html: str,
    base_url: str,
    options: EditionOptions,
    embed_notice: str,
) -> list[tuple[str, str]]:
    """Return the article body ready for email, as a list of (tag name, HTML) top-level blocks.

    URLs become absolute against ``base_url`` (the post's URL); scripts, styles and event
    handlers go; embeds a mail client cannot show (iframes, video, forms) become a link to the
    post reading ``embed_notice``; images get ``alt``, ``width`` and a fluid style; links to
    the site get UTM tags when ``options.utm`` is on.
    """
    from bs4 import BeautifulSoup, Comment, Tag

    soup = BeautifulSoup(body_html, "html.parser")
    absolutize_tree(soup, base_url)
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()  # author's notes and markers such as <!-- more --> are not for readers
    for tag in soup.find_all("noscript"):
        tag.unwrap()  # what a page shows without scripts is what an email can show
    for tag in soup.find_all(_EMBEDS):
        if tag.find_parent(_EMBEDS) is not None:
            continue
        link = soup.new_tag("a", href=base_url)
        link.string = embed_notice
        paragraph = soup.new_tag("p")
        paragraph.append(link)
        tag.replace_with(paragraph)
    for tag in soup.find_all(True):
        for attribute in [name for name in tag.attrs if name.lower().startswith("on")]:
            del tag[attribute]
    # One copy of a responsive image, twice the column for sharp screens: no srcset in mail.
    email_image(soup, 2 * CONTENT_WIDTH)
    for img in soup.find_all("img"):
        _fit_image(img, options.image_size)
    if options.utm:
        for link in soup.find_all("a", href=True):
            link["href"] = add_utm(str(link["href"]), options.siteurl, options.utm_campaign)
    blocks: list[tuple[str, str]] = []
    for node in soup.contents:
        if isinstance(node, Tag):
            blocks.append((node.name, node.decode(formatter=html_formatter())))
        elif str(node).strip():
            blocks.append(("p", f"<p>{html.escape(str(node).strip(), quote=False)}</p>"))
    return blocks


def _first(item: Any, names: Sequence[str]) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)
        if value:
            return value
    return None


def share_pairs(value: Any) -> list[tuple[str, str]]:
    """Return ``(label, url)`` pairs from a post's ``share_links``, whatever their shape.

    Accepts pairs, mappings or objects with ``label``/``name``/``title`` and ``url``/``href``;
    keeps only links a mail client can open (http, https, mailto).
    """
    pairs: list[tuple[str, str]] = []
    for item in value or ():
        if isinstance(item, (tuple, list)) and len(item) == 2:
            label, url = item
        else:
            label = _first(item, ("label", "name", "title"))
            url = _first(item, ("url", "href"))
        if label and url and urlsplit(str(url)).scheme in ("http", "https", "mailto"):
            pairs.append((str(label), str(url)))
    return pairs


def _plain(markup: str | None) -> str:
    """Return the text of a little HTML (a title, a summary): tags gone, entities decoded."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", markup or ""))
    return _SPACES.sub(" ", html.unescape(text)).strip()


def preheader_text(summary_html: str | None, limit: int = PREHEADER_CHARS) -> str:
    """Return the inbox preview line: the summary's text, cut at a word within ``limit``."""
    text = _plain(summary_html)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"


# Rendering ---------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _environment(templates: str, localedir: str, lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(load_catalogue(localedir, lang), newstyle=True)  # type: ignore[attr-defined]
    return env


_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
# Marks the boundaries between body blocks, so one inlining pass serves every possible cut
# (the email's CSS has no sibling selectors, so a block's styles do not depend on the cut).
_CUT = "<!--condividi:cut-->"


@dataclass(frozen=True)
class EditionBuild:
    """A rendered edition and how it was made: ``truncated`` when the body had to be cut."""

    edition: Edition
    truncated: bool
    blocks_kept: int
    blocks_total: int

    @property
    def html_bytes(self) -> int:
        """The size of the edition's HTML in bytes (UTF-8), the figure Gmail clips at."""
        return len(self.edition.html.encode("utf-8"))


class EditionTooLarge(ValueError):
    """Not even the start of the post fits in ``max_bytes``."""


def build_edition(post: PostLike, options: EditionOptions) -> EditionBuild:
    """Render ``post`` as an email edition and say whether its body had to be cut.

    Returns an :class:`EditionBuild` whose edition's HTML is at most ``options.max_bytes``
    bytes; a longer post keeps as many leading blocks (paragraphs, lists, headings) as fit,
    never ending on a heading, and its button reads "continue reading". Raises
    :class:`EditionTooLarge` naming the post when not even the frame fits.
    """
    lang = str(getattr(post, "lang", None) or "it")
    env = _environment(str(options.templates), str(options.localedir), lang)
    translations = load_catalogue(str(options.localedir), lang)
    url = post_url(post, options.siteurl)
    blocks = email_body_blocks(
        post.content,
        url,
        options,
        translations.gettext("This part of the essay can be seen on the site."),
    )
    subject = _plain(post.title)
    slug = getattr(post, "slug", subject)
    preheader = preheader_text(post.summary) or preheader_text(blocks[0][1] if blocks else "")
    context = {
        "lang": lang,
        "subject": subject,
        "preheader": preheader,
        "preheader_padding": PREHEADER_PADDING,
        "sitename": options.sitename,
        "home_url": _site_link(options.siteurl + "/", options),
        "read_url": _site_link(url, options),
        "date_iso": post.date.isoformat(),
        "date_text": localized_date(post.date, lang),
        "minutes": reading_minutes(post.content),
        "share_links": share_pairs(getattr(post, "share_links", None)),
        "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
    }
    template = env.get_template(TEMPLATE)

    def inlined_parts(truncated: bool) -> list[str]:
        """Inline the email with every block once; return [frame start, *blocks, frame end]."""
        body = Markup(_CUT.join(["", *(block for _, block in blocks), ""]))
        parts = _INLINER.inline(template.render(context, body=body, truncated=truncated))
        parts = parts.split(_CUT)
        if len(parts) != len(blocks) + 2:
            raise ValueError(f"post {slug!r}: its body cannot be cut between blocks")
        return parts

    parts = inlined_parts(truncated=False)
    sizes = [len(part.encode("utf-8")) for part in parts]
    kept = len(blocks)
    if sum(sizes) > options.max_bytes:
        parts = inlined_parts(truncated=True)
        sizes = [len(part.encode("utf-8")) for part in parts]
        room = options.max_bytes - sizes[0] - sizes[-1]
        if room < 0:
            raise EditionTooLarge(
                f"post {slug!r}: not even the start of its email fits in "
                f"NEWSLETTER_EDITION_MAX_BYTES = {options.max_bytes}"
            )
        kept = 0
        while kept < len(blocks) and sizes[kept + 1] <= room:
            room -= sizes[kept + 1]
            kept += 1
        while kept > 0 and blocks[kept - 1][0] in _HEADINGS:
            kept -= 1  # a heading with nothing under it reads as a mistake
    email = parts[0] + "".join(parts[1 : kept + 1]) + parts[-1]
    body = Markup("\n".join(block for _, block in blocks[:kept]))
    source = template.render(context, body=body, truncated=kept < len(blocks))
    edition = Edition(
        key=edition_key(post, options.siteurl),
        subject=subject,
        html=email,
        text=html_to_text(source),
        url=url,
        preheader=preheader,
        lang=lang,
        published=post.date,
        tags=tuple(str(tag) for tag in getattr(post, "tags", None) or ()),
    )
    return EditionBuild(edition, kept < len(blocks), kept, len(blocks))


def render_edition(post: PostLike, options: EditionOptions) -> Edition:
    """Return the email :class:`Edition` of ``post`` (see :func:`build_edition`).

    Its unsubscribe link holds :data:`UNSUBSCRIBE_PLACEHOLDER`; pass the result through
    :func:`with_unsubscribe_tag` for a hosted provider.
    """
    return build_edition(post, options).edition


def _site_link(url: str, options: EditionOptions) -> str:
    return add_utm(url, options.siteurl, options.utm_campaign) if options.utm else url


# The manifest the send step reads ----------------------------------------------------------


class ManifestError(ValueError):
    """The editions manifest is missing or cannot be read; the message names the file."""


@dataclass(frozen=True)
class EditionRecord:
    """One published post's edition as the build recorded it.

    ``source`` is the post's file relative to the content folder; ``digest`` a SHA-256 of
    the edition's HTML (it changes when the post is edited); ``modified`` the post's
    ``Modified:`` date, if any. ``rendered`` is False for a post the send ledger has settled
    (sent, or recorded as the archive): only its key, subject and URL are kept, and its
    ``html`` and ``text`` are empty. ``newsletter`` is False for a post whose front matter
    says ``Newsletter: no``: never rendered, the send step records it as skipped.
    """

    edition: Edition
    slug: str
    source: str
    truncated: bool
    digest: str
    modified: datetime | None = None
    rendered: bool = True
    newsletter: bool = True


@dataclass(frozen=True)
class WithheldPost:
    """A post the build gave no edition, and why: ``draft``, ``future``, ``hidden`` or
    ``translation`` (a translation is sent only in its original language)."""

    title: str
    slug: str
    lang: str
    source: str
    state: str
    date: datetime | None = None


@dataclass(frozen=True)
class Manifest:
    """What a publish build recorded: the site's URL, each edition (oldest first), the rest."""

    siteurl: str
    editions: tuple[EditionRecord, ...] = ()
    withheld: tuple[WithheldPost, ...] = ()


def settled_record(post: PostLike, options: EditionOptions) -> EditionRecord:
    """Return the manifest record of a post the ledger has settled: no HTML is rendered."""
    edition = Edition(
        key=edition_key(post, options.siteurl),
        subject=_plain(str(post.title)),
        html="",
        text="",
        url=post_url(post, options.siteurl),
        lang=str(post.lang),
        published=post.date,
    )
    return EditionRecord(
        edition=edition,
        slug=post.slug,
        source=str(getattr(post, "relative_source_path", "") or ""),
        truncated=False,
        digest="",
        modified=getattr(post, "modified", None),
        rendered=False,
    )


def edition_record(post: PostLike, build: EditionBuild) -> EditionRecord:
    """Return the manifest record of ``post``'s rendered edition."""
    return EditionRecord(
        edition=build.edition,
        slug=post.slug,
        source=str(getattr(post, "relative_source_path", "") or ""),
        truncated=build.truncated,
        digest="sha256:" + hashlib.sha256(build.edition.html.encode("utf-8")).hexdigest(),
        modified=getattr(post, "modified", None),
    )


def _file_stem(edition: Edition, slug: str) -> str:
    return f"{edition.lang}/{slug}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_manifest(directory: Path, manifest: Manifest) -> None:
    """Write every edition of ``manifest`` and its ``index.json`` into ``directory``.

    The files are written into a new sibling folder that replaces ``directory`` in one
    rename, so a reader sees either the previous set or the new one, never half of each.
    """
    directory = directory.resolve()
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.writing-", dir=directory.parent))
    try:
        entries = []
        for record in manifest.editions:
            edition = record.edition
            stem = _file_stem(edition, record.slug)
            if record.rendered:
                _write_text(staging / f"{stem}.html", edition.html)
                _write_text(staging / f"{stem}.txt", edition.text)
            entries.append(
                {
                    "key": edition.key,
                    "subject": edition.subject,
                    "url": edition.url,
                    "preheader": edition.preheader,
                    "lang": edition.lang,
                    "published": _iso(edition.published),
                    "modified": _iso(record.modified),
                    "tags": list(edition.tags),
                    "slug": record.slug,
                    "source": record.source,
                    "html": f"{stem}.html" if record.rendered else None,
                    "text": f"{stem}.txt" if record.rendered else None,
                    "html_bytes": len(edition.html.encode("utf-8")),
                    "truncated": record.truncated,
                    "digest": record.digest,
                    "newsletter": record.newsletter,
                }
            )
        withheld = [
            {**dataclasses.asdict(post), "date": _iso(post.date)} for post in manifest.withheld
        ]
        index = {
            "format": MANIFEST_FORMAT,
            "siteurl": manifest.siteurl,
            "placeholder": UNSUBSCRIBE_PLACEHOLDER,
            "editions": entries,
            "withheld": withheld,
        }
        _write_text(staging / MANIFEST, json.dumps(index, ensure_ascii=False, indent=2) + "\n")
        swap_into_place(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _read_part(directory: Path, name: str | None) -> str:
    return (directory / name).read_text(encoding="utf-8") if name else ""


def _date(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def read_manifest(directory: Path, provider: str | None = None) -> Manifest:
    """Return the :class:`Manifest` a publish build wrote into ``directory``.

    With ``provider``, each edition's unsubscribe link carries that provider's merge tag.
    Raises :class:`ManifestError` naming the file when there is no manifest (build the site
    with ``make publish`` first) or it cannot be read.
    """
    index_path = directory / MANIFEST
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(
            f"{index_path}: no newsletter editions yet; build the site with `make publish` first"
        ) from None
    except (OSError, ValueError) as error:
        raise ManifestError(f"{index_path}: cannot be read: {error}") from None
    if not isinstance(index, dict) or index.get("format") != MANIFEST_FORMAT:
        raise ManifestError(f"{index_path}: not an editions manifest of format {MANIFEST_FORMAT}")
    records = []
    try:
        for entry in index["editions"]:
            edition = Edition(
                key=entry["key"],
                subject=entry["subject"],
                html=_read_part(directory, entry["html"]),
                text=_read_part(directory, entry["text"]),
                url=entry["url"],
                preheader=entry["preheader"],
                lang=entry["lang"],
                published=_date(entry["published"]),
                tags=tuple(entry["tags"]),
            )
            if provider is not None:
                edition = with_unsubscribe_tag(edition, provider)
            records.append(
                EditionRecord(
                    edition=edition,
                    slug=entry["slug"],
                    source=entry["source"],
                    truncated=entry["truncated"],
                    digest=entry["digest"],
                    modified=_date(entry["modified"]),
                    rendered=entry["html"] is not None,
                    # A manifest written before `Newsletter: no` existed has no such key.
                    newsletter=entry.get("newsletter", True) is not False,
                )
            )
        withheld = tuple(
            WithheldPost(**{**post, "date": _date(post["date"])}) for post in index["withheld"]
        )
    except (KeyError, TypeError, OSError, ValueError) as error:
        raise ManifestError(
            f"{index_path}: an entry is incomplete or unreadable: {error!r}"
        ) from None
    return Manifest(siteurl=index["siteurl"], editions=tuple(records), withheld=withheld)


_NO = {"no", "false", "off", "0"}
_YES = {"yes", "true", "on", "1"}


def wants_newsletter(post: Any) -> bool:
    """Tell whether ``post`` goes out as a newsletter: True unless its front matter says
    ``Newsletter: no`` (or false, off, 0).

    Raises ``ValueError`` naming the post's file and the value for anything but yes or no.
    """
    value = (getattr(post, "metadata", None) or {}).get("newsletter")
    if value is None or value is True:
        return True
    if value is False:
        return False
    text = str(value).strip().lower()
    if text in _NO:
        return False
    if text in _YES:
        return True
    source = getattr(post, "relative_source_path", "") or getattr(post, "source_path", "")
    raise ValueError(f"{source}: Newsletter: {value!r} is not valid: write yes or no")
