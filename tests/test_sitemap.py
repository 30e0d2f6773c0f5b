"""sitemap.xml and robots.txt: the URL list and its XML (unit), the settings, and the sample
site and an imported WordPress export built and validated against the sitemaps.org schema."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from condividi.build import build_site
from condividi.config import ConfigError
from condividi.sitemap.config import SitemapConfig, sitemap_config
from condividi.sitemap.urls import (
    SITEMAP_NS,
    XHTML_NS,
    SitemapUrl,
    collect_urls,
    render_robots,
    render_sitemap,
    w3c_datetime,
    wants_listing,
)
from tests.conftest import copy_project
from tests.test_migrate_end_to_end import PAGES, PUBLISHED, UPLOADS, import_command
from tests.translations_support import (  # noqa: F401 (a fixture)
    ENGLISH,
    ITALIAN,
    SITEURL,
    UNLISTED,
    TranslatedSite,
    translated_site,
)

SCHEMA = Path(__file__).parent / "schemas" / "xhtml-link.xsd"
ROME = ZoneInfo("Europe/Rome")
NS = {"s": SITEMAP_NS, "x": XHTML_NS}


def schema_errors(path: Path) -> list[str]:
    """Validate ``path`` against the sitemaps.org schema (with the xhtml:link alternates)."""
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    document = etree.parse(str(path))
    if schema.validate(document):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log]


def listed(output: Path) -> dict[str, etree._Element]:
    """Return the sitemap's ``<url>`` elements of ``output`` by their ``<loc>``."""
    document = etree.parse(str(output / "sitemap.xml"))
    return {node.findtext("s:loc", namespaces=NS): node for node in document.iterfind("s:url", NS)}


def post(url: str, lang: str = "it", **extra: object) -> SimpleNamespace:
    fields = {"url": url, "lang": lang, "title": url, "translations": [], "metadata": {}}
    return SimpleNamespace(**{**fields, **extra})


# Unit: the list and its XML.


def test_lastmod_is_the_modified_date_else_the_date() -> None:
    written = datetime(2026, 3, 9, 10, 30, tzinfo=ROME)
    changed = datetime(2026, 4, 1, 8, 0, tzinfo=ROME)
    urls = collect_urls(
        [post("a/", date=written, modified=changed), post("b/", date=written, modified=None)],
        [],
        "https://blog.example.org",
        "it",
    )
    assert [(u.loc, u.lastmod) for u in urls] == [
        ("https://blog.example.org/a/", "2026-04-01T08:00:00+02:00"),
        ("https://blog.example.org/b/", "2026-03-09T10:30:00+01:00"),
    ]
    assert w3c_datetime(None) == ""


def test_a_translation_pair_lists_both_versions_and_x_default_both_ways() -> None:
    italian = post("saggio/", "it")
    english = post("en/saggio/", "en", translations=[italian])
    italian.translations = [english]
    urls = collect_urls([italian, english], [], "https://blog.example.org", "it")
    expected = (
        ("en", "https://blog.example.org/en/saggio/"),
        ("it", "https://blog.example.org/saggio/"),
        ("x-default", "https://blog.example.org/saggio/"),
    )
    assert [u.alternates for u in urls] == [expected, expected]


def test_sitemap_no_and_excluded_paths_are_left_out() -> None:
    assert not wants_listing(post("a/", metadata={"sitemap": "no"}))
    assert not wants_listing(post("a/", metadata={"sitemap": "False"}))
    assert wants_listing(post("a/", metadata={"sitemap": "yes"}))
    urls = collect_urls(
        [post("a/", metadata={"sitemap": "no"}), post("b/"), post("c/")],
        [("", []), ("tag/x/", [])],
        "https://blog.example.org",
        "it",
        exclude_paths=("c/", "tag/x/"),
    )
    assert [u.loc for u in urls] == ["https://blog.example.org/b/", "https://blog.example.org/"]


