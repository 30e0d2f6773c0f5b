"""A WordPress blog moved in is searchable: the sample exports imported, then `make publish`.

The sample site is copied, a sample export imported by the real command, and the copy built
by the Makefile's own ``publish`` target; the index must hold every imported post and page
and none of its drafts, and a reader's browser must find them in both languages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from condividi.search.index import read_fragments
from tests.conftest import ROOT, StaticServer, copy_project, free_port
from tests.search_support import SEARCH_CSP

DATA = ROOT / "tests" / "data" / "wordpress"
# What each export publishes (posts and pages) and keeps as drafts, by URL.
EXPORTS = {
    "blog-1.2.xml": (
        {
            "/benvenuti/",
            "/dati-non-vanita/",
            "/titolo-ostile/",
            "/shlvm-vlm/",
            "/109-2/",
            "/en/a-video-in-english/",
            "/contatti/",
            "/dove-trovarmi/",
        },
        {"bozza-idee-sparse", "in-attesa-di-revisione", "solo-per-me", "senza-data"},
    ),
    "blog-1.1.xml": ({"/il-primo-post/", "/chi-scrive/"}, set()),
}

# What a reader types on which search page, and a post that must be among the results.
QUERIES = {
    "blog-1.2.xml": [
        ("/cerca/", "misurando", "/dati-non-vanita/"),  # its heading says "Che cosa misurare"
        ("/cerca/", "Torino", "/dove-trovarmi/"),
        ("/en/search/", "captions", "/en/a-video-in-english/"),  # "a caption shortcode"
    ],
    "blog-1.1.xml": [("/cerca/", "primi", "/il-primo-post/")],  # "Il primo post del 2011"
}


@dataclass
class Published:
    export: str
    output: Path
    port: int


def make_publish(project: Path, port: int) -> subprocess.CompletedProcess[str]:
    """Run the Makefile's ``publish`` target in ``project`` with this checkout's venv."""
    python = Path(sys.executable)
    return subprocess.run(
        ["make", "-f", str(ROOT / "Makefile"), "publish", "READY=", f"PY={python}"],
        cwd=project,
        env={**os.environ, "SITEURL": f"http://127.0.0.1:{port}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module", params=sorted(EXPORTS))
def published(request: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Published]:
    base = tmp_path_factory.mktemp("wordpress-search")
    project = copy_project(base)
    imported = subprocess.run(
        [sys.executable, "-m", "condividi", "import", "wordpress", str(DATA / request.param)]
        + (["--uploads", str(DATA / "uploads")] if request.param == "blog-1.2.xml" else []),
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr
    port = free_port()
    built = make_publish(project, port)
    assert built.returncode == 0, built.stdout + built.stderr
    yield Published(request.param, project / "output", port)


def test_every_imported_post_and_page_is_in_the_index_and_no_draft(published: Published) -> None:
    expected, drafts = EXPORTS[published.export]
    urls = {record["url"] for record in read_fragments(published.output / "pagefind")}
    assert expected <= urls
    assert not {url for url in urls if url.strip("/") in drafts}
    # The sample site's own posts are still there beside the imported ones.
    assert "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/" in urls


@pytest.mark.browser
def test_a_reader_finds_the_imported_posts_in_both_languages(
    page: Any, published: Published, csp_violations: list[str]
) -> None:
    with StaticServer(published.output, published.port, csp=SEARCH_CSP) as server:
        for path, query, url in QUERIES[published.export]:
            page.goto(f"{server.url}{path}?q={query}")
            page.wait_for_selector("#search-results .search-result")
            links = page.eval_on_selector_all(
                "#search-results .search-result a", "els => els.map(e => e.pathname)"
            )
            assert url in links, (query, links)
    assert csp_violations == []
