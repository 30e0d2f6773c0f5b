"""End to end: the sample site, plus awkward posts, built with the feeds plugin."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest
from babel.dates import format_date
from bs4 import BeautifulSoup
from pelican import signals
from PIL import Image

from condividi.build import BuildError, build_site
from tests.conftest import BuildSite, copy_project
from tests.feeds_support import (
    ATOM,
    atom_errors,
    entry_html,
    entry_ids,
    feed_files,
    parse,
    relative_urls,
    rss_errors,
)

SITEURL = "https://blog.example.org"
TRICKY_TITLE = '"Tom & Jerry" <script>alert(1)</script>'
TRICKY_POST = f"""Title: {TRICKY_TITLE}
Date: 2026-05-05 10:00
Category: Strategia
Tags: prova, feed
Slug: tom-e-jerry
Summary: Un riassunto con un [link relativo](../chi-sono/) e ]]> in mezzo.
Image: images/copertina.png
FeedId: http://vecchioblog.example.com/?p=42

Testo con ![figura](images/figura.png), un [collegamento](../chi-sono/) e una [nota](#nota).

<img src="foto/a.png" srcset="foto/a.png 1x, /foto/b.png 2x" alt="Una foto">

<video poster="poster.jpg" src="video.mp4" controls></video>

Una sequenza che chiude un CDATA: ]]> e anche `<![CDATA[ x ]]>` nel codice.
"""
HIDDEN_POST = """Title: Un post nascosto dai feed
Date: 2026-06-01 10:00
Category: Strategia
Status: hidden

Questo post ha un indirizzo ma non compare negli elenchi né nei feed.
"""


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 63), "#336699").save(buffer, format="PNG")
    return buffer.getvalue()


IMAGE = _png()


def add_posts(project: Path) -> None:
    """Add an awkward post (with its image) and a hidden one to a copied project."""
    articles = project / "content" / "articles"
    (articles / "tom-e-jerry.md").write_text(TRICKY_POST, encoding="utf-8")
    (articles / "nascosto.md").write_text(HIDDEN_POST, encoding="utf-8")
    (project / "content" / "images").mkdir(exist_ok=True)
    (project / "content" / "images" / "copertina.png").write_bytes(IMAGE)


feed_ids_seen: dict[str, str] = {}


def remember_feed_ids(generator: Any, writer: Any) -> None:
    feed_ids_seen.update({a.slug: a.feed_id for a in generator.articles})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample site plus the awkward posts, built once with publishconf.py."""
    base = tmp_path_factory.mktemp("feeds")
    project = copy_project(base)
    add_posts(project)
    signals.article_writer_finalized.connect(remember_feed_ids)
    try:
        yield build_site(
            project / "publishconf.py",
            project / "output",
            {"SITEURL": SITEURL, "PATH": str(project / "content"), "CACHE_PATH": str(base / "c")},
        )
    finally:
        signals.article_writer_finalized.disconnect(remember_feed_ids)


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_site_category_and_tag_feeds_are_written(site: Path) -> None:
    names = {str(p.relative_to(site)) for p in feed_files(site)}
    assert {"feeds/atom.xml", "feeds/rss.xml"} <= names
    assert {"feeds/categoria/strategia.atom.xml", "feeds/categoria/strategia.rss.xml"} <= names
    assert {"feeds/tag/linkedin.atom.xml", "feeds/tag/linkedin.rss.xml"} <= names
    assert not (site / "feeds" / "stile.xsl").exists()
    assert not (site / "feeds" / "all.atom.xml").exists()  # Pelican's own feeds stay off
    assert not list((site / "feeds").glob("*.atom.xml"))


def test_every_atom_feed_is_valid_rfc4287(site: Path) -> None:
    atoms = [p for p in feed_files(site) if p.name.endswith("atom.xml")]
    assert len(atoms) > 10
    for path in atoms:
        assert atom_errors(path) == [], path


