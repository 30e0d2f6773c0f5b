"""Small, pure HTML helpers shared by the capabilities that send HTML off the site.

Feeds and emails are read away from the page they came from, so every link and image in them
must be absolute; an email also needs a plain-text twin. Both work on HTML fragments with
BeautifulSoup and leave everything else as it was.
"""

from __future__ import annotations

import re
import textwrap
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urljoin

# BeautifulSoup is imported where a parse happens: it takes longer to import than most builds
# spend on the HTML that needs it (a post whose links are all absolute needs no parse).
if TYPE_CHECKING:
    from bs4 import Tag
    from bs4.formatter import HTMLFormatter

# Attributes that hold one URL, on whichever element carries them.
URL_ATTRIBUTES = ("href", "src", "poster", "cite", "action", "background")
# Attributes that hold a comma-separated list of "URL descriptor" candidates.
SRCSET_ATTRIBUTES = ("srcset",)
# Left alone: they are not places on the web, or they are already complete.
_NOT_RELATIVE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|\{\{|\*\||\{\$)")


def absolute_url(url: str, base_url: str) -> str:
    """Return ``url`` resolved against ``base_url``, like a browser would.

    Absolute URLs, other schemes (``mailto:``, ``tel:``, ``data:``) and mail merge tags
    (``{{ ... }}``, ``*|...|*``, ``{$...}``) come back unchanged.
    """
    url = url.strip()
    if _NOT_RELATIVE.match(url):
        return url
    return urljoin(base_url, url)  # an empty reference is the page itself, as in a browser


def absolute_srcset(value: str, base_url: str) -> str:
    """Return a ``srcset`` value with each candidate's URL resolved against ``base_url``.

    Follows the HTML parsing rules: a candidate is a URL (a run without spaces; trailing
    commas end it) and optional descriptors up to the next comma.
    """
    candidates: list[str] = []
    position, size = 0, len(value)
    while position < size:
        while position < size and (value[position].isspace() or value[position] == ","):
            position += 1
        if position >= size:
            break
        start = position
        while position < size and not value[position].isspace():
            position += 1
        url, descriptor = value[start:position], ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = value.find(",", position)
            end = size if end == -1 else end
            descriptor = value[position:end].strip()
            position = end + 1
        candidate = absolute_url(url, base_url)
        candidates.append(f"{candidate} {descriptor}" if descriptor else candidate)
    return ", ".join(candidates)


@cache
def html_formatter() -> HTMLFormatter:
    """Return the BeautifulSoup formatter for HTML5 output (``<br>``) escaping only ``<>&``.

    bs4's own "html5" formatter turns every non-ASCII character into a named entity, slowly,
    and neither feed readers nor mail clients need any.
    """
    from bs4.dammit import EntitySubstitution
    from bs4.formatter import HTMLFormatter

    return HTMLFormatter(
        entity_substitution=EntitySubstitution.substitute_xml, void_element_close_prefix=None
    )


def absolutize_tree(tree: Tag, base_url: str) -> bool:
    """Make every relative URL in the parsed ``tree`` absolute against ``base_url``, in place.

    Rewrites ``href``, ``src``, ``srcset``, ``poster``, ``cite``, ``action`` and
    ``background`` on every element (see :func:`absolute_url` for what is left alone).
    Returns whether anything changed.
    """
    changed = False
    for tag in tree.find_all(True):
        for name in URL_ATTRIBUTES:
            value = tag.get(name)
            if isinstance(value, str) and (resolved := absolute_url(value, base_url)) != value:
                tag[name], changed = resolved, True
        for name in SRCSET_ATTRIBUTES:
            value = tag.get(name)
            if isinstance(value, str) and (resolved := absolute_srcset(value, base_url)) != value:
                tag[name], changed = resolved, True
    return changed


# Finds an attribute whose value may need rewriting: any ``srcset``, or a URL attribute whose
# value does not start as :func:`absolute_url` leaves alone (no spaces allowed before it, since
# those are stripped). Possessive quantifiers: backing off the quote must not make a match.
# A miss here means the parse would change nothing.
_MAYBE_RELATIVE = re.compile(
    r"\b(?:(?:" + "|".join(URL_ATTRIBUTES) + r")\s*=\s*+[\"']?+"
    r"(?![a-zA-Z][a-zA-Z0-9+.-]*:|\{\{|\*\||\{\$)"
    r"|(?:" + "|".join(SRCSET_ATTRIBUTES) + r")\s*=)",
    re.IGNORECASE,
)


def absolutize_html(html: str, base_url: str) -> str:
    """Return the HTML fragment ``html`` with every relative URL made absolute.

    Takes a fragment (an article body) and the absolute URL of the page it belongs to, which
    relative references resolve against (see :func:`absolutize_tree`). Returns the rewritten
    fragment; HTML with nothing to change comes back untouched, without a parse.
    """
    if not html or not _MAYBE_RELATIVE.search(html):
        return html
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    if not absolutize_tree(soup, base_url):
        return html
    return soup.decode(formatter=html_formatter())


# Plain text ---------------------------------------------------------------------------------

WIDTH = 78  # RFC 5322 §2.1.1: lines SHOULD be no longer than 78 characters
_BLOCKS = {
    "address",
    "article",
    "aside",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "header",
    "main",
    "nav",
    "p",
    "section",
    "summary",
}
_HEADINGS = {"h1": "=", "h2": "-", "h3": "", "h4": "", "h5": "", "h6": ""}
_SKIPPED = {"head", "script", "style", "template", "noscript", "title"}
_SPACES = re.compile(r"\s+")


class _TextWriter:
    """Walks an HTML tree and writes readable plain text: one block per paragraph."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.blocks: list[str] = []
        self.line: list[str] = []

    def flush(self, indent: str = "", first: str | None = None) -> None:
        """Close the inline text gathered so far into a wrapped block."""
        text = _SPACES.sub(" ", "".join(self.line)).strip()
        self.line = []
        if not text:
            return
        first = indent if first is None else first
        self.blocks.append(
            textwrap.fill(
                text,
                width=self.width,
                initial_indent=first,
                subsequent_indent=indent,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )

    def walk(self, node: Tag) -> None:
        from bs4.element import NavigableString, PreformattedString, Tag

        for child in node.children:
            if isinstance(child, PreformattedString):  # comments, doctype, CDATA
                continue
            if isinstance(child, NavigableString):
                self.line.append(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name in _SKIPPED or tag.get("aria-hidden") == "true":
            return
        if name == "br":
            self.line.append("\n")
            self.flush()
        elif name == "a":
            self.link(tag)
        elif name == "img":
            alt = (tag.get("alt") or "").strip()
            if alt:
                self.line.append(f"[{alt}]")
        elif name in _HEADINGS:
            self.flush()
            self.walk(tag)
            text = _SPACES.sub(" ", "".join(self.line)).strip()
            self.line = []
            if text:
                underline = _HEADINGS[name]
                self.blocks.append(text + ("\n" + underline * len(text) if underline else ""))
        elif name in ("ul", "ol"):
            self.flush()
            self.listing(tag, ordered=name == "ol")
        elif name == "blockquote":
            self.flush()
            inner = _TextWriter(self.width - 2)
            inner.walk(tag)
            inner.flush()
            if inner.blocks:
                quoted = "\n\n".join(inner.blocks).splitlines()
                self.blocks.append("\n".join(f"> {line}".rstrip() for line in quoted))
        elif name == "pre":
            self.flush()
            self.blocks.append(tag.get_text().strip("\n"))
        elif name == "hr":
            self.flush()
            self.blocks.append("-" * 20)
        elif name == "table":
            self.flush()
            self.table(tag)
        elif name in _BLOCKS:
            self.flush()
            self.walk(tag)
            self.flush()
        else:
            self.walk(tag)

    def link(self, tag: Tag) -> None:
        href = str(tag.get("href") or "").strip()
        inner = _TextWriter(self.width)
        inner.walk(tag)
        text = _SPACES.sub(" ", "".join(inner.line)).strip()
        if not href or href.startswith("#") or href == text:
            self.line.append(text or href)
        else:
            self.line.append(f"{text} <{href}>" if text else f"<{href}>")

    def listing(self, tag: Tag, ordered: bool) -> None:
        try:
            number = int(str(tag.get("start") or 1))
        except ValueError:
            number = 1
        items = []
        for item in tag.find_all("li", recursive=False):
            marker = f"{number}. " if ordered else "- "
            inner = _TextWriter(self.width - len(marker))
            inner.walk(item)
            inner.flush()
            lines = "\n\n".join(inner.blocks).splitlines() or [""]
            text = [marker + lines[0]] + [(" " * len(marker) + line).rstrip() for line in lines[1:]]
            items.append("\n".join(text))
            number += 1
        if items:
            self.blocks.append("\n".join(items))

    def table(self, tag: Tag) -> None:
        if tag.get("role") == "presentation":  # a layout table: its cells are just blocks
            for cell in tag.find_all(("td", "th")):
                if cell.find_parent("table") is tag:
                    self.walk(cell)
                    self.flush()
            return
        for row in tag.find_all("tr"):
            cells = []
            for cell in row.find_all(("td", "th"), recursive=False):
                inner = _TextWriter(10_000)
                inner.walk(cell)
                inner.flush()
                cells.append(" ".join(inner.blocks))
            self.line.append(" | ".join(cells))
            self.flush()


def html_to_text(html: str, width: int = WIDTH) -> str:
    """Return readable plain text for ``html`` (a fragment or a whole document).

    Paragraphs become blocks separated by a blank line and wrapped at ``width`` columns (URLs
    are never broken); links become ``text <url>``; images their ``[alt]``; lists ``-`` or
    ``1.`` items; quotes ``>`` lines; ``h1``/``h2`` are underlined. Elements marked
    ``aria-hidden="true"`` (an email's hidden preheader) and layout tables'
    (``role="presentation"``) structure are left out.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    writer = _TextWriter(width)
    writer.walk(soup)
    writer.flush()
    return "\n\n".join(writer.blocks) + "\n"
