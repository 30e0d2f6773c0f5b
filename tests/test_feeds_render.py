"""Atom and RSS documents: valid, escaped, ordered, reproducible, with a hub, no stylesheet."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import feedparser
import pytest

from condividi.feeds import render
from condividi.feeds.entries import Enclosure, FeedItem, Person
from condividi.feeds.render import (
    EMPTY_FEED_DATE,
    FeedSpec,
    Format,
    feed_key,
    item_key,
    render_feed,
)
from tests.feeds_support import ATOM, CONTENT_ENCODED, atom_errors, parse, rss_errors

SPEC = FeedSpec(
    id="tag:example.org,2026:feeds/all",
    title="Condividi",
    subtitle="Saggi su marketing",
    home_url="https://blog.example.org/",
    self_url="https://blog.example.org/feeds/atom.xml",
    lang="it",
    author="Giulia Ferraris",
)
RSS_SPEC = dataclasses.replace(SPEC, self_url="https://blog.example.org/feeds/rss.xml")
TRICKY_TITLE = '"Tom & Jerry" <script>alert(1)</script>'
TRICKY_HTML = "<p>Fine di una sezione CDATA: ]]&gt; e ]]> e <![CDATA[ x ]]></p>"


def item(slug: str, day: int, **fields: object) -> FeedItem:
    values: dict[str, object] = {
        "id": f"tag:example.org,2026:{slug}",
        "title": f"Post {slug}",
        "url": f"https://blog.example.org/{slug}/",
        "published": datetime.fromisoformat(f"2026-03-{day:02d}T10:30:00+01:00"),
        "updated": datetime.fromisoformat(f"2026-03-{day:02d}T10:30:00+01:00"),
        "lang": "it",
        "authors": (Person("Giulia Ferraris", "https://blog.example.org/autore/giulia/"),),
        "categories": ("Strategia", "follower"),
        "summary": "<p>Il riassunto.</p>",
        "content": "<p>Il testo intero.</p>",
        "image": None,
    }
    values.update(fields)
    return FeedItem(**values)  # type: ignore[arg-type]


ITEMS = [
    item("terzo", 20, image=Enclosure("https://blog.example.org/images/c.jpg", "image/jpeg", 42)),
    item("secondo", 15, lang="en", updated=datetime.fromisoformat("2026-03-25T08:00:00+00:00")),
    item("primo", 9),
]


@pytest.mark.parametrize("items", [ITEMS, ITEMS[:1], []], ids=["three", "one", "empty"])
def test_atom_is_valid_rfc4287(items: list[FeedItem]) -> None:
    assert atom_errors(render_feed(SPEC, items, "atom")) == []


@pytest.mark.parametrize("items", [ITEMS, []], ids=["three", "empty"])
def test_rss_has_the_rss2_structure(items: list[FeedItem]) -> None:
    assert rss_errors(render_feed(RSS_SPEC, items, "rss"), RSS_SPEC.self_url) == []


def test_the_checks_can_fail() -> None:
    """The validators reject broken feeds, so passing them means something."""
    atom = render_feed(SPEC, ITEMS, "atom")
    assert atom_errors(atom.replace(b"<id>tag:example.org,2026:terzo</id>", b""))
    assert atom_errors(atom.replace(b"2026-03-20T10:30:00+01:00", b"ieri", 1))
    authorless = render_feed(SPEC, [item("solo", 1, authors=())], "atom")
    assert atom_errors(authorless) == []
    no_author = authorless.replace(b"<author>\n    <name>Giulia Ferraris</name>\n  </author>", b"")
    assert "must have an atom:author" in " ".join(atom_errors(no_author))
    rss = render_feed(RSS_SPEC, ITEMS, "rss")
    assert rss_errors(rss.replace(b' isPermaLink="false"', b""))
    assert rss_errors(rss.replace(b"+0100</pubDate>", b"CET 2026</pubDate>", 1))
    assert rss_errors(rss, "https://blog.example.org/altro.xml")


def test_entries_stay_newest_first_in_both_formats() -> None:
    atom = parse(render_feed(SPEC, ITEMS, "atom")).getroot()
    assert [e.findtext(f"{ATOM}id")[-5:] for e in atom.iter(f"{ATOM}entry")] == [
        "terzo",
        "condo",
        "primo",
    ]
    rss = parse(render_feed(RSS_SPEC, ITEMS, "rss")).getroot()
    assert [g.text.rsplit(":", 1)[1] for g in rss.iter("guid")] == ["terzo", "secondo", "primo"]


def test_feed_dates_come_from_the_newest_entry_not_the_clock() -> None:
    atom = parse(render_feed(SPEC, ITEMS, "atom")).getroot()
    assert atom.findtext(f"{ATOM}updated") == "2026-03-25T08:00:00+00:00"
    rss = parse(render_feed(RSS_SPEC, ITEMS, "rss")).getroot()
    assert rss.findtext("channel/lastBuildDate") == "Wed, 25 Mar 2026 08:00:00 +0000"
    empty = parse(render_feed(SPEC, [], "atom")).getroot()
    assert empty.findtext(f"{ATOM}updated") == EMPTY_FEED_DATE.isoformat()


def test_rendering_is_reproducible() -> None:
    for kind, spec in (("atom", SPEC), ("rss", RSS_SPEC)):
        assert render_feed(spec, ITEMS, kind) == render_feed(spec, list(ITEMS), kind)


def test_guid_is_not_a_permalink() -> None:
    rss = parse(render_feed(RSS_SPEC, ITEMS, "rss")).getroot()
    guids = rss.findall("channel/item/guid")
    assert {g.get("isPermaLink") for g in guids} == {"false"}


def test_entries_carry_summary_content_author_categories_language_and_image() -> None:
    atom = parse(render_feed(SPEC, ITEMS, "atom")).getroot()
    first, second = list(atom.iter(f"{ATOM}entry"))[:2]
    assert first.find(f"{ATOM}content").get("type") == "html"
    assert first.findtext(f"{ATOM}content") == "<p>Il testo intero.</p>"
    assert first.findtext(f"{ATOM}summary") == "<p>Il riassunto.</p>"
    assert first.findtext(f"{ATOM}author/{ATOM}name") == "Giulia Ferraris"
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["Strategia", "follower"]
    enclosure = first.find(f"{ATOM}link[@rel='enclosure']")
    assert (enclosure.get("href"), enclosure.get("type"), enclosure.get("length")) == (
        "https://blog.example.org/images/c.jpg",
        "image/jpeg",
        "42",
    )
    media = first.find("{http://search.yahoo.com/mrss/}content")
    assert (media.get("medium"), media.get("fileSize")) == ("image", "42")
    assert second.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"

    rss = parse(render_feed(RSS_SPEC, ITEMS, "rss")).getroot()
    first_item, second_item = rss.findall("channel/item")[:2]
    assert first_item.findtext("description") == "<p>Il riassunto.</p>"
    assert first_item.findtext(CONTENT_ENCODED) == "<p>Il testo intero.</p>"
    assert first_item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "Giulia Ferraris"
    assert [c.text for c in first_item.findall("category")] == ["Strategia", "follower"]
    assert first_item.find("enclosure").attrib == {
        "url": "https://blog.example.org/images/c.jpg",
        "length": "42",
        "type": "image/jpeg",
    }
    assert second_item.findtext("{http://purl.org/dc/elements/1.1/}language") == "en"


def test_summary_only_entries_have_no_content() -> None:
    short = [dataclasses.replace(i, content=None) for i in ITEMS]
    atom = render_feed(SPEC, short, "atom")
    assert atom_errors(atom) == []
    assert parse(atom).getroot().find(f"{ATOM}entry/{ATOM}content") is None
    rss = parse(render_feed(RSS_SPEC, short, "rss")).getroot()
    assert rss.find(f"channel/item/{CONTENT_ENCODED}") is None
    assert rss.findtext("channel/item/description") == "<p>Il riassunto.</p>"


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_markup_and_cdata_like_text_are_escaped(kind: str) -> None:
    spec = SPEC if kind == "atom" else RSS_SPEC
    tricky = item("strano", 1, title=TRICKY_TITLE, content=TRICKY_HTML, summary=TRICKY_HTML)
    data = render_feed(spec, [tricky], kind)
    assert b"<script>" not in data and b"<![CDATA[" not in data
    assert (atom_errors(data) if kind == "atom" else rss_errors(data)) == []
    root = parse(data).getroot()
    titles = [t.text for t in root.iter(f"{ATOM}title", "title")]
    assert TRICKY_TITLE in titles
    texts = [e.text for e in root.iter(f"{ATOM}content", CONTENT_ENCODED)]
    assert texts == [TRICKY_HTML]
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert "]]>" in parsed.entries[0].content[0].value.replace("]]&gt;", "]]>")
    assert "Tom & Jerry" in parsed.entries[0].title


def test_hub_and_self_links_in_both_formats() -> None:
    hub = "https://hub.example.org/"
    atom = parse(render_feed(dataclasses.replace(SPEC, hub=hub), ITEMS, "atom")).getroot()
    rels = {link.get("rel"): link.get("href") for link in atom.findall(f"{ATOM}link")}
    assert rels == {"self": SPEC.self_url, "hub": hub, "alternate": SPEC.home_url}
    rss = parse(render_feed(dataclasses.replace(RSS_SPEC, hub=hub), ITEMS, "rss")).getroot()
    links = {link.get("rel"): link.get("href") for link in rss.findall(f"channel/{ATOM}link")}
    assert links == {"self": RSS_SPEC.self_url, "hub": hub}
    assert rss.findtext("channel/link") == SPEC.home_url
    assert rss.find("channel/item") is not None
    without = parse(render_feed(SPEC, ITEMS, "atom")).getroot()
    assert "hub" not in {link.get("rel") for link in without.findall(f"{ATOM}link")}


@pytest.mark.parametrize("kind", ["atom", "rss"])
def test_no_stylesheet_instruction_only_the_xml_declaration(kind: Format) -> None:
    data = render_feed(SPEC if kind == "atom" else RSS_SPEC, ITEMS, kind)
    root = b"<feed" if kind == "atom" else b"<rss"
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n' + root)
    assert b"<?xml-stylesheet" not in data
    assert not feedparser.parse(data).bozo


def test_the_cache_key_changes_with_every_input_and_with_the_renderer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keys = [item_key(i) for i in ITEMS]
    base = feed_key(SPEC, keys, "atom")
    assert feed_key(SPEC, [item_key(i) for i in ITEMS], "atom") == base  # stable
    edited = dataclasses.replace(ITEMS[1], content="<p>Un paragrafo corretto.</p>")
    variants = {
        feed_key(SPEC, keys, "rss"),
        feed_key(RSS_SPEC, keys, "atom"),
        feed_key(dataclasses.replace(SPEC, title="Altro titolo"), keys, "atom"),
        feed_key(SPEC, keys[:2], "atom"),
        feed_key(SPEC, keys[::-1], "atom"),
        feed_key(SPEC, [keys[0], item_key(edited), keys[2]], "atom"),
        feed_key(SPEC, [item_key(dataclasses.replace(ITEMS[0], image=None)), *keys[1:]], "atom"),
    }
    assert base not in variants and len(variants) == 7
    monkeypatch.setattr(render, "_renderer", lambda: "another version of render.py")
    assert feed_key(SPEC, keys, "atom") != base