def test_every_rss_feed_has_the_rss2_structure(site: Path) -> None:
    feeds = [p for p in feed_files(site) if p.name.endswith("rss.xml")]
    assert len(feeds) > 10
    for path in feeds:
        assert rss_errors(path, f"{SITEURL}/{path.relative_to(site)}") == [], path


def test_feedparser_reads_every_feed_without_complaint(site: Path) -> None:
    for path in feed_files(site):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
        assert parsed.version in ("atom10", "rss20")


def test_every_url_in_entry_content_is_absolute(site: Path) -> None:
    fragments = [html for path in feed_files(site) for html in entry_html(path)]
    assert any("foto/b.png" in html for html in fragments)
    for html in fragments:
        assert relative_urls(html) == []
    atom = parse(site / "feeds" / "atom.xml").getroot()
    tricky = next(e for e in atom.iter(f"{ATOM}entry") if "Tom" in e.findtext(f"{ATOM}title"))
    content = tricky.findtext(f"{ATOM}content")
    assert f'src="{SITEURL}/tom-e-jerry/images/figura.png"' in content
    assert f'href="{SITEURL}/chi-sono/"' in content
    assert f'href="{SITEURL}/tom-e-jerry/#nota"' in content
    assert f'srcset="{SITEURL}/tom-e-jerry/foto/a.png 1x, {SITEURL}/foto/b.png 2x"' in content
    assert f'poster="{SITEURL}/tom-e-jerry/poster.jpg"' in content
    assert f'href="{SITEURL}/chi-sono/"' in tricky.findtext(f"{ATOM}summary")


def test_awkward_title_and_cdata_like_text_are_escaped(site: Path) -> None:
    for name in ("atom.xml", "rss.xml"):
        data = (site / "feeds" / name).read_bytes()
        assert b"<script>" not in data and b"<![CDATA[" not in data
        entry = next(e for e in feedparser.parse(data).entries if "Tom" in e.title)
        assert entry.title.startswith('"Tom & Jerry"')
        assert "]]&gt;" in entry.content[0].value


def test_entries_carry_image_author_language_and_categories(site: Path) -> None:
    parsed = feedparser.parse((site / "feeds" / "rss.xml").read_bytes())
    tricky = next(e for e in parsed.entries if "Tom" in e.title)
    enclosure = tricky.enclosures[0]
    assert enclosure.href == f"{SITEURL}/images/copertina.png"
    assert (enclosure.type, int(enclosure.length)) == ("image/png", len(IMAGE))
    assert (site / "images" / "copertina.png").is_file()
    assert tricky.author == "Giulia Ferraris"
    assert [t.term for t in tricky.tags] == ["Strategia", "prova", "feed"]
    english = next(e for e in parsed.entries if e.link.startswith(f"{SITEURL}/en/"))
    assert english.language == "en"
    atom = parse(site / "feeds" / "atom.xml").getroot()
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "it"


def test_ids_follow_the_rule_and_are_exposed_on_articles(site: Path) -> None:
    ids = entry_ids(site / "feeds" / "atom.xml")
    slug = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"
    assert ids[f"{SITEURL}/{slug}/"] == f"tag:www.example.org,2026:{slug}"
    assert ids[f"{SITEURL}/tom-e-jerry/"] == "http://vecchioblog.example.com/?p=42"
    assert feed_ids_seen[slug] == f"tag:www.example.org,2026:{slug}"
    assert feed_ids_seen["tom-e-jerry"] == "http://vecchioblog.example.com/?p=42"


def test_category_and_tag_feeds_hold_their_own_posts(site: Path) -> None:
    category = feedparser.parse((site / "feeds/categoria/social-media.atom.xml").read_bytes())
    assert category.feed.title == "Condividi · categoria Social media"
    assert category.feed.link == f"{SITEURL}/categoria/social-media/"
    assert {e.tags[0].term for e in category.entries} == {"Social media"}
    tag = feedparser.parse((site / "feeds/tag/linkedin.rss.xml").read_bytes())
    assert tag.entries and all("linkedin" in {t.term for t in e.tags} for e in tag.entries)


