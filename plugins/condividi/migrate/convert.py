"""A WordPress post body, as WordPress would show it, turned into Markdown for Pelican.

The steps follow WordPress's own ``the_content``: Gutenberg block comments are removed (their
HTML kept; a post made of blocks is not run through ``wpautop``, as in WordPress), a classic
post gets its paragraphs from :func:`~condividi.migrate.wpautop.wpautop` and a web address
alone on a line becomes a link, then shortcodes become HTML
(:mod:`condividi.migrate.shortcodes`). The HTML is then made safe for a site with a strict
Content-Security-Policy and no third-party requests: ``<script>``, ``<style>`` and event
handler attributes are removed (and counted), ``style`` attributes dropped, ``<iframe>``,
``<object>`` and ``<embed>`` players become plain links, obsolete presentational attributes
go. Each ``src``/``href`` passes through the importer's ``rewrite`` (media copied into
``content/images``, links to other imported posts). Finally ``markdownify`` writes Markdown;
what Markdown cannot say (figures, galleries, tables with merged cells, audio and video,
text marked with ``lang`` or ``dir``) stays as raw HTML in the file, never lost.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from markdownify import MarkdownConverter

from condividi.migrate.shortcodes import HANDLED, MediaContext, expand_shortcodes
from condividi.migrate.wpautop import shortcode_unautop, wpautop

# Rewrites a URL of the post (media, links): returns the new one, or None to keep it.
Rewrite = Callable[[str], "str | None"]

_BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:[^>]*?-->\n?")
_URL_LINE = re.compile(r"^(\s*)(https?://[^\s<>\"]+)(\s*)$", re.MULTILINE)
_SPACES = re.compile(r"[ \t\r\n\f]+")
# What starts a Markdown block at the start of a line: a heading, a list item, a code fence.
_MARKDOWN_LINE_START = re.compile(r"^(\s*)(#|=|(?:-+|\+|:|[0-9]{1,9}[.)])(?=\s|$))")

REMOVED = ("script", "style", "link", "meta", "template")
PLAYERS = ("iframe", "object", "embed")
UNWRAPPED = ("font", "center", "big", "blink", "marquee", "noscript", "o:p")
RENAMED = {"strike": "s", "tt": "code", "acronym": "abbr"}
# Attributes the HTML standard calls obsolete (vnu reports each as an error).
OBSOLETE = {
    "align",
    "valign",
    "bgcolor",
    "border",
    "cellpadding",
    "cellspacing",
    "frameborder",
    "hspace",
    "vspace",
    "nowrap",
    "clear",
    "language",
    "charset",
    "summary",
    "scrolling",
    "marginwidth",
    "marginheight",
    "axis",
    "abbr",
    "scope",
}
# Resized copies that are not imported (srcset), loading hints the site decides, link targets.
DROPPED = {"srcset", "sizes", "loading", "decoding", "fetchpriority", "target"}
SIZED = ("img", "video", "canvas", "iframe", "source", "embed", "object", "input")
URL_ATTRIBUTES = ("href", "src", "poster")
BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
    "video",
}
# Kept as raw HTML at the top of the Markdown file (with everything around them).
RAW_BLOCKS = {"figure", "table", "video", "audio", "dl", "details", "svg", "math", "form"}
# Written as inline HTML around their converted text: Markdown has no syntax for them.
INLINE_HTML = ("sup", "sub", "u", "mark", "abbr", "small", "cite", "q", "ins", "s", "del", "time")


@dataclass
class Conversion:
    """The Markdown of a post and what the conversion found along the way."""

    markdown: str
    shortcodes_left: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)


def has_blocks(content: str) -> bool:
    """Tell whether a post was written in the block editor (Gutenberg)."""
    return "<!-- wp:" in content


def strip_block_comments(content: str) -> str:
    """Remove Gutenberg's ``<!-- wp:... -->`` delimiters, keeping the HTML between them."""
    return _BLOCK_COMMENT.sub("", content)


def autoembed(content: str) -> str:
    """Turn a web address alone on its line into a link, as WordPress's autoembed does.

    WordPress shows such a line as the site's player; here it is a plain link the reader
    may follow (nothing loads from the other site before that).
    """

    def link(match: re.Match[str]) -> str:
        url = html.escape(match.group(2))
        return f'{match.group(1)}<a href="{url}">{url}</a>{match.group(3)}'

    return _URL_LINE.sub(link, content)


