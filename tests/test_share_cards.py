"""Social cards: size, accents, wrapping and clipping, the fallback font, the cache."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from condividi.share import cards
from condividi.share.cards import (
    Card,
    CardCache,
    card_key,
    card_png,
    drawable_text,
    font_path,
    layout_title,
    load_font,
    wrap,
)

CARD = Card(
    title="Perché le aziende dovrebbero smettere di inseguire i follower", site_name="Condividi"
)
LONG = "Città, perché è così difficile scrivere un titolo breve? " * 6


def image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_the_card_is_a_1200_by_630_png_in_the_site_colours() -> None:
    drawn = image(card_png(CARD))
    assert drawn.format == "PNG"
    assert drawn.size == (1200, 630)
    rgb = drawn.convert("RGB")
    assert rgb.getpixel((600, 20)) == (0xFD, 0xFC, 0xFA)  # background
    assert rgb.getpixel((5, 300)) == (0x9A, 0x34, 0x12)  # accent bar
    colours = {colour for _, colour in rgb.getcolors(maxcolors=1_000_000)}
    assert (0x1C, 0x19, 0x17) in colours  # title in the foreground colour


def test_two_titles_give_two_different_cards() -> None:
    first = image(card_png(CARD)).convert("RGB")
    second = image(card_png(replace(CARD, title="Crisi di reputazione: le prime 24 ore")))
    assert ImageChops.difference(first, second.convert("RGB")).getbbox() is not None
    assert card_key(CARD) != card_key(replace(CARD, title="Crisi di reputazione"))


def test_italian_accents_are_drawn_as_real_glyphs() -> None:
    assert Path(font_path()).name == "DejaVuSans-Bold.ttf", "run scripts/setup-system.sh"
    font = load_font(font_path(), 64)
    accented = "àèéìòù ÀÈÉÌÒÙ perché più città"
    assert drawable_text(accented, font) == accented  # no glyph missing
    assert drawable_text("Perche\u0301", font) == "Perché"  # decomposed input is composed
    plain = image(card_png(replace(CARD, title="Perche"))).convert("RGB")
    accent = image(card_png(replace(CARD, title="Perché"))).convert("RGB")
    assert ImageChops.difference(plain, accent).getbbox() is not None


def test_characters_the_font_lacks_are_dropped_not_boxed() -> None:
    font = load_font(font_path(), 64)
    assert drawable_text("Lancio 🚀  del  sito", font) == "Lancio del sito"


def test_a_long_title_wraps_then_ends_with_an_ellipsis() -> None:
    path = font_path()
    font, lines, line_height = layout_title(LONG, path, 1008, 340)
    assert 1 < len(lines) <= 340 // line_height
    assert lines[-1].endswith("…")
    assert all(font.getlength(line) <= 1008 for line in lines)
    assert font.size == 54  # the smallest size, before clipping
    short_font, short_lines, _ = layout_title("Breve", path, 1008, 340)
    assert short_lines == ["Breve"] and short_font.size == 84


def test_a_word_longer_than_a_line_is_broken() -> None:
    font = load_font(font_path(), 60)
    lines = wrap("x" * 200, font, 500)
    assert len(lines) > 1 and "".join(lines) == "x" * 200
    assert all(font.getlength(line) <= 500 for line in lines)


def test_without_dejavu_the_card_uses_pillows_bundled_font(monkeypatch: pytest.MonkeyPatch) -> None:
    dejavu_key = card_key(CARD)
    monkeypatch.setattr(cards, "DEJAVU_BOLD", Path("/nonexistent/DejaVuSans-Bold.ttf"))
    assert font_path() == ""
    drawn = image(card_png(replace(CARD, title=LONG)))
    assert drawn.size == (1200, 630)
    assert card_key(CARD) != dejavu_key  # a different font is a different card


def test_the_key_covers_everything_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = {
        card_key(CARD),
        card_key(replace(CARD, site_name="Altro")),
        card_key(replace(CARD, background="#000000")),
        card_key(replace(CARD, foreground="#ffffff")),
        card_key(replace(CARD, accent="#123456")),
        card_key(replace(CARD, width=600, height=315)),
    }
    assert len(keys) == 6
    monkeypatch.setattr(cards, "RENDERER_VERSION", cards.RENDERER_VERSION + 1)
    assert card_key(CARD) not in keys


def test_the_cache_draws_each_card_once(tmp_path: Path) -> None:
    cache = CardCache(tmp_path / "cards")
    first = cache.get(CARD)
    stamp = first.stat().st_mtime_ns
    again = cache.get(CARD)
    assert again == first and again.stat().st_mtime_ns == stamp
    assert (cache.drawn, cache.reused) == (1, 1)
    other = cache.get(replace(CARD, title="Un altro titolo"))
    assert other != first
    assert (cache.drawn, cache.reused) == (2, 1)
    assert sorted(p.name for p in (tmp_path / "cards").iterdir()) == sorted(
        [first.name, other.name]
    )


def test_cards_drawn_on_two_cores_are_the_cards_drawn_here() -> None:
    from condividi.share.cards import MIN_CARDS_FOR_WORKERS, draw_cards

    cards = [Card(f"Titolo numero {n}", "Condividi") for n in range(MIN_CARDS_FOR_WORKERS + 2)]
    kept: dict[str, bytes] = {}
    assert draw_cards(cards, 2, lambda card, png: kept.setdefault(card.title, png)) == len(cards)
    assert kept == {card.title: card_png(card) for card in cards}
    stopped: list[Card] = []
    assert draw_cards(cards, 2, lambda card, png: stopped.append(card), lambda: True) == 0
