"""The search index: which posts and pages go in, as what, and the Pagefind bundle they make.

Pagefind indexes HTML given as strings (its Python API runs the ``pagefind`` binary that
``pagefind[bin]`` ships). Each published post or page becomes one small document of its own,
its title as ``<h1>`` and its body, inside ``data-pagefind-body``, in its language
(``<html lang>``: Pagefind keeps one index per language, stemmed for it). Nothing else of the
rendered page (menus, share bar, newsletter box, comments) can reach the index, and the pages
that are not content (drafts, hidden pages, the 404, the redirect pages) are never handed over.

The bundle keeps only what the site's own search script uses (``pagefind.js``, the entry
file, the indexes, fragments and the WebAssembly of each language): Pagefind's prebuilt UIs
and its web worker are deleted, so they can never be loaded or linked by mistake.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from condividi.search.config import SearchConfig

# The lists of Pelican's generators that hold what readers may find: published posts and
# pages and their translations (hidden ones and drafts live in other lists).
PUBLISHED_LISTS = ("articles", "translations", "pages")
# What the site's search script loads from Pagefind's bundle; everything else is deleted.
KEPT_FILES = ("pagefind.js", "pagefind-entry.json")
KEPT_FOLDERS = ("index", "fragment", "filter")


class SearchError(RuntimeError):
    """Pagefind could not index a document or write the bundle; the message says which."""


@dataclass(frozen=True)
class SearchDocument:
    """One page readers can find: its URL (from the host's root), language and HTML."""

    url: str
    lang: str
    html: str
    source: str = ""


@dataclass
class IndexStats:
    """What one index holds: pages per language, files and bytes written."""

    pages: dict[str, int] = field(default_factory=dict)
    files: int = 0
    bytes: int = 0


def document_html(title: str, body: str, lang: str, date: str = "") -> str:
    """Return the HTML Pagefind indexes for one post or page.

    Takes the title and body as Pelican has them (HTML), the language code and the date
    (``YYYY-MM-DD``, or ``""`` for a page without one, kept as the result's ``date``
    metadata). Only the title and the body are inside ``data-pagefind-body``.
    """
    meta = f' data-pagefind-meta="date:{escape(date)}"' if date else ""
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body>"
        f"<main data-pagefind-body{meta}><h1>{title}</h1>\n{body}\n</main></body></html>"
    )


def searchable(content: Any) -> bool:
    """Tell whether a Pelican article or page belongs in the index.

    It must be published (not a draft, not hidden), be written somewhere (``save_as``), and
    not say ``Search: no`` in its front matter.
    """
    if getattr(content, "status", "published") != "published":
        return False
    if not getattr(content, "save_as", ""):
        return False
    wanted = str(getattr(content, "metadata", {}).get("search", "yes")).strip().lower()
    return wanted not in ("no", "false", "off", "0")


def published_content(generators: Iterable[Any], pages: bool = True) -> Iterator[tuple[Any, bool]]:
    """Yield ``(content, is_post)`` for each published post of ``generators`` and, when
    ``pages``, each published page, translations included, once each, in their order."""
    seen: set[int] = set()
    for generator in generators:
        is_post = hasattr(generator, "articles")
        if not is_post and not (pages and hasattr(generator, "pages")):
            continue
        for name in ("articles", "translations") if is_post else ("pages", "translations"):
            for content in getattr(generator, name, ()):
                if id(content) not in seen and searchable(content):
                    seen.add(id(content))
                    yield content, is_post


def search_documents(
    generators: Iterable[Any], config: SearchConfig, site_path: str = ""
) -> list[SearchDocument]:
    """Return one :class:`SearchDocument` per post and page readers may find.

    Takes Pelican's generators once they are all finalized (URLs and content are final), the
    search settings and the site's path on its host (``""`` or ``"/blog"``). A post carries
    its date; a page none.
    """
    documents = []
    for content, is_post in published_content(generators, pages=config.pages):
        date = getattr(content, "date", None) if is_post else None
        day = date.date().isoformat() if date is not None else ""
        documents.append(
            SearchDocument(
                url=f"{site_path}/{content.url}",
                lang=str(content.lang),
                html=document_html(content.title, content.content, str(content.lang), day),
                source=str(getattr(content, "source_path", "") or ""),
            )
        )
    return documents


