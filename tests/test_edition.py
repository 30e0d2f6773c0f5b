"""The email edition renderer, without a build: links, images, preheader, tags, size."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import markdown
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from condividi.config import ConfigError
from condividi.newsletter.config import PROVIDER_NAMES
from condividi.newsletter.edition import (
    CONTENT_WIDTH,
    UNSUBSCRIBE_PLACEHOLDER,
    UNSUBSCRIBE_TAGS,
    EditionOptions,
    EditionTooLarge,
    Manifest,
    ManifestError,
    WithheldPost,
    add_utm,
    build_edition,
    edition_config,
    edition_options,
    edition_record,
    image_size_from_folder,
    is_site_url,
    preheader_text,
    read_manifest,
    render_edition,
    share_pairs,
    with_unsubscribe_tag,
    write_manifest,
)
from tests.conftest import ROOT
from tests.edition_support import image_post_body, long_post_body

SITE = "https://blog.example.org"
ROME = ZoneInfo("Europe/Rome")
BODY = """
<p>Primo paragrafo con un <a href="/archivio/">link interno</a>, uno
<a href="../altro-post/">relativo</a>, una <a href="#nota">nota</a> e uno
<a href="https://it.wikipedia.org/wiki/Newsletter">esterno</a>.</p>
<p><img src="/images/grande.png" alt="Un grafico"></p>
<p><img src="immagini/senza-alt.jpg" srcset="immagini/a.jpg 1x, /images/b.jpg 2x"></p>
<h2 id="nota">Una nota</h2>
<p>Scrivimi a <a href="mailto:giulia@example.org">giulia@example.org</a>.</p>
<iframe src="https://www.youtube-nocookie.com/embed/xyz"></iframe>
<script>alert("no")</script>
<p onclick="alert(1)">Fine.<!-- nota per me --></p>
<!-- PELICAN_END_SUMMARY -->
"""


def options(**changes: Any) -> EditionOptions:
    base = EditionOptions(
        siteurl=SITE,
        sitename="Condividi",
        templates=ROOT / "theme" / "templates" / "emails",
        localedir=ROOT / "theme" / "translations",
    )
    return dataclasses.replace(base, **changes)


def post(**changes: Any) -> SimpleNamespace:
    fields: dict[str, Any] = {
        "title": "La newsletter, il canale che nessun algoritmo può toglierti",
        "content": BODY,
        "summary": "<p>Una lista di indirizzi resta <em>nostra</em>: ecco perché.</p>",
        "url": "la-newsletter/",
        "slug": "la-newsletter",
        "lang": "it",
        "date": datetime(2026, 4, 22, 8, 45, tzinfo=ROME),
        "tags": ["newsletter", "strategia"],
    }
    return SimpleNamespace(**{**fields, **changes})


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def body_links(html: str) -> list[str]:
    return [a["href"] for a in soup(html).select(".content a[href]")]


def test_every_url_is_absolute() -> None:
    page = soup(render_edition(post(), options()).html)
    urls = [tag["href"] for tag in page.find_all(href=True)]
    urls += [tag["src"] for tag in page.find_all(src=True)]
    urls += [c.split()[0] for tag in page.find_all(srcset=True) for c in tag["srcset"].split(",")]
    assert urls
    for url in urls:
        assert url.startswith(("https://", "mailto:")) or url == UNSUBSCRIBE_PLACEHOLDER, url
    links = body_links(str(page))
    assert f"{SITE}/archivio/" in links
    assert f"{SITE}/altro-post/" in links  # resolved against the post's own URL
    assert f"{SITE}/la-newsletter/#nota" in links
    assert f"{SITE}/la-newsletter/immagini/senza-alt.jpg" in str(page)
    assert f"{SITE}/images/b.jpg 2x" in str(page)


def test_images_get_alt_and_a_width_that_fits_the_column() -> None:
    sizes = {f"{SITE}/images/grande.png": (1200, 800)}
    edition = render_edition(post(), options(image_size=sizes.get))
    big, unknown = soup(edition.html).select(".content img")
    assert big["alt"] == "Un grafico"
    assert (big["width"], big["height"]) == (str(CONTENT_WIDTH), str(round(800 * 560 / 1200)))
    assert unknown["alt"] == ""  # present, so screen readers skip it rather than read the URL
    assert unknown["width"] == str(CONTENT_WIDTH) and not unknown.has_attr("height")
    for img in (big, unknown):
        assert "width:100%" in img["style"] and f"max-width:{img['width']}px" in img["style"]


def test_a_small_image_keeps_its_own_size() -> None:
    content = '<p><img src="/images/icona.png" alt="Icona" width="64" height="32"></p>'
    img = soup(render_edition(post(content=content), options()).html).select_one(".content img")
    assert (img["width"], img["height"]) == ("64", "32")


def test_preheader_comes_from_the_summary_and_is_hidden() -> None:
    edition = render_edition(post(), options())
    assert edition.preheader == "Una lista di indirizzi resta nostra: ecco perché."
    hidden = soup(edition.html).select_one("body > div[aria-hidden=true]")
    assert hidden.get_text().startswith(edition.preheader)
    assert "display: none" in hidden["style"] and "mso-hide: all" in hidden["style"]
    assert edition.preheader not in edition.text  # the text part starts with the post itself


def test_long_summaries_are_cut_at_a_word() -> None:
    summary = "parola " * 60
    text = preheader_text(summary)
    assert len(text) <= 150 and text.endswith("parola…")


def test_without_a_summary_the_preheader_is_the_first_paragraph() -> None:
    edition = render_edition(post(summary=None), options())
    assert edition.preheader.startswith("Primo paragrafo con un link interno")


def test_unsubscribe_tag_for_every_provider() -> None:
    assert set(UNSUBSCRIBE_TAGS) == set(PROVIDER_NAMES)
    edition = render_edition(post(), options())
    assert f'href="{UNSUBSCRIBE_PLACEHOLDER}"' in edition.html
    expected = {
        "buttondown": "{{ unsubscribe_url }}",
        "kit": "{{ unsubscribe_url }}",
        "mailchimp": "*|UNSUB|*",
        "listmonk": "{{ UnsubscribeURL }}",
        "mailerlite": "{$unsubscribe}",
        "brevo": "{{ unsubscribe }}",
        "local": UNSUBSCRIBE_PLACEHOLDER,
        "mailman": UNSUBSCRIBE_PLACEHOLDER,
    }
    for provider, tag in expected.items():
        tagged = with_unsubscribe_tag(edition, provider)
        assert f'href="{tag}"' in tagged.html, provider
        assert f"<{tag}>" in tagged.text, provider
        if tag != UNSUBSCRIBE_PLACEHOLDER:
            assert UNSUBSCRIBE_PLACEHOLDER not in tagged.html + tagged.text, provider
    with pytest.raises(ValueError, match="'sendgrid' is not known"):
        with_unsubscribe_tag(edition, "sendgrid")


def test_utm_tags_only_on_links_to_the_site() -> None:
    share = [("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={SITE}/x/")]
    edition = render_edition(post(share_links=share), options(utm=True, utm_campaign="aprile"))
    page = soup(edition.html)
    for a in page.find_all("a", href=True):
        href = a["href"]
        query = parse_qs(urlsplit(href).query)
        if is_site_url(href, SITE):
            assert query["utm_source"] == ["newsletter"], href
            assert query["utm_medium"] == ["email"] and query["utm_campaign"] == ["aprile"]
        else:
            assert not any(name.startswith("utm_") for name in query), href
    read_more = page.select_one("a.button-link")["href"]
    assert read_more.startswith(f"{SITE}/la-newsletter/?utm_source=newsletter")
    flat = " ".join(edition.text.split())
    assert f"{SITE}/la-newsletter/?utm_source=newsletter&utm_medium=email" in flat
    assert "utm_" not in "".join(img["src"] for img in page.find_all("img"))
    # The edition's own URL, used as its identity, stays clean.
    assert edition.url == f"{SITE}/la-newsletter/" and edition.key == edition.url


def test_no_utm_tags_unless_asked() -> None:
    assert "utm_" not in render_edition(post(), options()).html


def test_add_utm_respects_the_site_path_and_existing_tags() -> None:
    site = "https://example.org/blog"
    assert add_utm("https://example.org/blog/x/#y", site, "c").endswith("&utm_campaign=c#y")
    assert add_utm("https://example.org/blogger/", site, "c") == "https://example.org/blogger/"
    assert add_utm("https://example.org/blog/?utm_source=x", site, "c").count("utm_") == 1
    assert add_utm("https://example.org/blog/?p=1", site, "c").startswith(
        "https://example.org/blog/?p=1&utm_source="
    )


def test_plain_text_has_every_link() -> None:
    share = [("Mastodon", "https://s2f.kytta.dev/?text=x")]
    edition = render_edition(post(share_links=share), options())
    for href in body_links(edition.html):
        if "#" not in href:
            assert f"<{href}>" in edition.text, href
    flat = " ".join(edition.text.split())
    assert f"Leggi sul sito <{SITE}/la-newsletter/>" in flat
    assert "Mastodon <https://s2f.kytta.dev/?text=x>" in flat
    assert f"Annulla l'iscrizione <{UNSUBSCRIBE_PLACEHOLDER}>" in flat
    assert "[Un grafico]" in edition.text
    assert "Una nota\n--------" in edition.text
    assert "<p" not in edition.text and "<!--" not in edition.text
    assert max(len(line) for line in edition.text.splitlines() if "<http" not in line) <= 78


def test_what_mail_clients_cannot_run_or_play_goes() -> None:
    edition = render_edition(post(), options())
    page = soup(edition.html)
    assert not page.find(["script", "iframe", "style", "link"])
    assert not [t for t in page.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert "nota per me" not in edition.html and "PELICAN" not in edition.html + edition.text
    notice = page.find("a", string="Questa parte del saggio si può vedere sul sito.")
    assert notice["href"] == f"{SITE}/la-newsletter/"


def test_the_layout_is_email_safe() -> None:
    edition = render_edition(post(), options())
    page = soup(edition.html)
    card = page.select_one("table.card")
    assert card["role"] == "presentation" and "max-width: 600px" in card["style"]
    assert "<!--[if mso]><table" in edition.html  # Outlook's fixed-width frame
    button_cell = page.select_one("td.button-cell")
    assert button_cell["bgcolor"] and "background-color" in button_cell["style"]
    assert "padding: 12px 24px" in page.select_one("a.button-link")["style"]
    assert 'name="robots" content="noindex' in edition.html


def test_share_links_when_the_post_has_them() -> None:
    links = [
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?u=x"),
        {"label": "Email", "url": "mailto:?subject=x"},
        SimpleNamespace(name="Bluesky", url="https://bsky.app/intent/compose?text=x"),
        ("Copia", "javascript:copy()"),
    ]
    edition = render_edition(post(share_links=links), options())
    share = soup(edition.html).select_one("p.share")
    assert share.get_text().startswith("Condividi questo saggio:")
    assert [a.get_text() for a in share.find_all("a")] == ["Facebook", "Email", "Bluesky"]
    assert share_pairs(None) == []
    assert soup(render_edition(post(), options()).html).select_one("p.share") is None


def test_english_posts_get_the_english_frame() -> None:
    edition = render_edition(post(lang="en", url="en/x/", summary="A summary."), options())
    page = soup(edition.html)
    assert page.html["lang"] == "en"
    assert page.select_one("a.button-link").get_text() == "Read it on the site"
    assert "April 22, 2026" in edition.text and "minute read" in edition.text
    assert "Unsubscribe <" in edition.text
    italian = render_edition(post(), options())
    assert "22 aprile 2026" in italian.text and "Leggi sul sito" in italian.text


def test_the_edition_carries_the_post_identity() -> None:
    edition = render_edition(post(feed_id="tag:blog.example.org,2026:la-newsletter"), options())
    assert edition.key == "tag:blog.example.org,2026:la-newsletter"
    assert edition.subject == "La newsletter, il canale che nessun algoritmo può toglierti"
    assert edition.published == datetime(2026, 4, 22, 8, 45, tzinfo=ROME)
    assert edition.tags == ("newsletter", "strategia") and edition.lang == "it"


def html_post(markdown_body: str, **changes: Any) -> SimpleNamespace:
    return post(content=markdown.markdown(markdown_body), **changes)


def test_a_10000_word_post_stays_under_100_kb() -> None:
    body = long_post_body(10_000)
    assert 10_000 <= len(body.split()) < 11_000
    build = build_edition(html_post(body), options())
    assert build.html_bytes <= 100_000
    assert build.truncated, "10,000 words of HTML with inline styles do not fit in 100 KB"
    page = soup(build.edition.html)
    assert page.select_one("a.button-link").get_text() == "Continua a leggere"
    assert "il resto è sul sito" in page.select_one("p.more").get_text()


def test_the_cut_falls_between_blocks_and_never_after_a_heading() -> None:
    source = html_post(long_post_body(10_000))
    for max_bytes in (30_000, 45_000, 60_000, 100_000):
        build = build_edition(source, options(max_bytes=max_bytes))
        assert build.html_bytes <= max_bytes
        content = soup(build.edition.html).select_one("div.content")
        kept = content.find_all(recursive=False)
        original = soup(source.content).find_all(recursive=False)
        assert len(kept) == build.blocks_kept < build.blocks_total == len(original)
        # Whole blocks, in order: each kept block has the full text of its original.
        for mine, theirs in zip(kept, original, strict=False):
            assert mine.name == theirs.name and mine.get_text() == theirs.get_text()
        assert kept[-1].name not in ("h1", "h2", "h3", "h4", "h5", "h6")
        # The text part stops where the HTML does.
        assert original[len(kept)].get_text()[:60] not in build.edition.text


def test_a_short_post_is_not_cut() -> None:
    build = build_edition(post(), options())
    assert not build.truncated and build.blocks_kept == build.blocks_total
    assert soup(build.edition.html).select_one("p.more") is None


def test_many_images_and_links_stay_under_the_limit() -> None:
    body = image_post_body(images=150, links=450)
    build = build_edition(html_post(body), options())
    assert build.html_bytes <= 100_000
    images = soup(build.edition.html).select(".content img")
    assert images and all(img.has_attr("alt") and img["width"] for img in images)


def test_when_not_even_the_frame_fits_the_error_names_the_post() -> None:
    with pytest.raises(EditionTooLarge, match="'la-newsletter'"):
        build_edition(post(), options(max_bytes=2_000))


def test_settings_are_checked() -> None:
    assert edition_config({}).max_bytes == 100_000
    with pytest.raises(ConfigError, match="NEWSLETTER_EDITION_MAX_BYTES = 500 is too small"):
        edition_config({"NEWSLETTER_EDITION_MAX_BYTES": 500})
    with pytest.raises(ConfigError, match=r"NEWSLETTER_EDITION_PREVIEW_PATH = '\.\./fuori'"):
        edition_config({"NEWSLETTER_EDITION_PREVIEW_PATH": "../fuori"})
    with pytest.raises(ConfigError, match="NEWSLETTER_EDITION_PREVIEW = 'sì' is not valid"):
        edition_config({"NEWSLETTER_EDITION_PREVIEW": "sì"})
    settings = {"SITEURL": "", "THEME": str(ROOT / "theme"), "SITENAME": "Condividi"}
    with pytest.raises(ConfigError, match="SITEURL = '' is not valid for newsletter editions"):
        edition_options(settings, environ={})
    with pytest.raises(ConfigError, match=r"has no templates/emails/edition\.html"):
        edition_options({**settings, "SITEURL": SITE, "THEME": "/nessun/tema"}, environ={})
    ready = edition_options({**settings, "SITEURL": SITE + "/", "NEWSLETTER_UTM": True}, {})
    assert ready.siteurl == SITE and ready.utm and ready.utm_campaign == "newsletter"


def test_image_sizes_are_read_from_the_built_site(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (900, 300)).save(tmp_path / "images" / "foto.png")
    (tmp_path / "images" / "rotta.png").write_bytes(b"not an image")
    size = image_size_from_folder(tmp_path, SITE)
    assert size(f"{SITE}/images/foto.png") == (900, 300)
    assert size(f"{SITE}/images/rotta.png") is None
    assert size(f"{SITE}/images/manca.png") is None
    assert size("https://altrove.example/images/foto.png") is None
    assert size(f"{SITE}/../../etc/passwd") is None


def test_the_manifest_round_trips_and_swaps_the_tag(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "editions"
    first = build_edition(post(), options())
    second = build_edition(post(lang="en", url="en/x/", slug="x"), options())
    withheld = WithheldPost("Bozza", "bozza", "it", "articles/bozza.md", "draft", None)
    manifest = Manifest(
        siteurl=SITE,
        editions=(edition_record(post(), first), edition_record(post(slug="x"), second)),
        withheld=(withheld,),
    )
    write_manifest(folder, manifest)
    assert read_manifest(folder) == manifest
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    assert [entry["html"] for entry in index["editions"]] == ["it/la-newsletter.html", "en/x.html"]
    assert index["editions"][0]["html_bytes"] == first.html_bytes
    mailchimp = read_manifest(folder, provider="mailchimp")
    assert all("*|UNSUB|*" in record.edition.html for record in mailchimp.editions)
    # A second write replaces the whole set at once; nothing of the old one is left.
    write_manifest(folder, dataclasses.replace(manifest, editions=manifest.editions[:1]))
    assert not (folder / "en").exists()
    assert [p.name for p in folder.parent.iterdir()] == ["editions"]


def test_a_missing_or_broken_manifest_is_named(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="make publish"):
        read_manifest(tmp_path)
    (tmp_path / "index.json").write_text("{", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"index\.json: cannot be read"):
        read_manifest(tmp_path)
    (tmp_path / "index.json").write_text('{"format": 1, "siteurl": "x", "editions": [{}]}')
    with pytest.raises(ManifestError, match="an entry is incomplete"):
        read_manifest(tmp_path)


HARD_BODY = """
<p>Un indirizzo lunghissimo senza spazi:
https://blog.example.org/un/percorso/molto/lungo/che/non/si/spezza/da/solo/perche/non/ha/spazi/e/continua/ancora</p>
<p><img src="/images/enorme.jpg" alt="Una foto larga" width="2400" height="1200"></p>
<pre>riga_di_codice_molto_lunga_che_in_un_pre_normale_uscirebbe_dalla_colonna_e_farebbe_scorrere_la_pagina()</pre>
<table><tr><th>Metrica</th><th>Gennaio</th><th>Febbraio</th><th>Marzo</th><th>Aprile</th></tr>
<tr><td>Iscritti alla newsletter</td><td>1200</td><td>1350</td><td>1490</td><td>1600</td>
</tr></table>
<blockquote><p>Una citazione con un <a href="https://example.org/">link</a>.</p></blockquote>
"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 600])
def test_the_email_fits_narrow_and_wide_screens(page: Any, width: int) -> None:
    """Chromium lays each email out without horizontal scrolling (a real responsiveness check)."""
    page.route("**/*", lambda route: route.abort())  # remote images stay unloaded: no requests
    page.set_viewport_size({"width": width, "height": 800})
    share = [("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url=x")]
    for content in (
        HARD_BODY,
        markdown.markdown(long_post_body(10_000)),
        markdown.markdown(image_post_body(150, 450)),
    ):
        page.set_content(render_edition(post(content=content, share_links=share), options()).html)
        overflow = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert overflow[0] <= overflow[1], overflow
        card = page.locator("table.card").bounding_box()
        assert card["width"] <= min(width, 600)
        assert page.locator("a.button-link").is_visible()
        assert not page.locator("div.preheader").is_visible()


@pytest.mark.browser
def test_the_email_stops_growing_at_600px(page: Any) -> None:
    page.route("**/*", lambda route: route.abort())
    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_content(render_edition(post(content=HARD_BODY), options()).html)
    assert page.locator("table.card").bounding_box()["width"] == 600
    assert page.locator(".content img").bounding_box()["width"] <= 560


WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WCAG = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}


@pytest.mark.browser
def test_the_email_has_no_accessibility_violations(page: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    page.route("**/*", lambda route: route.abort())
    share = [("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url=x")]
    for content in (BODY, HARD_BODY):
        page.set_content(render_edition(post(content=content, share_links=share), options()).html)
        # WCAG rules only: axe's landmark best practices are for pages, and an email is shown
        # inside the mail client's own page.
        violations = Axe().run(page, options=WCAG).response["violations"]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
