"""Search in the benchmark: the index's size and build time, and what one query downloads.

The timed Condividi builds already include search (it is in ``PLUGINS``); ``bench.child``
also times the search step inside each of them (reading the posts' final content and
Pagefind indexing it), so its share of the build comes from the same runs, next to plain
Pelican's seconds. :func:`query_weight` serves the built site on 127.0.0.1 (gzip for text,
as a host would send it) and opens its search page with a query in headless Chromium,
adding up every byte fetched from the index's folder: the search script, Pagefind's script
and WebAssembly, the entry file, the language's metadata, index chunks and result fragments.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bench.lighthouse import CHROMIUM, SiteServer

# Words of the corpus's prose and titles (bench/corpus.py), typed as a reader would: word
# forms that the Italian stemmer has to bring back to the corpus's own.
QUERIES = ("misurando", "fiducia", "newsletter aziendali", "botteghe")
FOLDER = "pagefind"


def index_size(output: Path, folder: str = FOLDER) -> dict[str, Any]:
    """Return the files and bytes of the search index in ``output`` (by kind of file)."""
    root = output / folder
    kinds: dict[str, int] = {}
    files = 0
    for path in root.rglob("*"):
        if path.is_file():
            files += 1
            kind = path.parent.name if path.parent != root else path.suffix.lstrip(".")
            kinds[kind] = kinds.get(kind, 0) + path.stat().st_size
    return {"files": files, "bytes": sum(kinds.values()), "bytes_by_kind": kinds}


def search_share(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the search step's seconds over ``runs`` (Condividi builds with
    ``search_seconds``) and its share of each build: search / (build - search)."""
    timed = [run for run in runs if run.get("search_seconds")]
    if not timed:
        return {"not_measured": "no build reported its search step"}
    seconds = [run["search_seconds"] for run in timed]
    shares = [run["search_seconds"] / (run["seconds"] - run["search_seconds"]) for run in timed]
    return {
        "median_seconds": statistics.median(seconds),
        "median_share_of_build_without": statistics.median(shares),
        "runs": len(timed),
    }


def query_weight(output: Path, queries: tuple[str, ...] = QUERIES) -> dict[str, Any]:
    """Open ``/cerca/?q=...`` for each of ``queries`` in a fresh browser and return what each
    downloaded from the index's folder (bytes as transferred, and requests).

    Returns ``{"not_measured": reason}`` when Playwright or Chromium is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"not_measured": "Playwright is not installed (pip install -e '.[test]')"}
    if not CHROMIUM.exists():
        return {"not_measured": f"no Chromium at {CHROMIUM}"}
    server = SiteServer(output)
    measured: dict[str, Any] = {}
    with server.running(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for query in queries:
                context = browser.new_context()
                page = context.new_page()
                fetched: list[Any] = []
                page.on("requestfinished", lambda request, into=fetched: into.append(request))
                page.goto(f"{server.url}/cerca/?q={query}")
                page.wait_for_function(
                    "q => document.querySelector('#search-status').textContent.includes(q)",
                    arg=query,
                    timeout=60_000,
                )
                page.wait_for_load_state("networkidle")
                ours = [r for r in fetched if f"/{FOLDER}/" in r.url]
                sizes = [r.sizes()["responseBodySize"] for r in ours]
                measured[query] = {
                    "bytes": sum(sizes),
                    "requests": len(ours),
                    "results": page.locator("#search-results .search-result").count(),
                    "status": page.locator("#search-status").inner_text(),
                }
                context.close()
        finally:
            browser.close()
    largest = max(measured.values(), key=lambda m: m["bytes"])
    return {"queries": measured, "max_bytes": largest["bytes"]}
