"""WordPress shortcodes in an imported post, turned into plain HTML.

``[caption]`` becomes a ``<figure>`` with its ``<figcaption>``; ``[gallery]`` the gallery's
images (from the export's attachments); ``[embed]URL[/embed]`` a plain link (privacy by
default: no third-party player loads until the reader follows the link); ``[audio]`` and
``[video]`` the ``<audio controls>``/``<video controls>`` elements with their sources and a
link for browsers that play neither. Any other shortcode is left as text and counted, for the
import report. The matching follows WordPress's own (``get_shortcode_regex``,
``shortcode_parse_atts``): ``[[caption]]`` is the escaped, literal ``[caption]``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from condividi.migrate.wxr import Item

HANDLED = ("caption", "wp_caption", "gallery", "embed", "audio", "video")
AUDIO_EXTENSIONS = ("mp3", "ogg", "oga", "m4a", "wav", "flac", "opus")
VIDEO_EXTENSIONS = ("mp4", "m4v", "webm", "ogv", "mov")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "gif", "webp", "avif", "svg")
_MEDIA_TYPES = {
    "mp3": "audio/mpeg",
    "ogg": "audio/ogg",
    "oga": "audio/ogg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "flac": "audio/flac",
    "opus": "audio/ogg",
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "webm": "video/webm",
    "ogv": "video/ogg",
    "mov": "video/quicktime",
}

_ATTRIBUTES = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"""
    r"""|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"""
)
# What looks like a shortcode of any name: [name], [name attr=...], [name /], [/name].
_ANY = re.compile(r"\[(\[?)(/?)([A-Za-z][\w-]*)(?![\w-])([^\[\]]*?)(/?)\](\]?)")
_CLOSING = re.compile(r"\[/([A-Za-z][\w-]*)\]")
_CAPTION_PARTS = re.compile(r"((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)", re.IGNORECASE | re.S)


def shortcode_pattern(names: tuple[str, ...]) -> re.Pattern[str]:
    """Return WordPress's shortcode regex for ``names`` (groups as in ``get_shortcode_regex``).

    Groups: 1 ``[`` of an escaped shortcode, 2 the name, 3 the attributes, 4 ``/`` of a
    self-closing one, 5 the enclosed content, 6 the ``]`` of an escaped shortcode.
    """
    tags = "|".join(re.escape(name) for name in names)
    return re.compile(
        r"\[(\[?)(" + tags + r")(?![\w-])([^\]/]*(?:/(?!\])[^\]/]*)*?)"
        r"(?:(/)\]|\](?:([^\[]*+(?:\[(?!/\2\])[^\[]*+)*+)\[/\2\])?)(\]?)"
    )


_HANDLED_PATTERN = shortcode_pattern(HANDLED)


def parse_attributes(text: str) -> dict[str, str]:
    """Return a shortcode's attributes: ``ids="1,2" size=large`` → ``{"ids": "1,2", ...}``.

    Names are lower case; values without a name get their position (``"0"``, ``"1"``...).
    Entities WordPress left in values (``&quot;``, ``&#8221;``) are decoded first.
    """
    text = re.sub(r"[\u00a0\u200b]+", " ", html.unescape(text))
    attributes: dict[str, str] = {}
    position = 0
    for match in _ATTRIBUTES.finditer(text):
        groups = match.groups()
        for name_index in (0, 2, 4):
            if groups[name_index]:
                attributes[groups[name_index].lower()] = groups[name_index + 1]
                break
        else:
            value = next(value for value in groups[6:] if value is not None)
            attributes[str(position)] = value
            position += 1
    return attributes


@dataclass
class ShortcodeReport:
    """What :func:`expand_shortcodes` did: shortcodes left as text (by name) and problems."""

    left: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MediaContext:
    """What shortcodes need from the export: the attachments by id and the post's own."""

    attachments: Mapping[int, Item]
    post_id: int = 0

    def children(self) -> list[Item]:
        """Return the attachments uploaded to this post, in WordPress's gallery order."""
        found = [item for item in self.attachments.values() if item.parent == self.post_id]
        return sorted(found, key=lambda item: (item.menu_order, item.id))


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def _extension(url: str) -> str:
    path = urlsplit(url).path
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


def _link(url: str, text: str = "") -> str:
    return f'<a href="{_escape(url)}">{_escape(text or url)}</a>'


def caption(attributes: Mapping[str, str], content: str) -> str:
    """Return ``[caption]``'s figure: the image (and its link), then the caption text."""
    match = _CAPTION_PARTS.match(content.strip())
    image, text = (match.group(1), match.group(2).strip()) if match else (content.strip(), "")
    if attributes.get("caption"):  # the older form: [caption caption="..."]<img>[/caption]
        text = _escape(attributes["caption"])
    figcaption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure>{image}{figcaption}</figure>"


def _image_alt(item: Item) -> str:
    return item.meta("_wp_attachment_image_alt") or ""


