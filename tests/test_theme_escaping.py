"""Hostile titles, categories, tags and summaries: text everywhere, never live markup.

A title written with entities (``&lt;/title&gt;&lt;script&gt;``, what the WordPress import
writes) or raw (``</title><script>``) must come out as text in ``<title>``, headings, lists
(the hidden "read more" span), prev/next, category and tag pages, social metadata, JSON-LD,
feeds and emails; and a real Chromium, on a host that sends no Content-Security-Policy,
must run none of it.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import feedparser
import pytest
from bs4 import BeautifulSoup
from lxml import etree

from condividi.build import build_site
from condividi.newsletter.edition import render_edition
from tests.conftest import copy_project
from tests.test_edition import options, post

ENCODED_TITLE = (
    "Escaped &lt;/title&gt;&lt;script&gt;window.pwned=1&lt;/script&gt;"
    "&lt;img src=x onerror=window.pwned=2&gt;"
)
# What a reader must see for it: the characters, as text.
ENCODED_TEXT = "Escaped </title><script>window.pwned=1</script><img src=x onerror=window.pwned=2>"
RAW_TITLE = 'Raw </title><script>window.pwned=3</script><img src=x onerror="window.pwned=4">'
RAW_TEXT = "Raw window.pwned=3"  # tags are not text: they go, what is between them stays

POSTS = {
    "encoded": f"""Title: {ENCODED_TITLE}
Date: 2026-11-20 09:00
Category: Cat &lt;script&gt;window.pwned=5&lt;/script&gt;
Tags: Tom & Jerry, tranquillo
Summary: Sommario &lt;script&gt;window.pwned=7&lt;/script&gt; qui.
Slug: encoded

Il corpo del post.
""",
    "middle": """Title: Un post tranquillo in mezzo
Date: 2026-11-21 09:00
Category: Strategia
Slug: middle

Tra i due.
""",
    "raw": f"""Title: {RAW_TITLE}
Date: 2026-11-22 09:00
Category: Raw <script>window.pwned=8</script>
Tags: <img src=x onerror=window.pwned=9>grezzo
Summary: Sommario grezzo.
Slug: raw

