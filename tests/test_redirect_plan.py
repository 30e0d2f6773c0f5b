"""The map checked against a build: chains, loops, hidden pages, missing targets, HTML pages."""

from __future__ import annotations

import pytest

from condividi.migrate.redirect_map import parse_entries
from condividi.migrate.redirect_plan import (
    PlannedRedirect,
    is_feed,
    output_files,
    page_file,
    plan_redirects,
    resolve_chains,
)

SITE = {
    "index.html": "index.html in the output",
    "il-mio-post/index.html": "content/articles/il-mio-post.md",
    "perché/index.html": "perché/index.html in the output",
    "feeds/atom.xml": "feeds/atom.xml in the output",
    "chi-sono/index.html": "content/pages/chi-sono.md",
}


def plan(text: str, *, strict: bool = True, html_pages: bool = True, pending=None):
    return plan_redirects(
        parse_entries(text, "content/redirects.txt"),
        SITE,
        pending or {},
        strict=strict,
        html_pages=html_pages,
    )


@pytest.mark.parametrize(
    ("path", "files"),
    [
        ("/", ("index.html",)),
        ("/a/", ("a/index.html",)),
        ("/a", ("a", "a/index.html")),
        ("/perch%C3%A9/?x=1#top", ("perché/index.html",)),
        ("/feeds/atom.xml", ("feeds/atom.xml", "feeds/atom.xml/index.html")),
    ],
)
def test_the_output_files_of_a_site_path(path: str, files: tuple[str, ...]) -> None:
    assert output_files(path) == files


@pytest.mark.parametrize(
    ("source", "page"),
    [
        ("/2013/05/post/", "2013/05/post/index.html"),
        ("/2013/05/post", "2013/05/post/index.html"),
        ("/perch%C3%A9/", "perché/index.html"),
        ("/old.html", "old.html"),
        ("/OLD.HTM", "OLD.HTM"),
        ("/?p=123", None),
        ("/index.php?p=1", None),
        ("/page.php", None),
        ("/wp-content/uploads/a.jpg", None),
    ],
)
def test_which_old_paths_can_have_a_page(source: str, page: str | None) -> None:
    assert page_file(source) == page


@pytest.mark.parametrize(
    ("source", "target", "feed"),
    [
        ("/feed/", "/feeds/atom.xml", True),
        ("/comments/feed/", "/", True),
        ("/category/x/feed/", "/categoria/x/", True),
        ("/feed/atom/", "/x/", True),
        ("/?feed=rss2", "/", True),
        ("/old-rss", "/feeds/rss.xml", True),
        ("/feedback/", "/contatti/", False),
        ("/2013/05/post/", "/post/", False),
    ],
)
def test_feeds_are_told_apart(source: str, target: str, feed: bool) -> None:
    assert is_feed(source, target) is feed


def test_a_redirect_to_a_page_of_the_site_is_planned_with_its_html_page() -> None:
    result = plan("/2013/05/il-mio-post/ /il-mio-post/\n/?p=12 /il-mio-post/ 302\n")
    assert result.errors == result.warnings == []
    assert result.redirects == [
        PlannedRedirect(
            "/2013/05/il-mio-post/",
            "/il-mio-post/",
            301,
            "content/redirects.txt:1",
            "2013/05/il-mio-post/index.html",
        ),
        PlannedRedirect("/?p=12", "/il-mio-post/", 302, "content/redirects.txt:2", None),
    ]


def test_feeds_and_html_pages_off_get_no_page() -> None:
    result = plan("/feed/ /feeds/atom.xml\n/old/ /il-mio-post/\n", html_pages=False)
    assert [r.page for r in result.redirects] == [None, None]
    assert plan("/feed/ /feeds/atom.xml\n").redirects[0].page is None


def test_non_ascii_paths_match_the_files_the_site_wrote() -> None:
    result = plan("/vecchio/perché/ /perch%c3%a9/\n")
    assert result.errors == []
    assert result.redirects[0].target == "/perch%C3%A9/"
    assert result.redirects[0].page == "vecchio/perché/index.html"


