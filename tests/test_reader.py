"""The Markdown reader that keeps one converter per build: same results as Pelican's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pelican import signals
from pelican.readers import MarkdownReader as PelicanMarkdownReader
from pelican.readers import Readers
from pelican.settings import read_settings

from condividi.reader import MarkdownReader, use_reader
from tests.conftest import ROOT

# Each post leaves state a converter could carry into the next: a link reference, a
# footnote, an abbreviation, front-matter keys; the next one relies on none of them.
LEAKY = """Title: Il primo
Date: 2026-01-01 10:00
Summary: Un riassunto con un [riferimento][rif] e una nota[^1].
Tags: uno, due

Un [riferimento][rif], una nota[^1] e l'HTML.

*[HTML]: HyperText Markup Language
[rif]: https://primo.example/
[^1]: La nota del primo.
"""
BARE = """Title: Il secondo
Date: 2026-01-02 10:00

Un [riferimento][rif] senza definizione, una nota[^1] che non c'è, e l'HTML.

| a | b |
|---|---|
| 1 | 2 |
"""
NO_META = "Solo testo, *senza* intestazione.\n"


@pytest.fixture
def settings() -> dict[str, object]:
    return read_settings(str(ROOT / "pelicanconf.py"))


def sample_posts() -> list[Path]:
    return sorted((ROOT / "content").rglob("*.md"))


def pelicans(settings: dict[str, object], path: Path) -> tuple[str, dict[str, object]]:
    return PelicanMarkdownReader(settings).read(str(path))


def test_every_sample_post_reads_as_with_pelicans_reader(settings: dict[str, object]) -> None:
    reader = MarkdownReader(settings)
    paths = sample_posts()
    assert len(paths) >= 8
    for path in paths + paths[::-1]:  # each post after a different one, one converter
        assert reader.read(str(path)) == pelicans(settings, path), path


@pytest.mark.parametrize(
    "order", [("leaky", "bare", "none"), ("none", "bare", "leaky"), ("leaky", "none", "leaky")]
)
def test_nothing_a_post_defines_leaks_into_the_next(
    settings: dict[str, object], tmp_path: Path, order: tuple[str, ...]
) -> None:
    texts = {"leaky": LEAKY, "bare": BARE, "none": NO_META}
    for name, text in texts.items():
        (tmp_path / f"{name}.md").write_text(text, encoding="utf-8")
    reader = MarkdownReader(settings)
    for name in order:
        path = tmp_path / f"{name}.md"
        assert reader.read(str(path)) == pelicans(settings, path), name
    content, metadata = reader.read(str(tmp_path / "bare.md"))
    assert "primo.example" not in content and "<abbr" not in content and "footnote" not in content
    assert "summary" not in metadata and "tags" not in metadata


@pytest.fixture
def reader_plugin() -> Iterator[None]:
    signals.readers_init.connect(use_reader)
    yield
    signals.readers_init.disconnect(use_reader)


@pytest.mark.usefixtures("reader_plugin")
def test_the_plugin_replaces_pelicans_reader_but_not_a_configured_one(
    settings: dict[str, object],
) -> None:
    readers = Readers(settings)
    assert type(readers.readers["md"]) is MarkdownReader
    assert type(readers.readers["markdown"]) is MarkdownReader

    class Custom(PelicanMarkdownReader):
        pass

    readers = Readers({**settings, "READERS": {"md": Custom}})
    assert type(readers.readers["md"]) is Custom
    assert type(readers.readers["markdown"]) is MarkdownReader
