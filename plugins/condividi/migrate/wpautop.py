"""WordPress's ``wpautop``: paragraphs from blank lines, as WordPress shows a classic post.

WordPress stores a post written in the classic editor without ``<p>`` tags and adds them when
it shows the post (``wpautop`` in ``wp-includes/formatting.php``): a blank line separates
paragraphs, a single newline inside a paragraph becomes ``<br />``, block elements
(``<div>``, ``<ul>``, ``<table>``, ``<blockquote>``...) are never wrapped in ``<p>``, and
``<pre>``, ``<script>``, ``<style>``, ``<svg>`` keep their newlines. This module follows the
same steps, in the same order, so an imported post reads as it did on the old blog.
:func:`shortcode_unautop` is WordPress's companion that keeps a shortcode standing alone on
its line out of a paragraph. No maintained Python port exists on PyPI.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)

# An HTML element, comment or CDATA section (WordPress's get_html_split_regex).
_HTML_SPLIT = re.compile(
    r"(<(?:(?=!--|!\[CDATA\[)(?:!--(?:-(?!->)[^\-]*+)*+(?:-->)?"
    r"|!\[CDATA\[[^\]]*+(?:](?!]>)[^\]]*+)*+(?:]]>)?)|[^>]*>?))"
)
_DOUBLE_BR = re.compile(r"<br\s*/?>\s*<br\s*/?>")
_BLOCK_OPEN = re.compile(rf"(<{ALL_BLOCKS}[\s/>])")
_BLOCK_CLOSE = re.compile(rf"(</{ALL_BLOCKS}>)")
_HR = re.compile(r"(<hr\s*?/?>)")
_PARAGRAPH_SPLIT = re.compile(r"\n\s*\n")
_EMPTY_P = re.compile(r"<p>\s*</p>")
_UNCLOSED_P = re.compile(r"<p>([^<]+)</(div|address|form)>")
_WRAPPED_BLOCK = re.compile(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)\s*</p>")
_WRAPPED_LI = re.compile(r"<p>(<li.+?)</p>")
_P_BLOCKQUOTE = re.compile(r"<p><blockquote([^>]*)>", re.IGNORECASE)
_P_BEFORE_BLOCK = re.compile(rf"<p>\s*(</?{ALL_BLOCKS}[^>]*>)")
_BLOCK_BEFORE_P_END = re.compile(rf"(</?{ALL_BLOCKS}[^>]*>)\s*</p>")
_PRESERVED = re.compile(r"<(script|style|svg|math).*?</\1>", re.DOTALL)
_NEWLINE_TO_BR = re.compile(r"(?<!<br />)\s*\n")
_BR_AFTER_BLOCK = re.compile(rf"(</?{ALL_BLOCKS}[^>]*>)\s*<br />")
_BR_BEFORE_BLOCK = re.compile(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)")
_NEWLINE_PLACEHOLDER = " <!-- wpnl --> "
_PRESERVE = "<WPPreserveNewline />"


def _replace_in_tags(text: str, needle: str, replacement: str) -> str:
    """Replace ``needle`` inside HTML tags and comments only, never in the text between them."""
    parts = _HTML_SPLIT.split(text)
    for index in range(1, len(parts), 2):
        parts[index] = parts[index].replace(needle, replacement)
    return "".join(parts)


def _hide_pre(text: str) -> tuple[str, dict[str, str]]:
    """Replace each ``<pre>...</pre>`` by a placeholder, as WordPress does."""
    if "<pre" not in text:
        return text, {}
    *pieces, last = text.split("</pre>")
    hidden: dict[str, str] = {}
    rebuilt = []
    for number, piece in enumerate(pieces):
        start = piece.find("<pre")
        if start == -1:  # malformed HTML: a </pre> without its <pre
            rebuilt.append(piece)
            continue
        name = f"<pre wp-pre-tag-{number}></pre>"
        hidden[name] = piece[start:] + "</pre>"
        rebuilt.append(piece[:start] + name)
    rebuilt.append(last)
    return "".join(rebuilt), hidden


def wpautop(text: str, br: bool = True) -> str:
    """Return ``text`` with paragraphs and line breaks as WordPress's ``wpautop`` makes them.

    Takes a classic-editor post body (HTML without ``<p>``) and whether single newlines become
    ``<br />``; returns the HTML. Blank or empty text gives ``""``.
    """
    if not text.strip():
        return ""
    text, pre_tags = _hide_pre(text + "\n")
    text = _DOUBLE_BR.sub("\n\n", text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = _HR.sub(r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _replace_in_tags(text, "\n", _NEWLINE_PLACEHOLDER)
    if "<option" in text:
        text = re.sub(r"\s*<option", "<option", text)
        text = re.sub(r"</option>\s*", "</option>", text)
    if "</object>" in text:
        text = re.sub(r"(<object[^>]*>)\s*", r"\1", text)
        text = re.sub(r"\s*</object>", "</object>", text)
        text = re.sub(r"\s*(</?(?:param|embed)[^>]*>)\s*", r"\1", text)
    if "<source" in text or "<track" in text:
        text = re.sub(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*", r"\1", text)
        text = re.sub(r"\s*([<\[]/(?:audio|video)[>\]])", r"\1", text)
        text = re.sub(r"\s*(<(?:source|track)[^>]*>)\s*", r"\1", text)
    if "<figcaption" in text:
        text = re.sub(r"\s*(<figcaption[^>]*>)", r"\1", text)
        text = re.sub(r"</figcaption>\s*", "</figcaption>", text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [part for part in _PARAGRAPH_SPLIT.split(text) if part]
    text = "".join(f"<p>{paragraph.strip(chr(10))}</p>\n" for paragraph in paragraphs)
    text = _EMPTY_P.sub("", text)
    text = _UNCLOSED_P.sub(r"<p>\1</p></\2>", text)
    text = _WRAPPED_BLOCK.sub(r"\1", text)
    text = _WRAPPED_LI.sub(r"\1", text)
    text = _P_BLOCKQUOTE.sub(r"<blockquote\1><p>", text)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = _P_BEFORE_BLOCK.sub(r"\1", text)
    text = _BLOCK_BEFORE_P_END.sub(r"\1", text)
    if br:
        text = _PRESERVED.sub(lambda match: match.group(0).replace("\n", _PRESERVE), text)
        text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
        text = _NEWLINE_TO_BR.sub("<br />\n", text)
        text = text.replace(_PRESERVE, "\n")
    text = _BR_AFTER_BLOCK.sub(r"\1", text)
    text = _BR_BEFORE_BLOCK.sub(r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for name, original in pre_tags.items():
        text = text.replace(name, original)
    if "<!-- wpnl -->" in text:
        text = text.replace(_NEWLINE_PLACEHOLDER, "\n").replace("<!-- wpnl -->", "\n")
    return text


def shortcode_unautop(text: str, names: Iterable[str]) -> str:
    """Unwrap a shortcode standing alone in a paragraph: ``<p>[gallery]</p>`` → ``[gallery]``.

    Takes ``wpautop``'s output and the shortcode names to look for; returns the HTML.
    """
    names = [re.escape(name) for name in names]
    if not names:
        return text
    pattern = re.compile(
        r"<p>\s*+(\[(" + "|".join(names) + r")(?![\w-])[^\]/]*(?:/(?!\])[^\]/]*)*?"
        r"(?:/\]|\](?:[^\[]*+(?:\[(?!/\2\])[^\[]*+)*+\[/\2\])?))\s*+</p>"
    )
    return pattern.sub(r"\1", text)