def test_a_chain_is_published_as_one_redirect_to_the_last_target() -> None:
    result = plan("/a/ /b/\n/b/ /c/ 302\n/c/ /il-mio-post/\n")
    assert [(r.source, r.target, r.status) for r in result.redirects] == [
        ("/a/", "/il-mio-post/", 301),
        ("/b/", "/il-mio-post/", 302),
        ("/c/", "/il-mio-post/", 301),
    ]
    assert result.notes[0] == (
        "content/redirects.txt:1: /a/ → /b/ → /c/ → /il-mio-post/ (lines 1, 2, 3) "
        "is published as /a/ → /il-mio-post/"
    )


def test_a_loop_is_an_error_naming_its_lines_once() -> None:
    result = plan("/x/ /il-mio-post/\n/a/ /b/\n/b/ /c/\n/c/ /a/\n/d/ /a/\n")
    assert result.errors == [
        "content/redirects.txt:2: the redirects /a/ → /b/ → /c/ → /a/ make a loop "
        "(lines 2, 3, 4): change one of the targets"
    ]
    assert [r.source for r in result.redirects] == ["/x/"]


def test_resolve_chains_keeps_each_hop() -> None:
    hops, errors = resolve_chains(parse_entries("/a/ /b/\n/b/ /c/\n", "m"))
    assert errors == []
    assert [entry.number for entry in hops["/a/"]] == [1, 2]


def test_an_old_path_that_is_a_page_of_the_site_is_an_error_naming_both() -> None:
    result = plan("/chi-sono/ /il-mio-post/\n/perché /il-mio-post/\n")
    assert result.errors == [
        "content/redirects.txt:1: /chi-sono/ is a page the site writes "
        "(content/pages/chi-sono.md): a redirect there would hide the page; remove the line, "
        "or give the page another URL",
        "content/redirects.txt:2: /perch%C3%A9 is a page the site writes "
        "(perché/index.html in the output): a redirect there would hide the page; remove the "
        "line, or give the page another URL",
    ]
    assert result.redirects == []


def test_a_query_on_the_home_page_hides_nothing() -> None:
    assert plan("/?cat=3 /il-mio-post/\n").errors == []


def test_a_missing_target_is_an_error_in_a_publish_build_and_a_warning_otherwise() -> None:
    text = "# map\n/old/ /non-esiste/\n/ok/ /il-mio-post/\n"
    strict = plan(text)
    assert strict.errors == [
        "content/redirects.txt:2: /old/ leads to /non-esiste/, which the site does not have "
        "(no non-esiste/index.html in the output)"
    ]
    relaxed = plan(text, strict=False)
    assert relaxed.errors == []
    assert relaxed.warnings[0].startswith("content/redirects.txt:2: /old/ leads to /non-esiste/")
    assert "error in a publish build" in relaxed.warnings[0]
    assert [r.source for r in relaxed.redirects] == ["/ok/"]


def test_a_target_not_published_yet_waits_in_every_build() -> None:
    pending = {"/bozza/": "content/articles/bozza.md"}
    for strict in (True, False):
        result = plan("/old/ /bozza/\n", strict=strict, pending=pending)
        assert result.errors == [] and result.redirects == []
        assert result.warnings == [
            "content/redirects.txt:1: /old/ leads to /bozza/, a post not published yet "
            "(content/articles/bozza.md); the redirect is left out until it is"
        ]


def test_full_urls_and_targets_with_a_query() -> None:
    result = plan("/a/ https://altrove.example.org/x\n/c/ /?s=x\n/d/ /feeds/atom.xml\n")
    assert result.errors == []
    assert [r.target for r in result.redirects] == [
        "https://altrove.example.org/x",
        "/?s=x",
        "/feeds/atom.xml",
    ]


def test_two_old_paths_of_one_page_file_share_it() -> None:
    result = plan("/a /il-mio-post/\n/a/ /chi-sono/\n")
    assert [r.page for r in result.redirects] == ["a/index.html", None]
    assert "a/index.html is the page of /a" in result.notes[0]