def wordpress_html(content: str, context: MediaContext) -> tuple[str, Counter[str], list[str]]:
    """Return a post's body as WordPress shows it: paragraphs made, shortcodes expanded.

    Returns the HTML, the shortcodes left as text (by name) and problems found.
    """
    blocks = has_blocks(content)
    content = strip_block_comments(content) if blocks else content
    if not blocks:
        content = shortcode_unautop(wpautop(autoembed(content)), HANDLED)
    content, report = expand_shortcodes(content, context)
    return content, report.left, report.problems


def _count(notes: Counter[str], what: str) -> None:
    notes[what] += 1


def _player_link(tag: Tag, soup: BeautifulSoup) -> Tag | None:
    url = tag.get("src") or tag.get("data") or ""
    if not url:
        for child in tag.find_all(["embed", "param"]):
            url = child.get("src") or (child.get("value") if child.get("name") == "movie" else "")
            if url:
                break
    if not str(url).startswith(("http://", "https://", "//")):
        return None
    url = "https:" + url if url.startswith("//") else url
    paragraph = soup.new_tag("p")
    link = soup.new_tag("a", href=url)
    link.string = tag.get("title") or url
    paragraph.append(link)
    return paragraph


def _embed_wrapper_link(wrapper: Tag, soup: BeautifulSoup) -> None:
    """Replace a Gutenberg embed block's bare URL by a link (its caption stays)."""
    url = wrapper.get_text().strip()
    figure = wrapper.find_parent("figure")
    if not url.startswith(("http://", "https://")) or wrapper.find(True) is not None:
        return
    paragraph = soup.new_tag("p")
    link = soup.new_tag("a", href=url)
    link.string = url
    paragraph.append(link)
    if figure is None:
        wrapper.replace_with(paragraph)
        return
    caption = figure.find("figcaption")
    figure.insert_before(paragraph)
    if caption is not None and caption.get_text(strip=True):
        text = soup.new_tag("p")
        text.extend(list(caption.contents))
        figure.insert_before(text)
    figure.decompose()


def _fix_paragraphs(soup: BeautifulSoup) -> None:
    """Lift block elements out of ``<p>`` (WordPress leaves ``<p><figure>`` behind)."""
    for paragraph in soup.find_all("p"):
        if not any(isinstance(child, Tag) and child.name in BLOCKS for child in paragraph):
            continue
        run: Tag | None = None
        for child in list(paragraph.contents):
            if isinstance(child, Tag) and child.name in BLOCKS:
                paragraph.insert_before(child.extract())
                run = None
            elif isinstance(child, NavigableString) and not child.strip():
                child.extract()
            else:
                if run is None:
                    run = soup.new_tag("p")
                    paragraph.insert_before(run)
                run.append(child.extract())
        paragraph.decompose()


def clean_html(html_text: str, rewrite: Rewrite) -> tuple[BeautifulSoup, list[str]]:
    """Parse a post's HTML and make it safe and valid for the site; rewrite its URLs.

    Returns the cleaned tree and notes (what was removed or turned into links, counted).
    """
    soup = BeautifulSoup(html_text, "html.parser")
    removed: Counter[str] = Counter()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    for tag in soup.find_all(REMOVED):
        _count(removed, f"<{tag.name}> removed (no inline scripts or styles on the site)")
        tag.decompose()
    for wrapper in soup.select(".wp-block-embed__wrapper"):
        _embed_wrapper_link(wrapper, soup)
    for tag in soup.find_all(PLAYERS):
        if tag.decomposed:
            continue
        link = _player_link(tag, soup)
        if link is None:
            _count(removed, f"<{tag.name}> without a web address removed")
            tag.decompose()
        else:
            _count(removed, f"<{tag.name}> player turned into a link")
            tag.replace_with(link)
    for tag in soup.find_all(UNWRAPPED):
        tag.unwrap()
    for tag in soup.find_all(list(RENAMED)):
        tag.name = RENAMED[tag.name]
    for tag in soup.find_all(True):
        _clean_attributes(tag, rewrite, removed)
    for tag in soup.find_all(["div", "span"]):
        plain = set(tag.attrs) <= {"class", "id"} and "gallery" not in tag.get("class", [])
        if not tag.attrs or plain:
            tag.unwrap()
    for figure in soup.find_all("figure"):
        images = figure.find_all("img")
        in_gallery = figure.find_parent("div", class_="gallery") is not None
        if not in_gallery and figure.find("figcaption") is None and len(images) == 1:
            paragraph = soup.new_tag("p")
            paragraph.extend(list(figure.contents))
            figure.replace_with(paragraph)
    _fix_paragraphs(soup)
    notes = [f"{count} {what}" if count > 1 else what for what, count in removed.items()]
    return soup, notes