def test_drafts_hidden_and_future_posts_are_in_no_feed(site: Path) -> None:
    every_feed = b"".join(path.read_bytes() for path in feed_files(site)).decode()
    for words in (
        "Appunti sul marketing nelle piccole",  # Status: draft
        "appunti-sul-marketing",
        "Previsioni per il 2031",  # dated in the future
        "previsioni-per-il-2031",
        "Un post nascosto dai feed",  # Status: hidden
        "nascosto",
    ):
        assert words not in every_feed, words
    assert (site / "un-post-nascosto-dai-feed" / "index.html").is_file()


def test_every_page_announces_the_site_feeds(site: Path) -> None:
    for page in ("index.html", "chi-sono/index.html", "tom-e-jerry/index.html"):
        links = soup(site / page).select("head link[rel=alternate]")
        assert [(link["type"], link["href"]) for link in links] == [
            ("application/rss+xml", f"{SITEURL}/feeds/rss.xml"),
            ("application/atom+xml", f"{SITEURL}/feeds/atom.xml"),
        ], page
        assert links[0]["title"] == "Condividi (RSS)"


@pytest.mark.parametrize(
    ("page", "feed", "text"),
    [
        ("categoria/strategia/index.html", "categoria/strategia", "Feed RSS di questa categoria"),
        ("tag/linkedin/index.html", "tag/linkedin", "Feed RSS di questo tag"),
    ],
)
def test_list_pages_announce_and_show_their_own_feed(
    site: Path, page: str, feed: str, text: str
) -> None:
    html = soup(site / page)
    hrefs = [link["href"] for link in html.select("head link[rel=alternate]")]
    assert hrefs[2:] == [f"{SITEURL}/feeds/{feed}.rss.xml", f"{SITEURL}/feeds/{feed}.atom.xml"]
    address = html.select_one("main .list-feed input.feed-url")
    assert address["value"] == f"{SITEURL}/feeds/{feed}.rss.xml"
    assert "readonly" in address.attrs
    assert html.find("label", attrs={"for": address["id"]}).get_text() == text
    assert html.select_one("main .list-feed a")["href"] == "/iscriviti/"
    assert html.select_one("script[src='/theme/js/feeds.js']")


def test_rebuilding_gives_identical_feeds_and_moves_keep_ids(make_site: BuildSite) -> None:
    project: Path = make_site.project  # type: ignore[attr-defined]
    add_posts(project)
    first = make_site()
    before = {p.relative_to(first): p.read_bytes() for p in (first / "feeds").rglob("*.x*")}
    second = make_site()
    after = {p.relative_to(second): p.read_bytes() for p in (second / "feeds").rglob("*.x*")}
    assert before.keys() == after.keys() and len(before) > 20
    assert [name for name in before if before[name] != after[name]] == []

    slug = "la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti"
    url = f"{SITEURL}/{slug}/"
    old_id = entry_ids(second / "feeds" / "atom.xml")[url]
    source = project / "content" / "articles" / f"{slug}.md"
    text = source.read_text(encoding="utf-8")
    text = text.replace("Date: 2026-04-22 08:45", "Date: 2026-04-24 18:00")
    text = text.replace("Category: Newsletter", "Category: Social media")
    source.write_text(text, encoding="utf-8")
    third = make_site()
    assert entry_ids(third / "feeds" / "atom.xml")[url] == old_id
    moved = entry_ids(third / "feeds" / "categoria" / "social-media.atom.xml")
    assert moved[url] == old_id