Il corpo del post grezzo.
""",
}


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile")
    project = copy_project(base)
    for slug, text in POSTS.items():
        (project / "content" / "articles" / f"zz-{slug}.md").write_text(text, encoding="utf-8")
    return build_site(
        project / "publishconf.py",
        project / "output",
        {
            "SITEURL": "https://blog.example.org",
            "PATH": str(project / "content"),
            "CACHE_PATH": str(base / "cache"),
        },
    )


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def hostile_pages(output: Path) -> list[Path]:
    return [p for p in sorted(output.rglob("*.html")) if "pwned" in p.read_text("utf-8")]


def test_no_page_carries_live_markup(output: Path) -> None:
    pages = hostile_pages(output)
    assert len(pages) >= 8, "articles, index, categories, tags, archives..."
    for path in pages:
        page = soup(path)
        assert len(page.find_all("title")) == 1, path
        for script in page.find_all("script"):
            if "pwned" in script.get_text():
                assert script.get("type") == "application/ld+json", path
                assert "<" not in script.get_text(), path
                json.loads(script.get_text())
        handlers = [
            (tag.name, name)
            for tag in page.find_all(True)
            for name in tag.attrs
            if name[:2] == "on"
        ]
        assert handlers == [], (path, handlers)
        assert not page.find_all("img", src="x"), path


def test_the_article_pages_show_the_titles_as_text(output: Path) -> None:
    encoded = soup(output / "encoded" / "index.html")
    assert encoded.title.get_text().startswith(ENCODED_TEXT + " · ")
    assert encoded.h1.get_text() == ENCODED_TEXT
    assert encoded.select_one(".post-meta a").get_text() == "Cat <script>window.pwned=5</script>"
    tags = [a.get_text() for a in encoded.select(".tags a")]
    assert tags[0] == "Tom & Jerry" and len(tags) == 2  # entities split tags on ";" in Pelican
    assert encoded.find("meta", attrs={"name": "description"})["content"] == (
        "Sommario <script>window.pwned=7</script> qui."
    )
    assert encoded.find("meta", property="og:title")["content"] == ENCODED_TEXT
    [ld] = [s for s in encoded.find_all("script") if s.get("type") == "application/ld+json"]
    assert json.loads(ld.get_text())["headline"] == ENCODED_TEXT

    raw = soup(output / "raw" / "index.html")
    assert raw.title.get_text().startswith(RAW_TEXT + " · ")
    assert raw.h1.get_text() == RAW_TEXT
    assert raw.select_one(".post-meta a").get_text() == "Raw window.pwned=8"
    assert [a.get_text() for a in raw.select(".tags a")] == ["grezzo"]

    middle = soup(output / "middle" / "index.html")
    neighbours = {a["rel"][0]: a.get_text() for a in middle.select(".post-nav a")}
    assert neighbours["prev"].endswith(" " + ENCODED_TEXT), neighbours
    assert neighbours["next"].endswith(" " + RAW_TEXT), neighbours


def test_lists_show_the_titles_as_text(output: Path) -> None:
    index = soup(output / "index.html")
    headings = [h.get_text() for h in index.select("article.summary h2")]
    assert ENCODED_TEXT in headings and RAW_TEXT in headings
    hidden = [s.get_text() for s in index.select(".read-more .visually-hidden")]
    assert ": " + ENCODED_TEXT in hidden and ": " + RAW_TEXT in hidden
    headings = [soup(path).h1 for path in hostile_pages(output)]
    lists = [h.get_text() for h in headings if h is not None]
    assert any(h.endswith(": Cat <script>window.pwned=5</script>") for h in lists), lists
    assert any(h.endswith(": grezzo") for h in lists), lists


def test_feeds_hold_the_titles_as_plain_text(output: Path) -> None:
    feeds = [p for p in output.rglob("*.xml") if "pwned" in p.read_text("utf-8")]
    assert feeds, "the posts are in the feeds"
    for path in feeds:
        tree = etree.parse(str(path))
        assert not [e for e in tree.iter() if etree.QName(e).localname in ("script", "img")]
        parsed = feedparser.parse(path.read_bytes())
        titles = {entry.title: entry for entry in parsed.entries}
        if ENCODED_TEXT in titles:
            entry = titles[ENCODED_TEXT]
            assert entry.title_detail.type == "text/plain", path
            terms = {tag.term for tag in entry.get("tags", [])}
            assert "Cat <script>window.pwned=5</script>" in terms, path
        assert not [t for t in titles if t.startswith("Raw") and t != RAW_TEXT], path


def test_emails_hold_the_titles_as_text() -> None:
    for title, text in ((ENCODED_TITLE, ENCODED_TEXT), (RAW_TITLE, RAW_TEXT)):
        edition = render_edition(post(title=title), options())
        assert edition.subject == text
        page = BeautifulSoup(edition.html, "html.parser")
        assert page.title.get_text() == text and page.h1.get_text() == text
        assert not page.find_all("script") and not page.find_all("img", src="x")
        assert text in edition.text


class _NoCspHandler(SimpleHTTPRequestHandler):
    """Serves a folder as a host that sends no Content-Security-Policy would."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def no_csp_site(output: Path) -> Iterator[str]:
    handler = functools.partial(_NoCspHandler, directory=str(output))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.browser
def test_chromium_runs_none_of_it(page: Any, output: Path, no_csp_site: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visited = 0
    for path in hostile_pages(output):
        url = "/" + str(path.relative_to(output)).removesuffix("index.html")
        page.goto(no_csp_site + url)
        assert page.evaluate("() => window.pwned") is None, url
        assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"]').length") == 0
        visited += 1
    assert visited >= 8 and dialogs == []
