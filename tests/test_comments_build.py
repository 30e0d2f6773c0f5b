"""The built site: a comments section and counts on every post, per the COMMENTS_* settings."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup, Tag

from condividi.build import BuildError
from tests.comments_support import ARTICLE, HOSTED, OTHER_ARTICLE, client_settings
from tests.conftest import BuildSite

SITEURL = "https://blog.example.org"
ENGLISH = "why-we-left-the-share-button-scripts-behind"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(output: Path, slug: str = ARTICLE) -> BeautifulSoup:
    return soup(output / slug / "index.html")


def isso_client(page: BeautifulSoup) -> Tag | None:
    """Return Isso's client <script>, kept inert in a <template> until comments.js adds it
    (CSS selectors do not look inside templates)."""
    template = page.find("template", id="isso-client")
    return template.find("script") if template else None


def test_isso_section_and_counts(sample_output: Path) -> None:
    page = article(sample_output)
    siteurl = page.select_one("link[rel=canonical]")["href"].removesuffix(f"/{ARTICLE}/")
    section = page.select_one("section#commenti")
    assert section.h2.get_text() == "Commenti"
    thread = section.select_one("#isso-thread")
    assert thread["data-isso-id"] == f"/{ARTICLE}/"
    assert thread["data-title"].startswith("Perché le aziende")
    assert section.find("template", id="isso-client")
    # Isso's client comes from a script of the build that gives it the settings and texts of
    # the post's language; COMMENTS_ISSO_URL = "/isso" is on the site's own origin: a path.
    assert siteurl.startswith("http://127.0.0.1:")
    assert isso_client(page).attrs == {"src": "/theme/js/isso-it.js"}
    settings = client_settings(sample_output, "it")
    assert settings["data-isso"] == "/isso"
    assert settings["data-isso-lang"] == "it"
    count = page.select_one(".post-meta a.comment-count")
    assert count.get_text() == "Lascia un commento"
    assert count["href"] == f"/{ARTICLE}/#commenti"  # the theme's links are paths
    assert count["data-comments-count"] == f"/{ARTICLE}/"
    assert not page.select("[href*='comments-embed'], [src*='comments-embed']")
    script = page.select_one("head script[src$='/theme/js/site.js']")
    assert script["data-comments-server"] == "/isso"
    # The count texts, the same for every count of the page, come once, with the script.
    assert (script["data-count-zero"], script["data-count-one"], script["data-count-other"]) == (
        "Nessun commento",
        "{n} commento",
        "{n} commenti",
    )
    assert not page.select("[data-comments-count][data-count-zero]")
    assert (sample_output / "theme" / "js" / "site.js").is_file()


def test_english_post_gets_its_own_thread_and_english_texts(sample_output: Path) -> None:
    page = article(sample_output, f"en/{ENGLISH}")
    assert page.select_one("#isso-thread")["data-isso-id"] == f"/en/{ENGLISH}/"
    assert isso_client(page)["src"] == "/theme/js/isso-en.js"
    assert client_settings(sample_output, "en")["data-isso-lang"] == "en"
    assert page.select_one("section#commenti h2").get_text() == "Comments"
    count = page.select_one(".post-meta .comment-count")
    assert count.get_text() == "Leave a comment"
    script = page.select_one("head script[data-comments-server]")
    assert script["data-count-other"] == "{n} comments"


def test_every_listed_post_has_a_count(sample_output: Path) -> None:
    page = soup(sample_output / "index.html")
    summaries = page.select("article.summary")
    assert summaries
    for summary in summaries:
        count = summary.select_one(".post-meta a.comment-count")
        assert count["href"].endswith("/#commenti")
        assert count["data-comments-count"].endswith("/")
    assert page.select_one("head script[src$='/theme/js/site.js'][data-comments-server]")


def test_pages_without_posts_load_no_comment_script(sample_output: Path) -> None:
    page = soup(sample_output / "chi-sono" / "index.html")
    # site.js (share, search) loads everywhere; Isso's client and the comment server do not.
    assert not page.select("script[data-comments-server], script[src*='isso'], #commenti")


def test_comments_off_for_one_post(make_site: BuildSite) -> None:
    source = make_site.project / "content" / "articles" / f"{OTHER_ARTICLE}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Lang: it\n", "Lang: it\nComments: off\n", 1), encoding="utf-8")
    output = make_site(siteurl=SITEURL)
    closed = article(output, OTHER_ARTICLE)
    assert not closed.select("#commenti, #isso-thread, .comment-count, template")
    assert article(output).select_one("#isso-thread")
    listed = soup(output / "index.html").select(f"a.comment-count[href*='{OTHER_ARTICLE}']")
    assert listed == []


def test_bad_comments_front_matter_stops_the_build(make_site: BuildSite) -> None:
    source = make_site.project / "content" / "articles" / f"{OTHER_ARTICLE}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(
        text.replace("Lang: it\n", "Lang: it\nComments: forse\n", 1), encoding="utf-8"
    )
    with pytest.raises(BuildError, match=rf"{OTHER_ARTICLE}\.md: Comments: 'forse'"):
        make_site(siteurl=SITEURL)


def test_no_comments_at_all(make_site: BuildSite) -> None:
    output = make_site(siteurl=SITEURL, overrides={"COMMENTS_PROVIDER": "none"})
    for page in (article(output), soup(output / "index.html")):
        assert not page.select("#commenti, .comment-count, script[data-comments-server]")
        assert not page.select("script[src*='comments']")


def test_a_bad_setting_stops_the_build(make_site: BuildSite) -> None:
    with pytest.raises(BuildError, match="COMMENTS_PROVIDER = 'wordpress'"):
        make_site(siteurl=SITEURL, overrides={"COMMENTS_PROVIDER": "wordpress"})


def test_production_build_refuses_a_local_isso(make_site: BuildSite) -> None:
    with pytest.raises(BuildError, match="COMMENTS_ISSO_URL"):
        make_site(siteurl=SITEURL, overrides={"COMMENTS_ISSO_URL": "http://127.0.0.1:8080"})


@pytest.mark.parametrize("provider", sorted(HOSTED))
def test_hosted_service_is_described_not_loaded(make_site: BuildSite, provider: str) -> None:
    output = make_site(
        siteurl=SITEURL, overrides={"COMMENTS_PROVIDER": provider, **HOSTED[provider]}
    )
    page = article(output)
    section = page.select_one("section#commenti")
    consent = section.select_one(".comments-consent")
    embed = json.loads(consent["data-comments-embed"])
    assert embed["provider"] == provider
    assert embed["scripts"]
    assert section.select_one("button.comments-show").has_attr("hidden")
    assert section.select_one(".comments-embed")
    for element in page.find_all(["script", "link", "img", "iframe"]):
        if element.get("type") == "application/ld+json":
            continue  # data (the share capability's JSON-LD), not something loaded
        address = urljoin(f"{SITEURL}/{ARTICLE}/", element.get("src") or element.get("href"))
        assert address.startswith(f"{SITEURL}/"), f"{element} loads from elsewhere"
    count = page.select_one(".post-meta .comment-count")
    assert count.get_text() == "Lascia un commento"
    assert not count.has_attr("data-comments-count")
    assert not page.select("script[data-comments-server]")
    assert page.select_one("head script[src$='/theme/js/comments-embed.js'][defer]")
    assert page.select_one("head link[rel=stylesheet][href$='/theme/css/comments-embed.css']")
    assert not soup(output / "index.html").select("script[src*='comments']")
    no_js = section.select_one(".comments-nojs")
    assert "JavaScript" in no_js.get_text()
    if provider == "giscus":
        assert no_js.a["href"] == "https://github.com/giulia/blog/discussions"


def test_an_isso_on_another_host_keeps_its_absolute_url(make_site: BuildSite) -> None:
    output = make_site(
        siteurl=SITEURL, overrides={"COMMENTS_ISSO_URL": "https://commenti.example.org"}
    )
    page = article(output)
    assert client_settings(output, "it")["data-isso"] == "https://commenti.example.org"
    server = page.select_one("head script[data-comments-server]")["data-comments-server"]
    assert server == "https://commenti.example.org"


def test_a_page_with_comments_on_gets_a_comment_section(make_site: BuildSite) -> None:
    source = make_site.project / "content" / "pages" / "chi-sono.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Lang: it\n", "Lang: it\nComments: on\n", 1), encoding="utf-8")
    output = make_site(siteurl=SITEURL)
    page = soup(output / "chi-sono" / "index.html")
    section = page.select_one("article.page section#commenti")
    assert section.select_one("#isso-thread")["data-isso-id"] == "/chi-sono/"
    assert section.select_one("[data-comments-count='/chi-sono/']")
    assert page.select_one("script[data-comments-server][data-count-zero]")  # the count
    client = isso_client(page)
    assert client is not None and (output / client["src"].lstrip("/")).is_file()
    # The other pages still have none.
    assert not soup(output / "privacy" / "index.html").select("#commenti, #isso-thread")


@pytest.mark.parametrize("provider", ["giscus"])
def test_a_page_with_a_hosted_service_loads_it_on_a_click(
    make_site: BuildSite, provider: str
) -> None:
    source = make_site.project / "content" / "pages" / "chi-sono.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("Lang: it\n", "Lang: it\nComments: on\n", 1), encoding="utf-8")
    output = make_site(
        siteurl=SITEURL, overrides={"COMMENTS_PROVIDER": provider, **HOSTED[provider]}
    )
    page = soup(output / "chi-sono" / "index.html")
    assert page.select_one("section#commenti .comments-consent")
    assert page.select_one("head script[src$='/theme/js/comments-embed.js'][defer]")