def _dropped(tag: Tag, name: str) -> bool:
    """Tell whether an attribute goes: styles, obsolete presentation, WordPress's own."""
    value = str(tag.get(name, ""))
    if name == "style" or name.startswith("data-") or name in OBSOLETE or name in DROPPED:
        return True
    if name in ("width", "height"):
        return tag.name not in SIZED or not value.isdigit()
    return (name == "class" and tag.name != "div") or (name == "type" and tag.name in ("ul", "li"))


def _clean_attributes(tag: Tag, rewrite: Rewrite, removed: Counter[str]) -> None:
    for name in list(tag.attrs):
        lowered = name.lower()
        if lowered.startswith("on"):
            _count(removed, "event handler attribute removed (on...)")
            del tag[name]
        elif lowered == "name" and tag.name == "a":
            tag["id"] = tag.get("id") or tag[name]
            del tag[name]
        elif _dropped(tag, lowered):
            del tag[name]
    for attribute in URL_ATTRIBUTES:
        value = tag.get(attribute)
        if not isinstance(value, str):
            continue
        if value.strip().lower().startswith(("javascript:", "vbscript:", "data:text/html")):
            _count(removed, "javascript: link removed")
            del tag[attribute]
            continue
        new = rewrite(value.strip())
        if new is not None:
            tag[attribute] = new
    if tag.name == "img" and tag.get("alt") is None:
        tag["alt"] = ""


def _has_attribute(tag: Tag, *names: str) -> bool:
    return any(tag.get(name) for name in names)


def _simple_table(table: Tag) -> bool:
    """Tell whether a table fits Markdown's pipe tables (a header row, one line per cell)."""
    rows = table.find_all("tr")
    if not rows or table.find("table") is not None or table.find("caption") is not None:
        return False
    if not rows[0].find("th"):
        return False
    for cell in table.find_all(["td", "th"]):
        if _has_attribute(cell, "colspan", "rowspan"):
            return False
        if cell.find(["p", "ul", "ol", "br", "pre", "blockquote", "div", "figure"]):
            return False
    width = {len(row.find_all(["td", "th"])) for row in rows}
    return len(width) == 1


def _needs_raw(node: Tag) -> bool:
    """Tell whether a top-level element must stay HTML for nothing to be lost."""
    for tag in (node, *node.find_all(True)):
        if tag.name in RAW_BLOCKS and not (tag.name == "table" and _simple_table(tag)):
            return True
        if tag.name in BLOCKS and _has_attribute(tag, "lang", "dir", "id"):
            return True
        if tag.name == "div" and tag.attrs:
            return True
    return False