def gallery(attributes: Mapping[str, str], context: MediaContext, report: ShortcodeReport) -> str:
    """Return ``[gallery]``'s images, each a figure (with its caption) linking the full size.

    ``ids`` (or ``include``) lists the attachments in order; without it, the post's own
    attachments. Ids missing from the export are reported.
    """
    listed = attributes.get("ids") or attributes.get("include") or ""
    if listed:
        items = []
        for value in re.split(r"[,\s]+", listed.strip()):
            if not value.isdigit():
                continue
            item = context.attachments.get(int(value))
            if item is None:
                report.problems.append(f"[gallery] image {value} is not in the export")
            else:
                items.append(item)
    else:
        items = context.children()
    figures = []
    for item in items:
        url = item.attachment_url or item.link
        if _extension(url) not in IMAGE_EXTENSIONS:
            continue
        image = f'<img src="{_escape(url)}" alt="{_escape(_image_alt(item))}">'
        text = " ".join(item.excerpt.split())
        figcaption = f"<figcaption>{_escape(text)}</figcaption>" if text else ""
        figures.append(f'<figure><a href="{_escape(url)}">{image}</a>{figcaption}</figure>')
    if not figures:
        report.problems.append("[gallery] with no image found in the export")
        return ""
    return '<div class="gallery">' + "".join(figures) + "</div>"


def _sources(attributes: Mapping[str, str], extensions: tuple[str, ...]) -> list[str]:
    urls = [attributes["src"]] if attributes.get("src") else []
    urls += [attributes[name] for name in extensions if attributes.get(name)]
    return list(dict.fromkeys(url.strip() for url in urls if url.strip()))


def media(kind: str, attributes: Mapping[str, str], content: str, report: ShortcodeReport) -> str:
    """Return ``[audio]``/``[video]`` as ``<audio controls>``/``<video controls>``.

    Each source becomes a ``<source>``; a fallback link follows for browsers that play none.
    Nothing autoplays and nothing loads before the reader presses play (``preload="none"``).
    A video on a hosting service (no media file: YouTube, Vimeo) becomes a plain link.
    """
    extensions = AUDIO_EXTENSIONS if kind == "audio" else VIDEO_EXTENSIONS
    urls = _sources(attributes, extensions)
    if not urls and content.strip().startswith("http"):
        urls = [content.strip()]
    if not urls:
        report.problems.append(f"[{kind}] without a source: left out")
        return ""
    files = [url for url in urls if _extension(url) in extensions]
    if not files:
        return f"<p>{_link(urls[0])}</p>"
    sources = "".join(
        f'<source src="{_escape(url)}" type="{_MEDIA_TYPES[_extension(url)]}">' for url in files
    )
    extra = ""
    if kind == "video":
        for name in ("width", "height"):
            if attributes.get(name, "").isdigit():
                extra += f' {name}="{attributes[name]}"'
        if attributes.get("poster"):
            extra += f' poster="{_escape(attributes["poster"])}"'
    loop = " loop" if attributes.get("loop") in ("on", "1", "true") else ""
    return f'<{kind} controls preload="none"{extra}{loop}>{sources}{_link(files[0])}</{kind}>'


def embed(content: str, report: ShortcodeReport) -> str:
    """Return ``[embed]URL[/embed]`` as a paragraph holding a plain link to ``URL``."""
    url = content.strip()
    if not url.startswith(("http://", "https://")):
        report.problems.append(f"[embed] without a web address: {url[:60]!r} kept as text")
        return _escape(url)
    return f"<p>{_link(url)}</p>"


def expand_shortcodes(text: str, context: MediaContext) -> tuple[str, ShortcodeReport]:
    """Replace the shortcodes Condividi knows in ``text`` (HTML) by plain HTML.

    Returns the new HTML and a :class:`ShortcodeReport` naming the shortcodes left as text.
    """
    report = ShortcodeReport()

    def replace(match: re.Match[str]) -> str:
        if match.group(1) == "[" and match.group(6) == "]":
            return match.group(0)[1:-1]  # [[caption]]: the literal text [caption]
        name, attributes = match.group(2), parse_attributes(match.group(3))
        content = match.group(5) or ""
        if name in ("caption", "wp_caption"):
            return caption(attributes, content)
        if name == "gallery":
            return gallery(attributes, context, report)
        if name == "embed":
            return embed(content, report)
        return media(name, attributes, content, report)

    closed = set(_CLOSING.findall(text))
    for match in _ANY.finditer(text):
        escaped = match.group(1) == "[" and match.group(6) == "]"
        closing, name, attributes, self_closing = match.group(2, 3, 4, 5)
        if escaped or closing or name in HANDLED:
            continue
        # "[sic]" or "[1]" is prose; a shortcode has attributes, a closing tag or a slash.
        if attributes.strip() or self_closing or name in closed:
            report.left[name] += 1
    text = _HANDLED_PATTERN.sub(replace, text)
    return text, report
