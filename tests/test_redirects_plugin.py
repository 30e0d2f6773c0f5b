"""Builds with a redirect map: what they publish, and the maps that stop them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from condividi.build import BuildError
from tests.conftest import BuildSite
from tests.redirects_support import ENGLISH, ESSAY, LONG_OLD_PATH, RedirectedSite
from tests.test_html_validity import vnu_errors


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def write_map(make_site: BuildSite, text: str) -> Path:
    path = make_site.project / "content" / "redirects.txt"  # type: ignore[attr-defined]
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(output: Path) -> dict[str, bytes]:
    return {str(p.relative_to(output)): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def test_redirects_file_for_netlify_and_cloudflare(redirected_site: RedirectedSite) -> None:
    text = (redirected_site.output / "_redirects").read_text(encoding="utf-8")
    rules = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert rules == [
        f"/2013/05/perche-le-aziende/  {ESSAY}  301",
        f"/  p=123  {ESSAY}  301!",
        "/  page_id=7  /chi-sono/  301!",
        "/  cat=3  /categoria/social-media/  302!",
        f"/2014/01/perch%C3%A9-no/  {ENGLISH}  308",
        "/index.php  p=5  /chi-sono/  302!",
        "/vecchio.html  /chi-sono/  307",
        f"{LONG_OLD_PATH}  {ESSAY}  301",
        "/category/social/  /categoria/social-media/  301",
        "/feed/  /feeds/atom.xml  301",
        "/comments/feed/  /feeds/atom.xml  302",
    ]


def test_html_pages_at_the_old_paths(redirected_site: RedirectedSite) -> None:
    output, origin = redirected_site.output, redirected_site.server.url
    page = soup(output / "2013" / "05" / "perche-le-aziende" / "index.html")
    assert page.html["lang"] == "it"
    assert page.find("link", rel="canonical")["href"] == origin + ESSAY
    assert (
        page.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url={origin}{ESSAY}"
    )
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    link = page.find("a")
    assert link["href"] == origin + ESSAY
    assert link.get_text().startswith("Perché le aziende")
    assert "Questa pagina si è spostata" in page.find("h1").get_text()
    assert not page.find("script") and not page.find("link", rel="stylesheet")

    english = soup(output / "2014" / "01" / "perché-no" / "index.html")
    assert english.html["lang"] == "en"
    assert english.find("h1").get_text() == "This page has moved"
    assert (output / "vecchio.html").is_file()
    assert (output / LONG_OLD_PATH.strip("/") / "index.html").is_file()


def test_no_html_page_for_feeds_or_queries(redirected_site: RedirectedSite) -> None:
    output = redirected_site.output
    assert not (output / "feed").exists()
    assert not (output / "comments").exists()
    assert not (output / "index.php").exists()


def test_the_home_page_follows_old_shortlinks_with_a_deferred_script(
    redirected_site: RedirectedSite,
) -> None:
    output = redirected_site.output
    mapping = json.loads((output / "redirects" / "shortlinks.json").read_text(encoding="utf-8"))
    assert mapping == {
        "p=123": ESSAY,
        "page_id=7": "/chi-sono/",
        "cat=3": "/categoria/social-media/",
    }
    script = soup(output / "index.html").find("script", src="/theme/js/shortlinks.js")
    assert script.has_attr("defer")
    assert script["data-map"] == "/redirects/shortlinks.json"
    assert script["data-params"] == "cat p page_id"
    article = (output / ESSAY.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "shortlinks" not in article


def test_nginx_includes_beside_the_output(redirected_site: RedirectedSite) -> None:
    folder = redirected_site.project / "var" / "redirects"
    http = (folder / "http.conf").read_text(encoding="utf-8")
    assert (
        f'"/2014/01/perché-no/" "308 {redirected_site.server.url}{ENGLISH}$is_args$args";' in http
    )
    assert "if ($condividi_redirect_301)" in (folder / "server.conf").read_text(encoding="utf-8")
    assert not list(redirected_site.output.rglob("*.conf"))


@pytest.mark.vnu
def test_the_html_pages_are_valid(redirected_site: RedirectedSite) -> None:
    output = redirected_site.output
    pages = [
        output / "2013/05/perche-le-aziende/index.html",
        output / "2014/01/perché-no/index.html",
        output / "vecchio.html",
    ]
    assert vnu_errors(pages) == []


def test_a_bad_line_fails_the_build_naming_it_and_keeps_the_output(make_site: BuildSite) -> None:
    write_map(make_site, f"/old/ {ESSAY}\n")
    output = make_site()
    before = snapshot(output)
    write_map(make_site, f"/old/ {ESSAY}\n# fine\nold-post/ {ESSAY}\n")
    with pytest.raises(BuildError, match=r"content/redirects\.txt:3: 'old-post/' is not a path"):
        make_site()
    assert snapshot(output) == before


def test_a_target_the_site_does_not_have_fails_a_publish_build(make_site: BuildSite) -> None:
    output = make_site()
    before = snapshot(output)
    write_map(make_site, f"/a/ {ESSAY}\n/b/ /non-esiste/\n/c/ /?p=1\n")
    with pytest.raises(BuildError) as failure:
        make_site()
    assert failure.value.problems == [
        "redirects: content/redirects.txt:2: /b/ leads to /non-esiste/, which the site does not "
        "have (no non-esiste/index.html in the output)"
    ]
    assert snapshot(output) == before


def test_a_development_build_warns_and_leaves_the_redirect_out(
    make_site: BuildSite, caplog: pytest.LogCaptureFixture
) -> None:
    write_map(make_site, f"/a/ {ESSAY}\n/b/ /non-esiste/\n")
    with caplog.at_level(logging.WARNING):
        output = make_site(settings="pelicanconf.py")
    assert "content/redirects.txt:2: /b/ leads to /non-esiste/" in caplog.text
    assert "an error in a publish build" in caplog.text
    assert (output / "a" / "index.html").is_file()
    assert not (output / "b").exists()
    assert "/b/" not in (output / "_redirects").read_text(encoding="utf-8")


def test_an_old_path_that_is_a_page_fails_naming_both(make_site: BuildSite) -> None:
    write_map(make_site, "/chi-sono/ /privacy/\n")
    with pytest.raises(
        BuildError,
        match=r"content/redirects\.txt:1: /chi-sono/ is a page the "
        r"site writes \(content/pages/chi-sono\.md\): a redirect there would hide",
    ):
        make_site()


def test_a_loop_fails_the_build(make_site: BuildSite) -> None:
    write_map(make_site, "/a/ /b/\n/b/ /a/\n")
    with pytest.raises(BuildError, match=r"redirects\.txt:1: the redirects /a/ → /b/ → /a/"):
        make_site()


@pytest.mark.parametrize("settings", ["publishconf.py", "pelicanconf.py"])
def test_a_target_not_published_yet_waits(
    make_site: BuildSite, settings: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Pelican logs a warning once per process: each build has its own old paths.
    old = settings.split(".")[0]
    write_map(
        make_site,
        f"/{old}-draft/ /appunti-sul-marketing-nelle-piccole-citta/\n"
        f"/{old}-future/ /previsioni-per-il-2031-il-social-media-manager-che-verra/\n",
    )
    with caplog.at_level(logging.WARNING):
        output = make_site(settings=settings)
    assert "a post not published yet (content/articles/appunti-sul-marketing" in caplog.text
    assert "a post not published yet (content/articles/previsioni-per-il-2031" in caplog.text
    assert not (output / f"{old}-draft").exists()


def test_the_sites_own_redirects_file_is_kept_after_the_map(make_site: BuildSite) -> None:
    extra = make_site.project / "content" / "extra"  # type: ignore[attr-defined]
    extra.mkdir()
    (extra / "_redirects").write_text("/news/*  /:splat  301\n", encoding="utf-8")
    write_map(make_site, f"/old/ {ESSAY}\n")
    overrides = {
        "STATIC_PATHS": ["images", "extra/_redirects"],
        "EXTRA_PATH_METADATA": {"extra/_redirects": {"path": "_redirects"}},
    }
    text = (make_site(overrides=overrides) / "_redirects").read_text(encoding="utf-8")
    assert text.index(f"/old/  {ESSAY}  301") < text.index("/news/*  /:splat  301")
    assert "# The site's own _redirects (content/extra/_redirects):" in text
    assert (extra / "_redirects").read_text(encoding="utf-8") == "/news/*  /:splat  301\n"

    (extra / "_redirects").write_text("/old/  /altro/  302\n", encoding="utf-8")
    with pytest.raises(
        BuildError, match=r"also has; keep each in one place: content/extra/_redirects:1 \(/old/\)"
    ):
        make_site(overrides=overrides)


def test_without_a_map_nothing_is_published(make_site: BuildSite) -> None:
    output = make_site()
    assert not (output / "_redirects").exists()
    assert not (output / "redirects").exists()
    assert "shortlinks" not in (output / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_into_the_same_folder_takes_its_own_pages_for_its_own(
    make_site: BuildSite,
) -> None:
    # `make serve` rebuilds into output/ without emptying it: the pages written last time
    # are not pages of the site.
    from condividi.build import load_settings, run_pelican

    project = make_site.project  # type: ignore[attr-defined]
    write_map(make_site, f"/old/ {ESSAY}\n")
    settings = load_settings(
        project / "pelicanconf.py",
        {"PATH": str(project / "content"), "OUTPUT_PATH": str(project / "plain")},
    )
    run_pelican(settings)
    run_pelican(load_settings(project / "pelicanconf.py", settings))
    assert (project / "plain" / "old" / "index.html").is_file()


def test_settings_turn_the_pages_and_the_redirects_file_off(make_site: BuildSite) -> None:
    write_map(make_site, f"/old/ {ESSAY}\n/?p=1 {ESSAY}\n")
    output = make_site(
        overrides={
            "REDIRECTS_HTML_PAGES": False,
            "REDIRECTS_NETLIFY_SAVE_AS": "",
            "REDIRECTS_SHORTLINKS_SAVE_AS": "",
        }
    )
    assert not (output / "old").exists()
    assert not (output / "_redirects").exists()
    assert not (output / "redirects").exists()
    assert "shortlinks" not in (output / "index.html").read_text(encoding="utf-8")
    http = (make_site.project / "var" / "redirects" / "http.conf").read_text(encoding="utf-8")  # type: ignore[attr-defined]
    assert '"/old/"' in http


def test_the_nginx_includes_follow_the_map_when_it_empties(make_site: BuildSite) -> None:
    path = write_map(make_site, f"/old/ {ESSAY}\n")
    make_site()
    http = make_site.project / "var" / "redirects" / "http.conf"  # type: ignore[attr-defined]
    assert '"/old/"' in http.read_text(encoding="utf-8")
    path.unlink()
    make_site()
    assert '"/old/"' not in http.read_text(encoding="utf-8")
    assert "map $uri $condividi_redirect {" in http.read_text(encoding="utf-8")


def test_a_development_build_writes_no_nginx_includes(make_site: BuildSite) -> None:
    write_map(make_site, f"/old/ {ESSAY}\n")
    output = make_site(settings="pelicanconf.py")
    assert (output / "_redirects").is_file()
    assert not (make_site.project / "var" / "redirects").exists()  # type: ignore[attr-defined]


def test_a_category_of_unpublished_posts_only_waits(
    make_site: BuildSite, caplog: pytest.LogCaptureFixture
) -> None:
    articles = make_site.project / "content" / "articles"  # type: ignore[attr-defined]
    (articles / "in-arrivo.md").write_text(
        "Title: In arrivo\nDate: 2099-01-01 10:00\nCategory: Prossimamente\nTags: anteprima\n"
        "Lang: it\n\nEsce nel 2099.\n",
        encoding="utf-8",
    )
    write_map(
        make_site,
        "/category/prossimamente/ /categoria/prossimamente/\n"
        "/category/prossimamente/feed/ /feeds/categoria/prossimamente.atom.xml\n"
        "/tag/anteprima/feed/ /feeds/tag/anteprima.rss.xml\n"
        "/category/altro/ /categoria/non-esiste/\n",
    )
    with pytest.raises(BuildError, match=r"redirects\.txt:4: .*/categoria/non-esiste/"):
        make_site()  # a publish build: a target nobody will write is still an error
    write_map(
        make_site,
        "/category/prossimamente/ /categoria/prossimamente/\n"
        "/category/prossimamente/feed/ /feeds/categoria/prossimamente.atom.xml\n"
        "/tag/anteprima/feed/ /feeds/tag/anteprima.rss.xml\n",
    )
    with caplog.at_level(logging.WARNING):
        output = make_site()
    assert (
        "/category/prossimamente/ leads to /categoria/prossimamente/, a post not published yet "
        "(content/articles/in-arrivo.md: its category Prossimamente)" in caplog.text
    )
    assert "content/articles/in-arrivo.md: its tag anteprima" in caplog.text
    assert not (output / "category" / "prossimamente").exists()
