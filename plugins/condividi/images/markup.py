"""Rewriting an article's ``<img>`` elements into responsive ``<picture>`` elements.

Pure string work: :func:`rewrite_images` takes the HTML of a post and a resolver that says,
for an image address, which copies exist (:class:`Responsive`), and returns the HTML with
each such image as a ``<picture>`` (a WebP ``<source>`` and the original format's ``<img>``,
both with ``srcset`` and ``sizes``), with ``width`` and ``height``, and lazy loading after the
first screen. :func:`email_image` does the opposite for an email: one copy, no ``srcset``.

The tags are found with a regular expression rather than a parse: a post's HTML comes from
Markdown, whose tags are regular, and a BeautifulSoup parse of every post with an image would
cost seconds on a 1,000-post site (see docs/benchmarks.md).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bs4 import Tag


@dataclass(frozen=True)
class Candidate:
    """One copy of an image a browser may choose: its URL and pixel size."""

    url: str
    width: int
    height: int


@dataclass(frozen=True)
class Responsive:
    """The copies of one image: ``fallback`` in its own format (MIME type ``fallback_type``),
    ``webp`` (empty when the image is WebP already or WebP is off), each by ascending width."""

    fallback: tuple[Candidate, ...]
    fallback_type: str
    webp: tuple[Candidate, ...] = ()


Resolver = Callable[[str], "Responsive | None"]

# A comment, the start or end of a <picture>, or an <img> tag (quoted values may hold ">").
_TOKENS = re.compile(
    r"<!--.*?-->"
    r"|<(?P<close>/)?picture\b[^>]*>"
    r"|<img\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(
    r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""", re.DOTALL
)
# Attributes this rewrite sets: an author's own value for them is replaced.
_SET_HERE = {"src", "srcset", "sizes", "loading", "decoding"}


def parse_attributes(text: str) -> dict[str, str | None]:
    """Return the attributes of a tag's inside (``' src="a.jpg" alt=""'``), by lower-case
    name, values unescaped; an attribute without a value maps to None. The first of a
    repeated name wins, as in a browser."""
    attributes: dict[str, str | None] = {}
    for match in _ATTRIBUTE.finditer(text):
        name = match.group(1).lower()
        if name in attributes:
            continue
        raw = next((group for group in match.groups()[1:] if group is not None), None)
        attributes[name] = None if raw is None else html.unescape(raw)
    return attributes


def format_attributes(attributes: Mapping[str, str | None]) -> str:
    """Return ``attributes`` written as HTML (`` name="value"``, escaped), in their order."""
    return "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"'
        for name, value in attributes.items()
    )


def srcset(candidates: tuple[Candidate, ...]) -> str:
    """Return the ``srcset`` value of ``candidates`` (``url 480w, url 800w``)."""
    return ", ".join(f"{candidate.url} {candidate.width}w" for candidate in candidates)


