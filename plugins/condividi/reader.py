"""Pelican plugin ``condividi.reader``: Markdown posts read with one converter per build.

Pelican's Markdown reader builds a new ``markdown.Markdown`` for every file (every extension
set up again: about a millisecond, a tenth of reading a post). Python-Markdown is made to
convert many documents with one instance, ``reset()`` between them, which clears everything
a document leaves behind (its references, footnotes, abbreviations, metadata). This reader
does that and gives the same HTML and metadata as Pelican's (tested on every sample post and
on posts written to leak state into the next one).
"""

from __future__ import annotations

import os
import threading
from typing import Any

from markdown import Markdown
from markdown.extensions.meta import MetaPreprocessor
from pelican import signals
from pelican.generators import ArticlesGenerator
from pelican.readers import MarkdownReader as PelicanMarkdownReader
from pelican.readers import Readers
from pelican.utils import pelican_open

from condividi.readahead import MIN_POSTS_AHEAD, ReadAhead, reader_processes

# The meta extension's own priority; see _fields().
_META_PRIORITY = 27


class MarkdownReader(PelicanMarkdownReader):
    """Pelican's Markdown reader, with two converters kept for the whole build.

    One converts post bodies (its ``meta`` preprocessor reads the front matter), the other the
    formatted front-matter fields (``Summary:``), which must not look for front matter.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._body: Markdown | None = None
        self._field: Markdown | None = None
        self.ahead: ReadAhead | None = None

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        """Return the HTML and the metadata of the Markdown file at ``source_path``.

        The body may have been converted ahead, in another process (:mod:`condividi.readahead`);
        the metadata is always parsed here, so its objects (dates, tags) are this build's.
        """
        self._source_path = source_path
        converted = self.ahead.take(source_path) if self.ahead is not None else None
        content, meta = converted if converted is not None else self.convert(source_path)
        metadata = self._parse_metadata(meta) if meta is not None else {}
        return content, metadata

    def convert(self, source_path: str) -> tuple[str, dict[str, list[str]] | None]:
        """Return the HTML body of the Markdown file at ``source_path`` and its front matter as
        Python-Markdown's ``meta`` extension reads it (None without the extension)."""
        if self._body is None:
            self._body = Markdown(**self.settings["MARKDOWN"])
        self._md = self._body.reset()
        with pelican_open(source_path) as text:
            content = self._md.convert(text)
        return content, getattr(self._md, "Meta", None)

    def _parse_metadata(self, meta: dict[str, list[str]]) -> dict[str, Any]:
        # Pelican's code converts the formatted fields with self._md, after taking the meta
        # preprocessor out of it; it gets the field converter, the meta preprocessor put back
        # so that it can be taken out again (it never runs on a field).
        self._md = self._fields()
        return super()._parse_metadata(meta)

    def _fields(self) -> Markdown:
        if self._field is None:
            self._field = Markdown(**self.settings["MARKDOWN"])
        if "meta" not in self._field.preprocessors:
            meta = MetaPreprocessor(self._field)
            self._field.preprocessors.register(meta, "meta", _META_PRIORITY)
        return self._field


def use_reader(readers: Readers) -> None:
    """Read Markdown files with :class:`MarkdownReader` (Pelican's ``readers_init`` signal).

    A reader set in ``READERS`` for an extension is kept.
    """
    for extension in PelicanMarkdownReader.file_extensions:
        if readers.reader_classes.get(extension) is PelicanMarkdownReader:
            readers.reader_classes[extension] = MarkdownReader


def read_ahead(generator: ArticlesGenerator) -> None:
    """Start converting the generator's posts in other processes (``article_generator_init``).

    Only for a build with enough posts, on a machine with more than one core, in a process
    with no other thread (forking one that has threads is unsafe): ``make html`` and
    ``make publish``, not ``make serve``, which reads each post once and keeps it.
    """
    settings = generator.settings
    processes = reader_processes(settings)
    reader = generator.readers.readers.get("md")
    if processes < 2 or not isinstance(reader, MarkdownReader) or threading.active_count() > 1:
        return
    # In the order of get_files()'s set, never sorted: Pelican reads the posts in that same
    # order, and a worker behind the build's process saves nothing.
    extensions = tuple(f".{ext}" for ext in PelicanMarkdownReader.file_extensions)
    names = generator.get_files(settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"])
    paths = []
    for name in names:
        path = os.path.abspath(os.path.join(generator.path, name))
        if name.endswith(extensions) and not _cached(generator, name, path):
            paths.append(path)
    if len(paths) >= MIN_POSTS_AHEAD:
        reader.ahead = ReadAhead(reader, paths, processes)


def _cached(generator: ArticlesGenerator, name: str, path: str) -> bool:
    # A post Pelican takes from its content cache (either layer) is never read: converting
    # it ahead would only spend the other core.
    if generator.get_cached_data(name, None) is not None:
        return True
    content, _ = generator.readers.get_cached_data(path, (None, None))
    return content is not None


def stop_reading_ahead(generator: ArticlesGenerator) -> None:
    """Stop the other processes once the posts are read (``article_generator_finalized``)."""
    reader = generator.readers.readers.get("md")
    if isinstance(reader, MarkdownReader) and reader.ahead is not None:
        reader.ahead.close()
        reader.ahead = None


def register() -> None:
    """Connect the reader to Pelican's signals."""
    signals.readers_init.connect(use_reader)
    signals.article_generator_init.connect(read_ahead)
    signals.article_generator_finalized.connect(stop_reading_ahead)