def test_feeds_are_rendered_once_then_linked_from_the_cache(make_site: BuildSite) -> None:
    project: Path = make_site.project  # type: ignore[attr-defined]
    cache = project.parent / "cache" / "feeds"
    first = make_site()
    feeds = feed_files(first)
    made = {path: path.stat().st_mtime_ns for path in cache.glob("*.xml")}
    assert len(feeds) > 20 and len(made) == len({p.stat().st_ino for p in feeds})

    second = make_site()
    for path in feed_files(second):
        assert path.stat().st_nlink >= 2  # the output shares the cached file
    assert {path: path.stat().st_mtime_ns for path in cache.glob("*.xml")} == made

    slug = "la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti"
    source = project / "content" / "articles" / f"{slug}.md"
    source.write_text(
        source.read_text(encoding="utf-8") + "\nUna frase aggiunta dopo la pubblicazione.\n",
        encoding="utf-8",
    )
    third = make_site()
    assert b"Una frase aggiunta" in (third / "feeds" / "atom.xml").read_bytes()
    untouched = third / "feeds" / "categoria" / "strategia.atom.xml"
    assert b"Una frase aggiunta" not in untouched.read_bytes()
    assert untouched.stat().st_mtime_ns in made.values()  # not rendered again
    assert len(list(cache.glob("*.xml"))) > len(made)  # the old versions wait out the grace


def test_switches_limits_and_summaries(make_site: BuildSite) -> None:
    output = make_site(
        overrides={
            "FEEDS_TAGS": False,
            "FEEDS_MAX_ITEMS": 2,
            "FEEDS_SUMMARY_ONLY": True,
            "FEEDS_PAGE_SLUGS": {},
        }
    )
    assert not (output / "feeds" / "tag").exists()
    assert not soup(output / "tag" / "linkedin" / "index.html").select(".list-feed")
    # No subscribe page: the site's feed links lead to the feed itself.
    assert not (output / "iscriviti").exists() and not (output / "en" / "subscribe").exists()
    assert soup(output / "index.html").select_one("footer a.rss-link")["href"] == "/feeds/rss.xml"
    for path in feed_files(output):
        root = parse(path.read_bytes()).getroot()
        assert len(root.findall(f"{ATOM}entry") + root.findall("channel/item")) <= 2
        assert root.find(f"{ATOM}entry/{ATOM}content") is None
        assert root.find("channel/item/{http://purl.org/rss/1.0/modules/content/}encoded") is None
    assert atom_errors(output / "feeds" / "atom.xml") == []


def test_development_build_keeps_drafts_out_of_feeds(make_site: BuildSite) -> None:
    output = make_site(settings="pelicanconf.py")
    assert list((output / "drafts").rglob("*.html"))  # drafts are previewed locally...
    every_feed = b"".join(path.read_bytes() for path in feed_files(output))
    assert b"appunti-sul-marketing" not in every_feed  # ...but never announced
    assert b"previsioni-per-il-2031" not in every_feed


def test_a_bad_setting_stops_the_build(make_site: BuildSite) -> None:
    with pytest.raises(BuildError, match="FEEDS_ID_DATE"):
        make_site(overrides={"FEEDS_ID_DATE": "ieri"})
    with pytest.raises(BuildError, match="FEEDS_STYLESHEET_SAVE_AS was removed"):
        make_site(overrides={"FEEDS_STYLESHEET_SAVE_AS": "feeds/stile.xsl"})


def test_no_xml_file_of_the_site_asks_for_a_stylesheet(site: Path) -> None:
    files = list(site.rglob("*.xml")) + list(site.rglob("*.xsl"))
    assert len(files) > 20
    assert [p for p in files if p.suffix == ".xsl" or b"<?xml-stylesheet" in p.read_bytes()] == []


# --- The subscribe page: where the site's "RSS feed" links lead a reader who clicks ---