class _Converter(MarkdownConverter):
    """markdownify tuned for Python-Markdown (Pelican's reader) and for losing nothing."""

    def process_tag(self, node, parent_tags=None):  # type: ignore[no-untyped-def]
        if node.name in INLINE_HTML or (
            node.name == "span" and _has_attribute(node, "lang", "dir")
        ):
            inner = super().process_tag(node, parent_tags)
            attributes = "".join(
                f' {name}="{html.escape(str(value), quote=True)}"'
                for name, value in node.attrs.items()
            )
            return f"<{node.name}{attributes}>{inner}</{node.name}>"
        return super().process_tag(node, parent_tags)

    def convert_li(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        """Write a list item with its content indented 4 spaces, as Python-Markdown needs.

        markdownify indents by the bullet's width (2 or 3 spaces): Python-Markdown then
        merges a nested list into its parent, loses a code block and shows later items as
        text. The bullet is padded to 4 columns (``-   ``, ``1.  ``) and every line follows.
        """
        text = (text or "").strip()
        if not text:
            return "\n"
        parent = el.parent
        if parent is not None and parent.name == "ol":
            start = str(parent.get("start") or "1")
            first = int(start) if start.isdigit() else 1
            bullet = f"{first + len(el.find_previous_siblings('li'))}."
        else:
            bullet = self.options["bullets"][0]
        indented = _LIST_INDENT.sub(LIST_INDENT, text)
        # An item of several blocks (a code block, paragraphs) ends with a blank line, or
        # the next item would be read as part of its last block.
        end = "\n\n" if "\n\n" in text else "\n"
        return bullet.ljust(3) + " " + indented[len(LIST_INDENT) :] + end

    def convert_pre(self, el, text, parent_tags):  # type: ignore[no-untyped-def]
        """Write a code block; in a list item an indented one (fences work only at the top)."""
        if "li" not in parent_tags or not text:
            return super().convert_pre(el, text, parent_tags)
        code = text.strip("\n")
        return "\n\n" + _LIST_INDENT.sub(LIST_INDENT, code) + "\n\n"

    def escape(self, text, parent_tags):  # type: ignore[no-untyped-def]
        """Escape text so that Python-Markdown shows it as it is (never as markup or HTML)."""
        if not text:
            return ""
        text = text.replace("\\", "\\\\").replace("&", "&amp;")
        text = text.replace("<", "&lt;").replace(">", "&gt;")
        for character in "*_`[]|{":
            text = text.replace(character, "\\" + character)
        return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + _backslash(m.group(2)), text)


def _backslash(marker: str) -> str:
    if marker in "=:":  # a setext underline, a definition: no backslash escape for these
        return f"&#{ord(marker)};"
    if marker[0].isdigit():
        return marker[:-1] + "\\" + marker[-1]
    return "\\" + marker


# Python-Markdown's indentation of what belongs to a list item (its tab length).
LIST_INDENT = "    "
_LIST_INDENT = re.compile(r"^(?=[^\n])", re.MULTILINE)

_OPTIONS = {
    "heading_style": "atx",
    "bullets": "-",
    "escape_misc": False,
    "table_infer_header": False,
    "strip_document": "strip",
    "newline_style": "spaces",
    "wrap": True,  # with no width: only collapses whitespace, as HTML shows it
    "wrap_width": None,
}


def html_to_markdown(soup: BeautifulSoup) -> str:
    """Return the Markdown of a cleaned post tree; elements Markdown cannot say stay HTML."""
    converter = _Converter(**_OPTIONS)
    chunks: list[str] = []
    for node in list(soup.contents):
        if isinstance(node, Tag) and _needs_raw(node):
            chunks.append("\n\n" + str(node).strip() + "\n\n")
        elif isinstance(node, Tag):
            chunks.append(converter.process_tag(node, parent_tags={"[document]"}))
        elif str(node).strip():
            chunks.append(converter.process_element(node, parent_tags={"[document]"}))
        else:
            chunks.append(" " if "\n" not in node else "\n")
    text = "".join(chunks)
    text = re.sub(r"[ \t]+\n(?=\n)", "\n", text)  # blank lines only; "  \n" breaks stay
    text = re.sub(r"\n{3,}", "\n\n", text)
    text = text.replace("  \n ", "  \n")
    return text.strip() + "\n"


def plain_text(text: str) -> str:
    """Return a title or name as plain text: tags dropped, entities decoded, one line."""
    if "<" in text:
        text = BeautifulSoup(text, "html.parser").get_text(" ")
    return _SPACES.sub(" ", html.unescape(text)).strip()


def convert_post(content: str, context: MediaContext, rewrite: Rewrite) -> Conversion:
    """Convert a WordPress post body into Markdown (see the module's description).

    Takes the body, the export's media (for galleries) and the URL rewriter; returns the
    :class:`Conversion`.
    """
    page_html, left, problems = wordpress_html(content, context)
    soup, notes = clean_html(page_html, rewrite)
    return Conversion(html_to_markdown(soup), left, [*problems, *notes])


def convert_excerpt(excerpt: str, rewrite: Rewrite) -> str:
    """Return a WordPress excerpt as one line of Markdown for the ``Summary:`` field."""
    if not excerpt.strip():
        return ""
    soup, _ = clean_html(wpautop(excerpt), rewrite)
    for tag in soup.find_all(True):
        if tag.name in ("figure", "table", "img", "video", "audio", "ul", "ol"):
            tag.decompose()
    markdown = html_to_markdown(soup)
    return " ".join(markdown.replace("  \n", " ").split())