def _dimension(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


def picture(
    attributes: Mapping[str, str | None], image: Responsive, sizes: str, eager: bool
) -> str:
    """Return the ``<picture>`` for an ``<img>`` with ``attributes`` and the copies ``image``.

    The author's other attributes (``alt``, ``title``, ``class``) stay on the ``<img>``; its
    ``src`` is the largest fallback copy (what feed readers without ``srcset`` show). ``width``
    and ``height`` are the author's when given (the missing one from the proportions), else the
    largest copy's. An ``eager`` image loads at once; the others get ``loading="lazy"`` and
    ``decoding="async"``.
    """
    largest = image.fallback[-1]
    width, height = _dimension(attributes.get("width")), _dimension(attributes.get("height"))
    if width and not height:
        height = max(1, round(largest.height * width / largest.width))
    elif height and not width:
        width = max(1, round(largest.width * height / largest.height))
    elif not width or not height:
        width, height = largest.width, largest.height
    kept = {
        name: value
        for name, value in attributes.items()
        if name not in _SET_HERE and name not in ("width", "height")
    }
    if "alt" not in kept:
        kept = {"alt": "", **kept}  # an image nobody described is decoration
    img: dict[str, str | None] = {
        "src": largest.url,
        "srcset": srcset(image.fallback),
        "sizes": sizes,
        **kept,
        "width": str(width),
        "height": str(height),
    }
    if not eager:
        img["loading"] = "lazy"
        img["decoding"] = "async"
    source = ""
    if image.webp:
        source = (
            f'<source type="image/webp" srcset="{html.escape(srcset(image.webp))}" '
            f'sizes="{html.escape(sizes)}">'
        )
    return f"<picture>{source}<img{format_attributes(img)}></picture>"


def rewrite_images(html_text: str, resolve: Resolver, sizes: str, eager: int = 1) -> str:
    """Return ``html_text`` with each image ``resolve`` knows turned into a ``<picture>``.

    Takes a post's HTML, a resolver from an image's ``src`` (as written, unescaped) to its
    :class:`Responsive` copies or None (an image from elsewhere, a GIF or SVG: left as it is),
    the ``sizes`` attribute, and how many of the first images load at once (``eager``; every
    image counts, rewritten or not). Images already inside a ``<picture>`` or with their own
    ``srcset``, and images in comments, are left alone.
    """
    if "<img" not in html_text and "<IMG" not in html_text:
        return html_text
    pieces: list[str] = []
    position = 0
    depth = 0
    seen = 0
    for match in _TOKENS.finditer(html_text):
        token = match.group(0)
        if token.startswith("<!--"):
            continue
        attributes_text = match.group("attributes")
        if attributes_text is None:  # <picture> or </picture>
            depth = max(0, depth - 1) if match.group("close") else depth + 1
            continue
        seen += 1
        if depth:
            continue
        attributes = parse_attributes(attributes_text.rstrip("/"))
        src = attributes.get("src")
        if not src or "srcset" in attributes:
            continue
        image = resolve(src)
        if image is None or not image.fallback:
            continue
        pieces.append(html_text[position : match.start()])
        pieces.append(picture(attributes, image, sizes, eager=seen <= eager))
        position = match.end()
    if not pieces:
        return html_text
    pieces.append(html_text[position:])
    return "".join(pieces)


# Email ---------------------------------------------------------------------------------------


def parse_srcset(value: str) -> list[tuple[str, int]]:
    """Return the ``(url, width)`` candidates of a ``srcset`` with ``w`` descriptors.

    Candidates without a width descriptor (``1x``, ``2x`` or none) are left out.
    """
    candidates = []
    for part in value.split(","):
        words = part.split()
        if len(words) == 2 and words[1].endswith("w") and words[1][:-1].isdigit():
            candidates.append((words[0], int(words[1][:-1])))
    return candidates


def pick_width(candidates: list[tuple[str, int]], wanted: int) -> tuple[str, int] | None:
    """Return the narrowest of ``candidates`` at least ``wanted`` pixels wide, else the widest;
    None when there is none."""
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda item: item[1])
    return next((item for item in ordered if item[1] >= wanted), ordered[-1])


def email_image(tree: Tag, wanted: int) -> None:
    """Turn every ``<picture>`` and width-described ``srcset`` in the parsed ``tree`` into one
    plain ``<img>``, in place: mail clients cannot choose among copies by width.

    The ``<img>`` shows the copy of its own ``srcset`` nearest above ``wanted`` pixels (the
    widest when none is that wide), in its original format (WebP is not shown by every mail
    client); ``width`` and ``height`` keep the proportions; ``sizes`` and ``srcset`` go.
    """
    for element in tree.find_all("picture"):
        img = element.find("img")
        if img is None:
            element.decompose()
            continue
        element.replace_with(img.extract())
    for img in tree.find_all("img", srcset=True):
        chosen = pick_width(parse_srcset(str(img["srcset"])), wanted)
        if chosen is None:
            continue  # density descriptors (2x): clients that know them pick, the rest show src
        width, height = _dimension(img.get("width")), _dimension(img.get("height"))
        img["src"] = chosen[0]
        if width and height:
            img["height"] = str(round(height * chosen[1] / width))
        img["width"] = str(chosen[1])
        del img["srcset"]
        if img.has_attr("sizes"):
            del img["sizes"]