def test_the_subscribe_page_explains_feeds_and_gives_their_addresses(site: Path) -> None:
    page = soup(site / "iscriviti" / "index.html")
    assert page.html["lang"] == "it"
    assert page.title.get_text() == "Iscriviti · Condividi"
    assert page.h1.get_text() == "Iscriviti"
    text = page.main.get_text(" ")
    assert "lettore di feed" in text and "Un feed è l'elenco" in text
    addresses = {
        page.find("label", attrs={"for": field["id"]}).get_text(): field["value"]
        for field in page.select("main input.feed-url[readonly]")
    }
    assert addresses == {
        "Feed RSS": f"{SITEURL}/feeds/rss.xml",
        "Feed Atom": f"{SITEURL}/feeds/atom.xml",
    }
    buttons = page.select("main button[data-copy][hidden]")  # feeds.js reveals them
    assert [b["data-copy"] for b in buttons] == [f["id"] for f in page.select("input.feed-url")]
    assert page.select_one("head script[src='/theme/js/feeds.js'][defer]")
    # The newsletter instead, and the same site feeds in the head as on every page.
    assert page.select_one("main form.newsletter-form input[name=lang]")["value"] == "it"
    assert [link["href"] for link in page.select("head link[rel=alternate]")] == [
        f"{SITEURL}/feeds/rss.xml",
        f"{SITEURL}/feeds/atom.xml",
    ]
    # No inline script or style of the theme's (a post's title is the author's own HTML).
    inline = [s for s in page.find_all("script", src=False) if not s.find_parent("a")]
    assert inline == [] and not page.find(style=True)


def test_the_subscribe_page_lists_the_newest_posts_of_the_feed_with_their_dates(
    site: Path,
) -> None:
    page = soup(site / "iscriviti" / "index.html")
    listed = [(li.a["href"], li.time["datetime"]) for li in page.select("main ul.archive li")]
    feed = feedparser.parse((site / "feeds" / "rss.xml").read_bytes())
    newest = [entry.link.removeprefix(SITEURL) for entry in feed.entries[:10]]
    assert [href for href, _ in listed] == newest and len(listed) >= 6
    dates = [datetime.fromisoformat(date) for _, date in listed]
    assert dates == sorted(dates, reverse=True)
    shown = [time.get_text() for time in page.select("main ul.archive time")]
    assert shown == [format_date(date, "medium", locale="it") for date in dates]


def test_every_rss_link_of_the_site_leads_to_the_page_in_the_readers_language(
    site: Path,
) -> None:
    english = next((site / "en").glob("why-*/index.html"))
    for path, target in (
        (site / "index.html", "/iscriviti/"),
        (site / "tom-e-jerry" / "index.html", "/iscriviti/"),
        (site / "chi-sono" / "index.html", "/iscriviti/"),
        (site / "iscriviti" / "index.html", "/iscriviti/"),
        (english, "/en/subscribe/"),
        (site / "en" / "subscribe" / "index.html", "/en/subscribe/"),
    ):
        links = soup(path).select("a.rss-link")
        assert links and {link["href"] for link in links} == {target}, path


def test_the_english_subscribe_page_is_english(site: Path) -> None:
    page = soup(site / "en" / "subscribe" / "index.html")
    assert page.html["lang"] == "en"
    assert page.h1.get_text() == "Subscribe"
    assert "With a feed reader" in page.main.get_text()
    assert "lettore" not in page.main.get_text()
    assert page.select_one("label[for=feed-rss]").get_text() == "RSS feed"
    assert page.select_one("main form.newsletter-form input[name=lang]")["value"] == "en"
    first = page.select_one("main ul.archive time")
    date = datetime.fromisoformat(first["datetime"])
    assert first.get_text() == format_date(date, "medium", locale="en")  # "Nov 18, 2026"


def test_the_subscribe_page_shows_ten_posts_of_a_longer_feed(make_site: BuildSite) -> None:
    project: Path = make_site.project  # type: ignore[attr-defined]
    articles = project / "content" / "articles"
    for day in range(1, 13):
        (articles / f"nota-{day:02d}.md").write_text(
            f"Title: Nota {day}\nDate: 2025-01-{day:02d} 10:00\nCategory: Note\n\nTesto.\n",
            encoding="utf-8",
        )
    output = make_site()
    listed = soup(output / "iscriviti" / "index.html").select("main ul.archive li")
    assert len(listed) == 10
    assert len(feedparser.parse((output / "feeds" / "rss.xml").read_bytes()).entries) > 10
