"""Feed entries: stable ids, absolute URLs in content, the post's image."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from condividi.feeds.config import FeedsConfig
from condividi.feeds.entries import (
    Enclosure,
    enclosure,
    entry_id,
    feed_item,
    image_url,
    xml_text,
)
from condividi.html import absolute_srcset, absolutize_html
from tests.feeds_support import Taxon, article, relative_urls

CONFIG = FeedsConfig(siteurl="https://blog.example.org", id_authority="example.org")
BASE = "https://blog.example.org/un-post/"


def test_id_is_a_tag_uri_of_the_slug() -> None:
    assert entry_id(article("un-post"), CONFIG) == "tag:example.org,2026:un-post"


def test_id_ignores_date_category_url_and_title() -> None:
    before = article("un-post")
    after = article(
        "un-post",
        date=datetime.fromisoformat("2027-01-01T08:00:00+01:00"),
        category=Taxon("Newsletter", "newsletter", "categoria/newsletter/"),
        url="2027/01/un-post.html",
        title="Un titolo nuovo",
    )
    assert entry_id(before, CONFIG) == entry_id(after, CONFIG)


def test_front_matter_id_wins() -> None:
    assert entry_id(article(metadata={"feedid": "vecchio-42"}), CONFIG) == (
        "tag:example.org,2026:vecchio-42"
    )
    assert entry_id(article(metadata={"id": "vecchio-43"}), CONFIG).endswith(":vecchio-43")
    both = article(metadata={"feedid": "a", "id": "b"})
    assert entry_id(both, CONFIG).endswith(":a")


@pytest.mark.parametrize(
    "uri",
    [
        "http://vecchioblog.example.com/?p=123",
        "https://blog.example.org/2019/05/post/",
        "tag:vecchioblog.example.com,2011:post-123",
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
    ],
)
def test_a_front_matter_uri_is_kept_as_it_is(uri: str) -> None:
    """A post migrated from WordPress keeps the guid its readers already have."""
    assert entry_id(article(metadata={"feedid": f"  {uri} "}), CONFIG) == uri


def test_id_encodes_characters_a_uri_cannot_carry() -> None:
    assert entry_id(article("perché sì"), CONFIG) == "tag:example.org,2026:perch%C3%A9%20s%C3%AC"


def test_authority_and_date_come_from_the_config() -> None:
    config = FeedsConfig(
        siteurl="https://x.org", id_authority="giulia@example.org", id_date="2011-05"
    )
    assert entry_id(article("a"), config) == "tag:giulia@example.org,2011-05:a"


def test_relative_urls_become_absolute_against_the_article() -> None:
    html = (
        '<p><a href="../chi-sono/">chi</a> <a href="#nota">nota</a> <a href="">qui</a>'
        '<img src="images/a.png" alt=""> <img src="/images/b.png" alt="">'
        '<img src="//cdn.example.org/c.png" alt=""></p>'
        '<video poster="poster.jpg"><source src="v.mp4"></video>'
    )
    result = absolutize_html(html, BASE)
    assert relative_urls(result) == []
    assert 'href="https://blog.example.org/chi-sono/"' in result
    assert 'href="https://blog.example.org/un-post/#nota"' in result
    assert 'href="https://blog.example.org/un-post/"' in result
    assert 'src="https://blog.example.org/un-post/images/a.png"' in result
    assert 'src="https://blog.example.org/images/b.png"' in result
    assert 'src="https://cdn.example.org/c.png"' in result
    assert 'poster="https://blog.example.org/un-post/poster.jpg"' in result
    assert 'src="https://blog.example.org/un-post/v.mp4"' in result


def test_urls_with_a_scheme_are_left_alone() -> None:
    html = (
        '<a href="mailto:giulia@example.org">m</a><a href="https://example.com/x">x</a>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="">'
    )
    assert absolutize_html(html, BASE) == html


def test_html_without_relative_urls_is_not_reserialised() -> None:
    html = "<p>Testo&nbsp;con <b>entità</b> &amp; niente link</p>"
    assert absolutize_html(html, BASE) is html


def test_srcset_candidates_are_each_resolved() -> None:
    assert absolute_srcset("a.png 1x, /b.png 2x,c.png 640w", BASE) == (
        "https://blog.example.org/un-post/a.png 1x, https://blog.example.org/b.png 2x, "
        "https://blog.example.org/un-post/c.png 640w"
    )
    assert absolute_srcset("a.png, b.png", BASE) == (
        "https://blog.example.org/un-post/a.png, https://blog.example.org/un-post/b.png"
    )
    # As in the HTML parsing rules, a comma inside a URL does not split it.
    one_url = absolute_srcset("a.png,b.png 2x", BASE)
    assert one_url == "https://blog.example.org/un-post/a.png,b.png 2x"
    html = '<img src="a.png" srcset="a.png 1x, https://cdn.example.org/b.png 2x" alt="">'
    assert relative_urls(absolutize_html(html, BASE)) == []


def test_xml_text_drops_what_xml_cannot_carry() -> None:
    assert xml_text("a\x00b\x0bc\x1fd\ttab\nline\ufffe") == "abcd\ttab\nline"


def test_image_from_front_matter_or_social_card() -> None:
    site = "https://blog.example.org"
    assert image_url(article(metadata={"image": "images/copertina.jpg"}), site) == (
        "https://blog.example.org/images/copertina.jpg"
    )
    assert image_url(article(metadata={"image": "{static}/images/c.jpg"}), site) == (
        "https://blog.example.org/images/c.jpg"
    )
    assert image_url(article(metadata={"image": "https://cdn.example.org/c.jpg"}), site) == (
        "https://cdn.example.org/c.jpg"
    )
    card = "https://blog.example.org/social/un-post.png"
    assert image_url(article(social_image=card), site) == card
    assert image_url(article(metadata={"image": "images/a.jpg"}, social_image=card), site) == (
        "https://blog.example.org/images/a.jpg"
    )
    assert image_url(article(), site) is None


def test_enclosure_is_sized_from_the_first_root_that_has_the_file(tmp_path: Path) -> None:
    output, content = tmp_path / "output", tmp_path / "content"
    (content / "images").mkdir(parents=True)
    (content / "images" / "c.jpg").write_bytes(b"x" * 1234)
    site = "https://blog.example.org"
    url = f"{site}/images/c.jpg"
    assert enclosure(url, site, [output, content]) == Enclosure(url, "image/jpeg", 1234)
    missing = enclosure(f"{site}/images/nope.png", site, [output, content])
    assert (missing.media_type, missing.length) == ("image/png", 0)
    assert enclosure("https://cdn.example.org/c.jpg", site, [content]).length == 0


def test_feed_item_has_everything_an_entry_needs() -> None:
    post = article(
        "un-post",
        modified=datetime.fromisoformat("2026-04-01T09:00:00+02:00"),
        content='<p><img src="images/a.png" alt="a"></p>',
        summary='<p>Vedi <a href="../altro/">altro</a>.</p>',
        metadata={"image": "images/a.png"},
    )
    item = feed_item(post, CONFIG)
    assert item.id == "tag:example.org,2026:un-post"
    assert item.url == "https://blog.example.org/un-post/"
    assert item.updated == post.modified and item.published == post.date
    assert item.categories == ("Strategia", "follower")
    assert item.authors[0].name == "Giulia Ferraris"
    assert item.authors[0].url == "https://blog.example.org/autore/giulia-ferraris/"
    assert (
        item.content == '<p><img alt="a" src="https://blog.example.org/un-post/images/a.png"></p>'
    )
    assert 'href="https://blog.example.org/altro/"' in item.summary
    assert item.image and item.image.url == "https://blog.example.org/images/a.png"
    assert item.lang == "it"


def test_language_is_a_valid_tag() -> None:
    assert feed_item(article(lang="it_IT"), CONFIG).lang == "it-IT"


def test_summary_only_items_carry_no_content() -> None:
    config = FeedsConfig(siteurl=CONFIG.siteurl, id_authority="example.org", summary_only=True)
    item = feed_item(article(), config)
    assert item.content is None and item.summary == "<p>Il riassunto.</p>"


def test_authors_are_not_linked_without_author_pages() -> None:
    item = feed_item(article(), CONFIG, author_pages=False)
    assert item.authors[0].url is None


def test_a_category_that_is_also_a_tag_is_listed_once() -> None:
    post = article(tags=[Taxon("Strategia"), Taxon("metriche")])
    assert feed_item(post, CONFIG).categories == ("Strategia", "metriche")
