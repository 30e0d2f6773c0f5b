"""Built sites: every article has the share bar and its metadata, cards exist and are cached."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from condividi.build import BuildError
from condividi.share.icons import icon_names
from condividi.share.networks import DEFAULT_NETWORKS, NETWORKS
from tests.conftest import ROOT, BuildSite

ARTICLE = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"
SITEURL = "https://blog.example.org"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def meta(page: BeautifulSoup, key: str) -> list[str]:
    """Return the content of every <meta property=key> or <meta name=key>."""
    tags = page.find_all("meta", attrs={"property": key}) + page.find_all(
        "meta", attrs={"name": key}
    )
    return [tag["content"] for tag in tags]


def one(page: BeautifulSoup, key: str) -> str:
    values = meta(page, key)
    assert len(values) == 1, f"{key}: {values}"
    return values[0]


def title_of(page: BeautifulSoup) -> str:
    return page.find("h1").get_text(strip=True)


def json_ld(page: BeautifulSoup) -> dict:
    scripts = page.find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    return json.loads(scripts[0].string)


def published_sources() -> list[Path]:
    """The sample articles that a publish build writes (not drafts, not future-dated)."""
    sources = []
    for source in sorted((ROOT / "content" / "articles").glob("*.md")):
        header = source.read_text(encoding="utf-8").split("\n\n", 1)[0]
        if "Status: draft" not in header and "Date: 203" not in header:
            sources.append(source)
    return sources


def article_pages(output: Path) -> list[Path]:
    return [p for p in sorted(output.rglob("*.html")) if soup(p).select_one("article.post")]


def local_file(output: Path, siteurl: str, url: str) -> Path:
    assert url.startswith(siteurl + "/"), url
    return output / url.removeprefix(siteurl + "/")


# --- The sample site, as published and served for the browser tests ---


def test_every_article_has_the_share_bar(sample_output: Path) -> None:
    pages = article_pages(sample_output)
    assert len(pages) == len(published_sources())
    for path in pages:
        page = soup(path)
        bar = page.select_one("article.post footer.post-footer section.share")
        assert bar is not None, path
        heading = bar.find("h2").get_text(strip=True)
        assert heading == ("Share" if page.html["lang"] == "en" else "Condividi")
        links = bar.select("ul.share-links a")
        assert [a["class"][0].removeprefix("share-") for a in links] == list(DEFAULT_NETWORKS)
        new_tab = bar.select_one("#share-new-tab")
        assert new_tab.has_attr("hidden")
        assert new_tab.get_text(strip=True) in ("Si apre in una nuova scheda", "Opens in a new tab")
        for link in links:
            network = link["class"][0].removeprefix("share-")
            assert [str(svg) for svg in link.find_all("svg")] == [
                f'<svg aria-hidden="true"><use href="/theme/icons/share.svg#{network}"></use></svg>'
            ]
            assert link.get_text(strip=True), "each link has a visible name"
            if link["href"].startswith("mailto:"):
                assert not {"target", "aria-describedby"} & set(link.attrs)
                continue
            assert link["href"].startswith("https://")
            assert link["target"] == "_blank"
            assert link["rel"] == ["noreferrer"]  # which implies noopener
            assert link["aria-describedby"] == "share-new-tab"
        for button in bar.select("button"):
            assert "hidden" in button.attrs, "buttons wait for share.js"
        assert bar.select_one("[role=status][aria-live=polite]") is not None
        assert page.find("script", src=re.compile(r"/theme/js/site\.js$"))


def test_the_icon_sprite_has_every_icon_the_pages_use(sample_output: Path) -> None:
    sprite = BeautifulSoup((sample_output / "theme/icons/share.svg").read_bytes(), "xml")
    symbols = {symbol["id"]: symbol for symbol in sprite.find_all("symbol")}
    assert set(symbols) == set(icon_names())
    used = {
        use["href"].partition("#")[2]
        for path in article_pages(sample_output)
        for use in soup(path).select("use")
    }
    assert used == {*DEFAULT_NETWORKS, "link", "share"}
    for symbol in symbols.values():
        assert symbol["viewBox"] == "0 0 24 24"
        assert "currentColor" in (symbol.get("fill"), symbol.get("stroke"))
        assert symbol.find(["path", "rect", "circle"]) is not None


def test_every_article_has_all_the_social_metadata(sample_output: Path) -> None:
    siteurl = one(soup(sample_output / "index.html"), "og:url").rstrip("/")
    for path in article_pages(sample_output):
        page = soup(path)
        url = f"{siteurl}/{path.parent.relative_to(sample_output).as_posix()}/"
        assert page.find("link", rel="canonical")["href"] == url
        assert one(page, "og:url") == url
        assert one(page, "og:type") == "article"
        title = page.find("h1").get_text(strip=True)
        assert one(page, "og:title") == one(page, "twitter:title") == title
        assert one(page, "og:description")
        assert one(page, "og:site_name") == "Condividi"
        assert one(page, "og:locale") == {"it": "it_IT", "en": "en_US"}[page.html["lang"]]
        assert one(page, "article:published_time").startswith("2026-")
        assert one(page, "article:modified_time") >= one(page, "article:published_time")
        tags = [a.get_text(strip=True) for a in page.select(".tags a[rel=tag]")]
        assert meta(page, "article:tag") == tags
        assert one(page, "twitter:card") == "summary_large_image"
        image_url = one(page, "og:image")
        assert one(page, "twitter:image") == image_url
        assert (one(page, "og:image:width"), one(page, "og:image:height")) == ("1200", "630")
        assert title in one(page, "og:image:alt")
        with Image.open(local_file(sample_output, siteurl, image_url)) as card:
            assert (card.format, card.size) == ("PNG", (1200, 630))
        data = json_ld(page)
        assert data["@type"] == "BlogPosting"
        assert data["headline"] == title
        assert data["datePublished"] == one(page, "article:published_time")
        assert data["dateModified"] == one(page, "article:modified_time")
        assert data["author"][0]["name"] == "Giulia Ferraris"
        assert data["image"]["url"] == image_url
        assert data["publisher"]["name"] == "Condividi"


def test_modified_front_matter_reaches_the_metadata(sample_output: Path) -> None:
    page = soup(sample_output / "crisi-di-reputazione-sui-social-le-prime-24-ore" / "index.html")
    assert one(page, "article:modified_time") == "2026-11-03T18:00:00+01:00"


def test_home_and_pages_get_website_metadata(sample_output: Path) -> None:
    home = soup(sample_output / "index.html")
    siteurl = one(home, "og:url").rstrip("/")
    assert home.find("link", rel="canonical")["href"] == siteurl + "/"
    assert one(home, "og:type") == "website"
    assert json_ld(home)["@type"] == "WebSite"
    assert home.select_one("section.share") is None
    page = soup(sample_output / "chi-sono" / "index.html")
    assert one(page, "og:type") == "website"
    assert one(page, "og:url") == siteurl + "/chi-sono/"
    assert json_ld(page)["@type"] == "WebPage"
    assert not page.select("section.share, use")
    for document in (home, page):
        with Image.open(local_file(sample_output, siteurl, one(document, "og:image"))) as card:
            assert card.size == (1200, 630)
    assert not meta(home, "article:published_time")


def test_each_post_gets_its_own_card(sample_output: Path) -> None:
    cards = sorted((sample_output / "cards").rglob("*.png"))
    digests = {hashlib.sha256(card.read_bytes()).hexdigest() for card in cards}
    assert len(digests) == len(cards) > len(published_sources())


def test_drafts_and_future_posts_get_no_card(sample_output: Path) -> None:
    written = {p.stem for p in (sample_output / "cards").rglob("*.png")}
    assert "appunti-sul-marketing-nelle-piccole-citta" not in written
    assert "previsioni-per-il-2031-il-social-media-manager-che-verra" not in written


# --- Builds of a copy of the site with other settings or content ---


def edit_front_matter(project: Path, slug: str, extra: str) -> None:
    source = project / "content" / "articles" / f"{slug}.md"
    header, body = source.read_text(encoding="utf-8").split("\n\n", 1)
    source.write_text(f"{header}\n{extra}\n\n{body}", encoding="utf-8")


def cache_state(cache: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in sorted(cache.glob("*.png"))}


def test_a_second_build_redraws_nothing(
    make_site: BuildSite, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="condividi.share")
    output = make_site()
    first_cards = {p: p.read_bytes() for p in (output / "cards").rglob("*.png")}
    cache = tmp_path / "cache" / "cards"
    before = cache_state(cache)
    assert len(before) == len(first_cards)
    assert f"social cards: {len(before)} drawn, 0 from the cache" in caplog.text

    caplog.clear()
    output = make_site()
    assert cache_state(cache) == before
    assert f"social cards: 0 drawn, {len(before)} from the cache" in caplog.text
    assert {p: p.read_bytes() for p in (output / "cards").rglob("*.png")} == first_cards

    caplog.clear()
    article = make_site.project / "content" / "articles" / f"{ARTICLE}.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Title: Perché", "Title: Ecco perché", 1), encoding="utf-8")
    output = make_site()
    assert f"social cards: 1 drawn, {len(before) - 1} from the cache" in caplog.text
    changed = (
        output / "cards" / "ecco-perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower.png"
    )
    assert changed.read_bytes() not in first_cards.values()


def test_utm_tags_go_on_share_links_only(make_site: BuildSite) -> None:
    output = make_site(overrides={"SHARE_UTM": True, "SHARE_UTM_CAMPAIGN": "autunno"})
    page = soup(output / ARTICLE / "index.html")
    canonical = page.find("link", rel="canonical")["href"]
    assert canonical == f"{SITEURL}/{ARTICLE}/"
    assert one(page, "og:url") == canonical
    assert "utm_" not in json_ld(page)["url"]
    for link in page.select(".share-links a"):
        network = link["class"][0].removeprefix("share-")
        href = link["href"]
        raw = urlsplit(href).fragment if network == "mastodon" else urlsplit(href).query
        shared = [v for values in parse_qs(raw).values() for v in values if canonical in v]
        assert shared, network
        tagged = re.search(r"https://\S+", shared[0]).group(0)
        assert tagged.startswith(canonical + "?")
        assert parse_qs(urlsplit(tagged).query) == {
            "utm_source": [network],
            "utm_medium": ["email" if network == "email" else "social"],
            "utm_campaign": ["autunno"],
        }


def test_networks_setting_chooses_the_links_and_their_order(make_site: BuildSite) -> None:
    output = make_site(overrides={"SHARE_NETWORKS": ["mastodon", "email", "bluesky"]})
    links = soup(output / ARTICLE / "index.html").select(".share-links a")
    assert [a["class"] for a in links] == [["share-mastodon"], ["share-email"], ["share-bluesky"]]


def test_all_twelve_networks_can_be_chosen_and_have_their_icon(make_site: BuildSite) -> None:
    output = make_site(overrides={"SHARE_NETWORKS": list(NETWORKS)})
    links = soup(output / ARTICLE / "index.html").select(".share-links a")
    assert [a["class"] for a in links] == [[f"share-{name}"] for name in NETWORKS]
    sprite = BeautifulSoup((output / "theme/icons/share.svg").read_bytes(), "xml")
    ids = {symbol["id"] for symbol in sprite.find_all("symbol")}
    for link in links:
        assert link.use["href"].partition("#")[2] in ids


def test_a_posts_own_image_wins(make_site: BuildSite) -> None:
    project = make_site.project
    (project / "content" / "images").mkdir(exist_ok=True)
    Image.new("RGB", (800, 420), "#336699").save(project / "content" / "images" / "copertina.png")
    edit_front_matter(project, ARTICLE, "Image: images/copertina.png\nImageAlt: Un grafico blu")
    other = "crisi-di-reputazione-sui-social-le-prime-24-ore"
    edit_front_matter(project, other, "Image: https://cdn.example.org/foto.jpg")
    third = "metriche-di-vanita-e-metriche-utili-come-misurare-i-contenuti"
    edit_front_matter(project, third, "Image: {static}/images/copertina.png")
    output = make_site()

    page = soup(output / ARTICLE / "index.html")
    assert one(page, "og:image") == f"{SITEURL}/images/copertina.png"
    assert (one(page, "og:image:width"), one(page, "og:image:height")) == ("800", "420")
    assert one(page, "og:image:alt") == one(page, "twitter:image:alt") == "Un grafico blu"
    assert json_ld(page)["image"]["url"] == f"{SITEURL}/images/copertina.png"
    assert (output / "images" / "copertina.png").is_file()
    assert not (output / "cards" / f"{ARTICLE}.png").exists()

    remote = soup(output / other / "index.html")
    assert one(remote, "og:image") == "https://cdn.example.org/foto.jpg"
    assert meta(remote, "og:image:width") == []
    assert not (output / "cards" / f"{other}.png").exists()

    linked = soup(output / third / "index.html")
    assert one(linked, "og:image") == f"{SITEURL}/images/copertina.png"
    assert title_of(linked) in one(linked, "og:image:alt")  # no ImageAlt: the title


def test_an_image_the_site_does_not_publish_stops_the_build(make_site: BuildSite) -> None:
    edit_front_matter(make_site.project, ARTICLE, "Image: images/manca.jpg")
    with pytest.raises(BuildError) as error:
        make_site()
    message = str(error.value)
    assert f"articles/{ARTICLE}.md" in message
    assert "Image: 'images/manca.jpg'" in message


def test_an_unknown_network_stops_the_build(make_site: BuildSite) -> None:
    with pytest.raises(BuildError, match="unknown network 'myspace'"):
        make_site(overrides={"SHARE_NETWORKS": ["facebook", "myspace"]})
    assert not (make_site.project / "output").exists()


@pytest.mark.parametrize("siteurl", ["", "/blog"])
def test_a_publish_build_refuses_a_relative_siteurl(make_site: BuildSite, siteurl: str) -> None:
    with pytest.raises(BuildError, match="share links") as error:
        make_site(siteurl=siteurl)
    assert "absolute SITEURL" in str(error.value)


def test_cards_can_be_turned_off(make_site: BuildSite) -> None:
    output = make_site(overrides={"SHARE_CARDS": False})
    page = soup(output / ARTICLE / "index.html")
    assert meta(page, "og:image") == []
    assert one(page, "twitter:card") == "summary"
    assert not (output / "cards").exists()
