"""Social card images: a 1200×630 PNG with the title and the site name, drawn with Pillow.

A card is identified by a hash of everything that shapes it (title, site name, colours, font,
size and :data:`RENDERER_VERSION`); :class:`CardCache` keeps one PNG per hash, so a build only
draws the cards whose post changed. Bump :data:`RENDERER_VERSION` when the drawing changes.
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import unicodedata
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from functools import lru_cache
from pathlib import Path

import PIL
from PIL import Image, ImageColor, ImageDraw, ImageFont

from condividi.filecache import FileCache

RENDERER_VERSION = 1
WIDTH, HEIGHT = 1200, 630
DEJAVU_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
ELLIPSIS = "…"
_TRAILING = " ,.;:–-"

# Layout of a 1200×630 card, in pixels; other sizes scale it.
_MARGIN_X = 96
_RULE_Y, _RULE_W, _RULE_H = 96, 96, 8
_TITLE_TOP, _TITLE_BOTTOM = 146, 486
_SITE_SIZE, _SITE_BASELINE = 38, 560
_TITLE_SIZES = (84, 76, 68, 60, 54)
_LINE_HEIGHT = 1.2
_BAR_W = 24
_SHIFT = 2  # 256 levels of anti-aliased coverage >> 2: 64 shades per colour
_LEVELS = 256 >> _SHIFT
# Fewer cards than this are drawn in the build's own process: starting workers costs more.
MIN_CARDS_FOR_WORKERS = 24
# Cards handed to a worker at a time, and drawn between two looks at ``interrupted``.
CARDS_PER_TASK = 8


@dataclass(frozen=True)
class Card:
    """What a card shows and how: plain-text title and site name, colours, font, size.

    ``font`` is a bold TrueType file; empty means DejaVu Sans Bold, or Pillow's bundled
    font where DejaVu is not installed.
    """

    title: str
    site_name: str
    background: str = "#fdfcfa"
    foreground: str = "#1c1917"
    accent: str = "#9a3412"
    font: str = ""
    width: int = WIDTH
    height: int = HEIGHT


def font_path(configured: str = "") -> str:
    """Return the font file cards use: ``configured``, else DejaVu Sans Bold, else ``""``.

    ``""`` stands for Pillow's bundled font.
    """
    if configured:
        return configured
    return str(DEJAVU_BOLD) if DEJAVU_BOLD.is_file() else ""


def _font_identity(path: str) -> str:
    if not path:
        return f"pillow-default-{PIL.__version__}"
    stat = Path(path).stat()
    return f"{Path(path).name}:{stat.st_size}"


def card_key(card: Card, font: str | None = None) -> str:
    """Return the hex SHA-256 naming ``card`` in the cache; it changes with anything drawn.

    ``font`` is the identity of the card's font file when the caller has it already.
    """
    if font is None:
        font = _font_identity(font_path(card.font))
    fields: dict[str, object] = {f.name: getattr(card, f.name) for f in dataclass_fields(card)}
    fields["font"] = font
    payload = json.dumps([RENDERER_VERSION, fields], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@lru_cache(maxsize=64)
def load_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    """Return the font at ``path`` (Pillow's bundled font when empty) in ``size`` pixels."""
    if path:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def _has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    # A character the font lacks comes out as the ".notdef" box: compare with a private-use
    # code point, which no text font draws.
    if char.isspace():
        return True
    return _glyph_print(font, char) != _glyph_print(font, "\U0010fffd")


def _glyph_print(font: ImageFont.FreeTypeFont, char: str) -> tuple[object, ...]:
    mask = font.getmask(char)
    return (mask.size, tuple(mask.histogram()))


def drawable_text(text: str, font: ImageFont.FreeTypeFont) -> str:
    """Return ``text`` composed (NFC: accents as single characters), minus what ``font`` lacks.

    An emoji or a script the font does not cover is dropped rather than drawn as a box;
    runs of whitespace become one space.
    """
    composed = unicodedata.normalize("NFC", text)
    return " ".join("".join(c for c in composed if _has_glyph(font, c)).split())


def _split_word(word: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    pieces, current = [], ""
    for char in word:
        if current and font.getlength(current + char) > max_width:
            pieces.append(current)
            current = char
        else:
            current += char
    return [*pieces, current] if current else pieces


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Return ``text`` broken into lines no wider than ``max_width`` in ``font``.

    Breaks at spaces; a single word wider than a line is broken between characters.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        pieces = _split_word(word, font, max_width)
        lines.extend(pieces[:-1])
        current = pieces[-1]
    if current:
        lines.append(current)
    return lines


def clip(
    lines: list[str], max_lines: int, font: ImageFont.FreeTypeFont, max_width: float
) -> list[str]:
    """Return at most ``max_lines`` of ``lines``, the last ending in an ellipsis if any were cut."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]

    def fits(text: str) -> bool:
        return font.getlength(text.rstrip(_TRAILING) + ELLIPSIS) <= max_width

    words = kept[-1].split(" ")
    while len(words) > 1 and not fits(" ".join(words)):
        words.pop()  # cut at a word boundary where one is left
    last = " ".join(words)
    while last and not fits(last):
        last = last[:-1]
    kept[-1] = last.rstrip(_TRAILING) + ELLIPSIS
    return kept


def layout_title(
    title: str, path: str, max_width: float, max_height: float, scale: float = 1.0
) -> tuple[ImageFont.FreeTypeFont, list[str], int]:
    """Choose the largest title size whose wrapped lines fit the box, clipping at the smallest.

    Returns the font, the lines and the line height in pixels.
    """
    for index, size in enumerate(_TITLE_SIZES):
        font = load_font(path, round(size * scale))
        line_height = round(size * scale * _LINE_HEIGHT)
        max_lines = max(1, int(max_height // line_height))
        lines = wrap(drawable_text(title, font), font, max_width)
        if len(lines) <= max_lines or index == len(_TITLE_SIZES) - 1:
            return font, clip(lines, max_lines, font, max_width), line_height
    raise AssertionError("unreachable: the last size always returns")


def palette(card: Card) -> list[int]:
    """Return the card's 128-colour palette: 64 shades from the background to the foreground
    (indexes 0-63), then 64 from the background to the accent (64-127)."""
    background = ImageColor.getrgb(card.background)[:3]
    colours: list[int] = []
    for target in (ImageColor.getrgb(card.foreground)[:3], ImageColor.getrgb(card.accent)[:3]):
        for level in range(_LEVELS):
            colours += [
                round(b + (t - b) * level / (_LEVELS - 1))
                for b, t in zip(background, target, strict=True)
            ]
    return colours


def draw_card(card: Card) -> Image.Image:
    """Draw ``card`` and return it as a palette ("P") image.

    Text and shapes are drawn as two anti-aliased coverage masks, one per colour, mapped onto
    :func:`palette`: a palette PNG encodes two to three times faster than RGB and is half the size.
    """
    scale = card.width / WIDTH
    path = font_path(card.font)
    size = (card.width, card.height)
    ink = Image.new("L", size, 0)  # coverage of the foreground colour (the title)
    accent = Image.new("L", size, 0)  # coverage of the accent colour (bar, rule, site name)
    draw_ink, draw_accent = ImageDraw.Draw(ink), ImageDraw.Draw(accent)

    def px(value: float) -> int:
        return round(value * scale)

    draw_accent.rectangle((0, 0, px(_BAR_W) - 1, card.height), fill=255)
    left = px(_MARGIN_X)
    draw_accent.rectangle((left, px(_RULE_Y), left + px(_RULE_W), px(_RULE_Y + _RULE_H)), fill=255)

    max_width = card.width - left - px(_MARGIN_X)
    box_height = px(_TITLE_BOTTOM - _TITLE_TOP)
    font, lines, line_height = layout_title(card.title, path, max_width, box_height, scale)
    top = px(_TITLE_TOP) + (box_height - line_height * len(lines)) // 2
    for number, line in enumerate(lines):
        draw_ink.text((left, top + number * line_height), line, font=font, fill=255)

    site_font = load_font(path, px(_SITE_SIZE))
    site = wrap(drawable_text(card.site_name, site_font), site_font, max_width)
    for line in clip(site, 1, site_font, max_width):
        draw_accent.text((left, px(_SITE_BASELINE)), line, font=site_font, fill=255, anchor="ls")

    ink_index = ink.point([value >> _SHIFT for value in range(256)])
    accent_index = accent.point([0] + [_LEVELS + (value >> _SHIFT) for value in range(1, 256)])
    covered = accent.point([0] + [255] * 255)
    index = Image.composite(accent_index, ink_index, covered)
    image = Image.frombytes("P", size, index.tobytes())
    image.putpalette(palette(card))
    return image


def card_png(card: Card) -> bytes:
    """Draw ``card`` and return it encoded as PNG."""
    buffer = io.BytesIO()
    draw_card(card).save(buffer, "PNG")
    return buffer.getvalue()


def card_processes() -> int:
    """Return how many processes draw cards: one per core."""
    return os.cpu_count() or 1


def draw_cards(
    cards: Sequence[Card],
    processes: int,
    keep: Callable[[Card, bytes], None],
    interrupted: Callable[[], bool] | None = None,
) -> int:
    """Draw ``cards`` as PNG on ``processes`` cores, handing each to ``keep(card, png)`` as it
    is done; return how many were drawn.

    Workers start from a fork server (``make serve`` draws from a process with threads, which
    must not fork). ``interrupted()``, looked at between batches, stops early.
    """
    if processes < 2 or len(cards) < MIN_CARDS_FOR_WORKERS:
        for number, card in enumerate(cards):
            if interrupted is not None and interrupted():
                return number
            keep(card, card_png(card))
        return len(cards)
    drawn = 0
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        step = processes * CARDS_PER_TASK * 2
        for start in range(0, len(cards), step):
            if interrupted is not None and interrupted():
                break
            batch = cards[start : start + step]
            for card, png in zip(
                batch, pool.map(card_png, batch, chunksize=CARDS_PER_TASK), strict=True
            ):
                keep(card, png)
                drawn += 1
    return drawn


class CardCache:
    """A folder of drawn cards named by :func:`card_key`; counts what it drew and reused.

    Meant to live for one build: it looks at each font file once.
    """

    def __init__(self, folder: Path) -> None:
        self.files = FileCache(folder, ".png")
        self._fonts: dict[str, str] = {}

    @property
    def drawn(self) -> int:
        """How many cards this cache drew."""
        return self.files.made

    @property
    def reused(self) -> int:
        """How many cards this cache found already drawn."""
        return self.files.reused

    def key(self, card: Card) -> str:
        """Return the cache key of ``card`` (see :func:`card_key`)."""
        font = font_path(card.font)
        if font not in self._fonts:
            self._fonts[font] = _font_identity(font)
        return card_key(card, self._fonts[font])

    def get(self, card: Card) -> Path:
        """Return the PNG file of ``card``, drawing it only when the cache lacks it."""
        return self.files.get(self.key(card), lambda: card_png(card))

    def cached(self, card: Card) -> Path | None:
        """Return the PNG file of ``card`` if the cache has it, else None (nothing is drawn)."""
        key = self.key(card)
        return self.files.get(key, _never) if self.files.path(key).is_file() else None

    def draw(
        self,
        cards: Sequence[Card],
        processes: int,
        done: Callable[[Card, Path], None] | None = None,
        interrupted: Callable[[], bool] | None = None,
    ) -> int:
        """Draw the ``cards`` the cache lacks on ``processes`` cores and keep them; call
        ``done(card, path)`` for each as it is kept. Returns how many were drawn."""
        wanted = {self.key(card): card for card in cards}
        missing = [card for key, card in wanted.items() if not self.files.path(key).is_file()]

        def keep(card: Card, png: bytes) -> None:
            path = self.files.get(self.key(card), lambda: png)
            if done is not None:
                done(card, path)

        return draw_cards(missing, processes, keep, interrupted)


def _never() -> bytes:
    raise AssertionError("a cached card is never drawn again")
