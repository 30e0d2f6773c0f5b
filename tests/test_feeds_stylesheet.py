"""The XSLT page a feed becomes in a browser: in the site's language, self-contained, valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from jinja2 import DictLoader, Environment, FileSystemLoader
from lxml import etree

from condividi import i18n
from condividi.config import ConfigError
from condividi.feeds.render import render_feed
from condividi.feeds.stylesheet import date_parts, month_names, render_stylesheet
from tests.conftest import ROOT
from tests.test_feeds_render import ITEMS, RSS_SPEC, SPEC, TRICKY_TITLE, item
from tests.test_html_validity import vnu_errors

SITEURL = "https://blog.example.org"


def context(lang: str = "it") -> dict[str, Any]:
    return {
        "SITEURL": SITEURL,
        "SITENAME": "Condividi",
        "THEME_STATIC_DIR": "theme",
        "DEFAULT_LANG": lang,
        "CONDIVIDI_LOCALEDIR": str(ROOT / "theme" / "translations"),
    }


def theme_env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(ROOT / "theme" / "templates")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)
    return env


def transform(feed: bytes, lang: str = "it") -> str:
    xslt = etree.XSLT(etree.fromstring(render_stylesheet(theme_env(), context(lang)).encode()))
    return str(xslt(etree.fromstring(feed)))


def test_date_pattern_and_months_follow_the_language() -> None:
    assert date_parts("it") == [
        ("day", ""),
        ("text", " "),
        ("month", ""),
        ("text", " "),
        ("year", ""),
    ]
    assert date_parts("en") == [
        ("month", ""),
        ("text", " "),
        ("day", ""),
        ("text", ", "),
        ("year", ""),
    ]
    assert month_names("it")[2] == "marzo" and month_names("en")[11] == "December"


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_a_feed_becomes_an_italian_page_explaining_how_to_subscribe(kind: str) -> None:
    spec = SPEC if kind == "atom" else RSS_SPEC
    page = BeautifulSoup(transform(render_feed(spec, ITEMS, kind)), "html.parser")
    assert page.html["lang"] == "it"
    assert page.h1.get_text() == "Condividi"
    text = page.get_text(" ")
    assert "lettore di feed" in text and "Copia questo indirizzo" in text
    assert page.select_one("code.feed-url").get_text() == spec.self_url
    assert page.find("a", href=f"{SITEURL}/newsletter/").get_text() == "iscriviti alla newsletter"
    entries = page.select(".feed-entries li")
    assert [li.a["href"] for li in entries] == [i.url for i in ITEMS]
    assert [li.time["datetime"] for li in entries] == ["2026-03-20", "2026-03-15", "2026-03-09"]
    assert entries[0].time.get_text(" ", strip=True) == "20 marzo 2026"


def test_the_page_follows_an_english_site() -> None:
    page = BeautifulSoup(transform(render_feed(SPEC, ITEMS, "atom"), "en"), "html.parser")
    assert page.html["lang"] == "en"
    assert "Subscribe with a feed reader" in page.get_text()
    assert page.select_one(".feed-entries time").get_text(" ", strip=True) == "March 20, 2026"


def test_the_page_loads_only_the_site_and_runs_no_script() -> None:
    tricky = item("strano", 1, title=TRICKY_TITLE)
    html = transform(render_feed(SPEC, [tricky, *ITEMS], "atom"))
    page = BeautifulSoup(html, "html.parser")
    assert not page.find("script") and not page.find("style")
    assert TRICKY_TITLE in page.select_one(".feed-entries a").get_text()
    for tag in page.find_all(True):
        assert not [name for name in tag.attrs if name == "style" or name.startswith("on")]
    for tag in page.find_all(["link", "img", "iframe"]):
        url = tag.get("href") or tag.get("src")
        assert url.startswith(f"{SITEURL}/"), url


@pytest.mark.vnu
def test_the_page_is_valid_html(tmp_path: Path) -> None:
    pages = []
    for kind, spec in (("atom", SPEC), ("rss", RSS_SPEC)):
        page = tmp_path / f"{kind}.html"
        page.write_text(transform(render_feed(spec, ITEMS, kind)), encoding="utf-8")
        pages.append(page)
    assert vnu_errors(pages) == []


def test_a_theme_without_the_template_gets_a_clear_error() -> None:
    env = Environment(loader=DictLoader({}))
    with pytest.raises(ConfigError, match="FEEDS_STYLESHEET_SAVE_AS"):
        render_stylesheet(env, context())


def test_every_feeds_message_is_in_both_catalogues() -> None:
    jinja = {"extensions": "jinja2.ext.i18n"}
    sources = [
        ("jinja2", ROOT / "theme/templates/feeds/stile.xsl", jinja),
        ("jinja2", ROOT / "theme/templates/partials/head_feeds.html", jinja),
        ("jinja2", ROOT / "theme/templates/partials/list_feeds.html", jinja),
        ("python", ROOT / "plugins/condividi/feeds/plan.py", {}),
    ]
    used = {
        message[1]
        for method, path, options in sources
        for message in extract_from_file(method, str(path), options=options)
    }
    assert len(used) > 10
    for lang in ("it", "en"):
        with (ROOT / "theme/translations" / lang / "LC_MESSAGES/feeds.po").open("rb") as po:
            catalogue = read_po(po)
        assert sorted(used - {m.id for m in catalogue}) == [], lang