def test_the_xml_is_schema_valid_and_escapes_addresses(tmp_path: Path) -> None:
    urls = [
        SitemapUrl("https://blog.example.org/?a=1&b=2", "2026-03-09"),
        SitemapUrl(
            "https://blog.example.org/perché/",
            "2026-03-09T10:30:00+01:00",
            (
                ("it", "https://blog.example.org/perché/"),
                ("x-default", "https://blog.example.org/perché/"),
            ),
        ),
    ]
    path = tmp_path / "sitemap.xml"
    path.write_bytes(render_sitemap(urls))
    assert schema_errors(path) == []
    assert b"?a=1&amp;b=2" in path.read_bytes()


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_bytes(render_sitemap([SitemapUrl("https://blog.example.org/", "9 marzo 2026")]))
    assert schema_errors(path)
    path.write_bytes(
        render_sitemap([SitemapUrl("https://blog.example.org/", "", (("italiano!", "x"),))])
    )
    assert schema_errors(path)


def test_more_urls_than_a_file_holds_is_an_error() -> None:
    with pytest.raises(ValueError, match="50000"):
        render_sitemap([SitemapUrl(f"https://e.org/{n}/") for n in range(50_001)])


def test_robots_names_the_sitemap() -> None:
    text = render_robots("https://blog.example.org/sitemap.xml")
    assert "User-agent: *\nDisallow:\n" in text
    assert text.endswith("Sitemap: https://blog.example.org/sitemap.xml\n")
    assert "Sitemap:" not in render_robots(None)


def test_settings_are_read_and_checked() -> None:
    assert sitemap_config({}) == SitemapConfig()
    assert sitemap_config({"SITEMAP_SAVE_AS": ""}).save_as == ""
    with pytest.raises(ConfigError, match="SITEMAP_SAVE_AS"):
        sitemap_config({"SITEMAP_SAVE_AS": "/sitemap.xml"})
    with pytest.raises(ConfigError, match="SITEMAP_EXTRA_PATHS"):
        sitemap_config({"SITEMAP_EXTRA_PATHS": ["/cerca/"]})
    with pytest.raises(ConfigError, match="SITEMAP_ROBOTS_SAVE_AS"):
        sitemap_config({"SITEMAP_ROBOTS_SAVE_AS": 0})


# Build: the sample site, with a translation pair, an unlisted post and old addresses.


def test_the_sample_sitemap_is_schema_valid(translated_site: TranslatedSite) -> None:  # noqa: F811
    assert schema_errors(translated_site.output / "sitemap.xml") == []


def test_the_sample_sitemap_lists_every_published_page_and_nothing_else(
    translated_site: TranslatedSite,  # noqa: F811
) -> None:
    output = translated_site.output
    locs = set(listed(output))
    expected = {
        f"{SITEURL}/{path}"
        for path in (
            "",
            "archivio/",
            ITALIAN,
            ENGLISH,
            "crisi-di-reputazione-sui-social-le-prime-24-ore/",
            "metriche-di-vanita-e-metriche-utili-come-misurare-i-contenuti/",
            "dipendenti-ambasciatori-linkedin-e-la-voce-delle-persone/",
            "la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti/",
            "en/why-we-left-the-share-button-scripts-behind/",
            "chi-sono/",
            "newsletter/",
            "privacy/",
            "iscriviti/",
            "en/subscribe/",
            "categoria/strategia/",
            "categoria/social-media/",
            "categoria/newsletter/",
        )
    }
    tags = {
        f"{SITEURL}/tag/{folder.name}/"
        for folder in (output / "tag").iterdir()
        if (folder / "index.html").is_file()
    }
    assert len(tags) > 10
    assert locs == expected | tags
    # Never: drafts, hidden confirmation pages, the 404, old addresses, a `Sitemap: no` post.
    for path in (
        "appunti-sul-marketing-nelle-piccole-citta/",
        "previsioni-per-il-2031-il-social-media-manager-che-verra/",
        "newsletter/confermata/",
        "newsletter/controlla/",
        "404.html",
        "2013/05/perche-le-aziende/",
        "vecchio.html",
        UNLISTED,
    ):
        assert f"{SITEURL}/{path}" not in locs, path
    assert (output / UNLISTED / "index.html").is_file()  # published, only not listed
    assert (output / "2013/05/perche-le-aziende/index.html").is_file()