def document_file(url: str) -> str:
    """Return the file, relative to the folder Pagefind indexes, that gives ``url`` (a path from
    the host's root) as its result's address: ``/saggio/`` is ``saggio/index.html``."""
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def pagefind_options(config: SearchConfig) -> dict[str, Any]:
    """Return the Pagefind index configuration for these search settings."""
    return {"exclude_selectors": list(config.exclude_selectors), "verbose": False}


def write_index(
    documents: Iterable[SearchDocument], folder: Path, config: SearchConfig
) -> IndexStats:
    """Index ``documents`` with Pagefind and write the bundle into ``folder`` (replaced).

    Returns what was written. Raises :class:`SearchError` naming the document (its source
    file) or the step that failed; ``folder`` is then left absent or as it was.
    """
    work = list(documents)
    # Pagefind's API is asynchronous; its event loop runs in a thread of its own, since the
    # caller may be running one already (Playwright's sync API does, in the tests).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pagefind") as pool:
        return pool.submit(asyncio.run, _write_index(work, folder, config)).result()


async def _write_index(
    documents: list[SearchDocument], folder: Path, config: SearchConfig
) -> IndexStats:
    from pagefind.index import PagefindIndex

    stats = IndexStats()
    scratch = folder.with_name(f".{folder.name}.indexing")
    shutil.rmtree(scratch, ignore_errors=True)
    # The documents go to Pagefind as files of one folder, in a single request: its Python
    # service answers one message per tenth of a second, so a request per post would cost
    # 100 s on a 1,000-post blog.
    pages = Path(tempfile.mkdtemp(prefix="condividi-search-"))
    step = "start"
    try:
        for document in documents:
            target = pages / document_file(document.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(document.html, encoding="utf-8")
            stats.pages[document.lang] = stats.pages.get(document.lang, 0) + 1
        # Leaving the block without an error writes the bundle into ``scratch``.
        async with PagefindIndex(
            {**pagefind_options(config), "output_path": str(scratch)}
        ) as index:
            step = "index the posts and pages"
            result = await index.add_directory(str(pages))
            if int(result.get("page_count") or 0) != len(documents):
                raise SearchError(
                    f"indexed {result.get('page_count')} of {len(documents)} documents"
                )
            step = "write the index"
    except Exception as error:  # the binary is missing, or Pagefind refused a document
        shutil.rmtree(scratch, ignore_errors=True)
        raise SearchError(
            f"search: Pagefind could not {step} ({type(error).__name__}: {error})"
        ) from error
    finally:
        shutil.rmtree(pages, ignore_errors=True)
    try:
        prune_bundle(scratch)
    except (OSError, ValueError, KeyError) as error:  # no entry file, or not Pagefind's JSON
        shutil.rmtree(scratch, ignore_errors=True)
        raise SearchError(
            f"search: the index Pagefind wrote is incomplete ({type(error).__name__}: {error})"
        ) from error
    shutil.rmtree(folder, ignore_errors=True)
    scratch.rename(folder)
    for path in folder.rglob("*"):
        if path.is_file():
            stats.files += 1
            stats.bytes += path.stat().st_size
    return stats


def prune_bundle(folder: Path) -> list[str]:
    """Delete from a Pagefind bundle in ``folder`` what the site's search never loads.

    Kept: ``pagefind.js``, ``pagefind-entry.json``, each language's ``.pf_meta`` and
    WebAssembly (the ones the entry file names), and the index, fragment and filter folders.
    Returns the names deleted, sorted.
    """
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    languages = entry.get("languages", {}).values()
    kept = set(KEPT_FILES)
    kept.update(f"pagefind.{language['hash']}.pf_meta" for language in languages)
    kept.update(f"wasm.{language.get('wasm') or 'unknown'}.pagefind" for language in languages)
    deleted = []
    for path in folder.iterdir():
        if path.name in kept or (path.is_dir() and path.name in KEPT_FOLDERS):
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
        deleted.append(path.name)
    return sorted(deleted)


def read_fragments(folder: Path) -> list[dict[str, Any]]:
    """Return the page records of the Pagefind bundle in ``folder``: one dict per indexed page
    (``url``, ``content``, ``meta``, ``word_count``, ...), as Pagefind stored them.

    Each ``fragment/*.pf_fragment`` is gzipped JSON behind a 12-byte signature; this reads
    what a reader's browser would, to check what the index holds.
    """
    records = []
    for path in sorted((folder / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        signature, _, _ = data.partition(b"{")
        records.append(json.loads(data[len(signature) :]))
    return records
