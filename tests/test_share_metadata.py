"""Social metadata as data: locales, safe JSON-LD, descriptions, article and website shapes."""

from __future__ import annotations

import json
from types import SimpleNamespace

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from condividi.share.metadata import (
    Person,
    Sharing,
    SocialImage,
    absolute_url,
    article_meta,
    og_locale,
    plain_text,
    script_json,
    truncate,
    website_meta,
)
from tests.share_support import template_env

ENV = template_env()
IMAGE = SocialImage("https://blog.example.org/cards/a.png", "Titolo", 1200, 630, "image/png")


def test_og_locale_adds_the_likely_territory() -> None:
    assert og_locale("it") == "it_IT"
    assert og_locale("en") == "en_US"
    assert og_locale("pt-BR") == "pt_BR"
    assert og_locale("en_GB") == "en_GB"
    assert og_locale("not a language") == "not a language"


def test_plain_text_and_truncate() -> None:
    html = "<p>Perch&eacute; <em>no</em><!-- x -->\n  davvero</p>"
    assert plain_text(html) == "Perché no davvero"
    assert truncate("uno due tre", 50) == "uno due tre"
    cut = truncate("parola " * 100, 40)
    assert len(cut) <= 40
    assert cut.endswith("parola…")


def test_absolute_url_joins_once() -> None:
    assert absolute_url("https://b.example/", "/a/") == "https://b.example/a/"
    assert absolute_url("https://b.example", "") == "https://b.example/"


def test_article_meta_has_every_field_the_issue_lists() -> None:
    meta = article_meta(
        canonical="https://blog.example.org/a/",
        title="Perché sì",
        description="Sommario.",
        siteurl="https://blog.example.org",
        site_name="Condividi",
        lang="it",
        published="2026-03-09T10:30:00+01:00",
        tags=["follower", "strategia"],
        authors=[Person("Giulia Ferraris", "https://blog.example.org/autore/giulia-ferraris/")],
        image=IMAGE,
        alternate_langs=["en"],
    )
    assert (meta.kind, meta.locale, meta.alternate_locales) == ("article", "it_IT", ("en_US",))
    assert meta.modified == meta.published  # no Modified: front matter
    data = json.loads(meta.json_ld)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "Perché sì"
    assert data["datePublished"] == data["dateModified"] == "2026-03-09T10:30:00+01:00"
    assert data["author"] == [
        {
            "@type": "Person",
            "name": "Giulia Ferraris",
            "url": "https://blog.example.org/autore/giulia-ferraris/",
        }
    ]
    assert data["image"] == {"@type": "ImageObject", "url": IMAGE.url, "width": 1200, "height": 630}
    assert data["publisher"]["name"] == "Condividi"
    assert data["mainEntityOfPage"]["@id"] == "https://blog.example.org/a/"
    assert data["keywords"] == ["follower", "strategia"]


def test_website_meta_for_home_and_pages() -> None:
    common = {
        "canonical": "https://blog.example.org/",
        "title": "Condividi",
        "description": "Saggi",
        "siteurl": "https://blog.example.org",
        "site_name": "Condividi",
        "lang": "it",
    }
    home = json.loads(website_meta(**common, home=True).json_ld)
    page = json.loads(website_meta(**common).json_ld)
    assert home["@type"] == "WebSite" and "publisher" in home
    assert page["@type"] == "WebPage" and page["isPartOf"]["@type"] == "WebSite"
    assert "image" not in page  # no empty values


@settings(max_examples=150, deadline=None)
@given(value=st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_script_json_never_closes_its_script_element(value: str) -> None:
    text = script_json({"headline": value, "x": "</script><script>alert(1)</script>"})
    assert "<" not in text and ">" not in text
    assert json.loads(text)["headline"] == value


@settings(max_examples=100, deadline=None)
@given(
    title=st.one_of(
        st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1),
        st.just('</script><script>alert("x")</script> & "quotes" \'single\''),
    )
)
def test_rendered_head_keeps_every_value_inside_its_tag(title: str) -> None:
    meta = article_meta(
        canonical="https://blog.example.org/a/?q=1&r=2",
        title=title,
        description=title,
        siteurl="https://blog.example.org",
        site_name=title,
        lang="it",
        published="2026-03-09T10:30:00+01:00",
        tags=[title],
        image=SocialImage("https://blog.example.org/c.png", title, 1200, 630, "image/png"),
    )
    article = SimpleNamespace(sharing=Sharing(meta.canonical, title, meta, ()))
    html = ENV.get_template("partials/head_share.html").render(
        article=article, SITEURL="https://blog.example.org", THEME_STATIC_DIR="theme"
    )
    soup = BeautifulSoup(html, "html.parser")
    assert {tag.name for tag in soup.find_all(True)} == {"link", "meta", "script"}
    scripts = soup.find_all("script")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0].string)["headline"] == truncate(title, 110)
    values = {m.get("property") or m.get("name"): m["content"] for m in soup.find_all("meta")}
    assert values["og:title"] == values["twitter:title"] == title
    assert values["og:site_name"] == values["og:image:alt"] == title
    assert values["article:tag"] == title
    assert soup.find("link", rel="canonical")["href"] == "https://blog.example.org/a/?q=1&r=2"