def test_the_sample_sitemap_dates_and_alternates(translated_site: TranslatedSite) -> None:  # noqa: F811
    urls = listed(translated_site.output)
    crisis = urls[f"{SITEURL}/crisi-di-reputazione-sui-social-le-prime-24-ore/"]
    assert crisis.findtext("s:lastmod", namespaces=NS) == "2026-11-03T18:00:00+01:00"
    assert urls[f"{SITEURL}/"].findtext("s:lastmod", namespaces=NS) == "2026-11-18T10:00:00+01:00"
    pair = {
        (link.get("hreflang"), link.get("href"))
        for link in urls[f"{SITEURL}/{ITALIAN}"].iterfind("x:link", NS)
    }
    assert pair == {
        ("it", f"{SITEURL}/{ITALIAN}"),
        ("en", f"{SITEURL}/{ENGLISH}"),
        ("x-default", f"{SITEURL}/{ITALIAN}"),
    }
    back = {
        (link.get("hreflang"), link.get("href"))
        for link in urls[f"{SITEURL}/{ENGLISH}"].iterfind("x:link", NS)
    }
    assert back == pair
    assert urls[f"{SITEURL}/chi-sono/"].find("x:link", NS) is None


def test_robots_txt_points_at_the_sitemap(translated_site: TranslatedSite) -> None:  # noqa: F811
    robots = (translated_site.output / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SITEURL}/sitemap.xml" in robots.splitlines()


def test_either_file_can_be_turned_off(make_site) -> None:
    output = make_site(overrides={"SITEMAP_SAVE_AS": ""})
    assert not (output / "sitemap.xml").exists()
    assert "Sitemap:" not in (output / "robots.txt").read_text(encoding="utf-8")
    output = make_site(overrides={"SITEMAP_ROBOTS_SAVE_AS": ""})
    assert (output / "sitemap.xml").is_file()
    assert not (output / "robots.txt").exists()


def test_a_robots_txt_of_the_site_is_kept(make_site) -> None:
    project = make_site.project
    (project / "content" / "extra").mkdir()
    (project / "content" / "extra" / "robots.txt").write_text("User-agent: *\nDisallow: /x/\n")
    output = make_site(
        overrides={
            "STATIC_PATHS": ["images", "extra/robots.txt"],
            "EXTRA_PATH_METADATA": {"extra/robots.txt": {"path": "robots.txt"}},
        }
    )
    assert (output / "robots.txt").read_text() == "User-agent: *\nDisallow: /x/\n"


def test_a_bad_setting_stops_the_build(make_site) -> None:
    with pytest.raises(Exception, match="SITEMAP_SAVE_AS"):
        make_site(overrides={"SITEMAP_SAVE_AS": "/sitemap.xml"})


# Build: a WordPress export imported, then published.


@pytest.fixture(scope="module")
def imported_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("wordpress-sitemap")
    project = copy_project(base)
    result = import_command(project, "--uploads", str(UPLOADS))
    assert result.returncode == 0, result.stdout + result.stderr
    return build_site(
        project / "publishconf.py",
        project / "output",
        {
            "SITEURL": "https://blog.example.org",
            "PATH": str(project / "content"),
            "CACHE_PATH": str(base / "cache"),
        },
    )


def test_an_imported_blog_gets_a_valid_sitemap_of_its_posts(imported_output: Path) -> None:
    assert schema_errors(imported_output / "sitemap.xml") == []
    locs = set(listed(imported_output))
    for slug in (*PUBLISHED, *PAGES):
        assert f"https://blog.example.org/{slug}/" in locs, slug
    for slug in ("bozza-idee-sparse", "in-attesa-di-revisione", "solo-per-me", "2024/03/benvenuti"):
        assert f"https://blog.example.org/{slug}/" not in locs, slug
    assert os.path.isfile(imported_output / "2024/03/benvenuti/index.html")
    # Every listed page was written, and each is an HTML page of the site, not a redirect.
    for loc in locs:
        path = loc.removeprefix("https://blog.example.org/")
        page = imported_output / path / "index.html" if path.endswith("/") or not path else None
        assert page is not None and page.is_file(), loc
        assert 'content="Condividi redirect"' not in page.read_text(encoding="utf-8")[:2048], loc


def test_hidden_pages_tell_search_engines_not_to_index_them(
    translated_site: TranslatedSite,  # noqa: F811
) -> None:
    output = translated_site.output
    hidden = (output / "newsletter/confermata/index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in hidden
    listed_page = (output / "chi-sono/index.html").read_text(encoding="utf-8")
    assert 'name="robots"' not in listed_page
