"""Built sites: content photos become responsive pictures whose copies exist, feeds and emails
get what they can use, and a rebuild draws nothing again."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from bench.photos import write_photo
from condividi.build import BuildError
from condividi.images.markup import parse_srcset
from tests.conftest import BuildSite

SITEURL = "https://blog.example.org"
SLUG = "tre-foto-dal-porto"
# Several screens of text before the last photos: far enough for the browser to wait.
FILLER = ("Un lungo paragrafo che occupa spazio sulla pagina, riga dopo riga. " * 6 + "\n\n") * 40
POST = f"""Title: Tre foto dal porto
Date: 2026-03-02 10:00
Slug: {SLUG}
Category: Strategia
Tags: fotografia
Summary: Un saggio con tre fotografie.

![Il porto all'alba]({{static}}/images/viaggio/porto.jpg)

Un paragrafo tra le foto.

![Le barche]({{static}}/images/viaggio/barche.png)

{FILLER}
![La piazza](/images/viaggio/piazza.webp)

![Animazione]({{static}}/images/viaggio/gatto.gif)

![Schema]({{static}}/images/viaggio/schema.svg)
"""


def add_post(project: Path) -> None:
    content = project / "content"
    folder = content / "images" / "viaggio"
    write_photo(folder / "porto.jpg", 2000, 1333, seed=1)
    write_photo(folder / "barche.png", 900, 600, seed=2)
    write_photo(folder / "piazza.webp", 1200, 800, seed=3)
    Image.new("P", (40, 40)).save(folder / "gatto.gif")
    (folder / "schema.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', encoding="utf-8"
    )
    (content / "articles" / f"{SLUG}.md").write_text(POST, encoding="utf-8")


def page(output: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((output / path).read_text(encoding="utf-8"), "html.parser")


def local_file(output: Path, url: str) -> Path:
    path = urlsplit(url).path
    return output / path.lstrip("/")


@pytest.fixture
def built(make_site: BuildSite) -> Path:
    add_post(make_site.project)  # type: ignore[attr-defined]
    return make_site()


def test_each_photo_becomes_a_picture_whose_copies_exist_at_their_widths(built: Path) -> None:
    body = page(built, f"{SLUG}/index.html").find(class_="post-body")
    pictures = body.find_all("picture")
    assert len(pictures) == 3
    jpeg, png, webp = pictures
    for picture, source_width, fallback in ((jpeg, 2000, "JPEG"), (png, 900, "PNG")):
        source, img = picture.find("source"), picture.find("img")
        assert source["type"] == "image/webp"
        for srcset, image_format in ((source["srcset"], "WEBP"), (img["srcset"], fallback)):
            candidates = parse_srcset(srcset)
            assert candidates, srcset
            for url, width in candidates:
                assert width <= min(source_width, 1600)  # never scaled up
                with Image.open(local_file(built, url)) as copy:
                    assert copy.width == width and copy.format == image_format
        assert img["sizes"] == source["sizes"]
    assert [w for _, w in parse_srcset(jpeg.find("source")["srcset"])] == [480, 800, 1200, 1600]
    assert [w for _, w in parse_srcset(png.find("source")["srcset"])] == [480, 800, 900]
    assert (jpeg.img["width"], jpeg.img["height"]) == ("1600", "1066")
    assert webp.find("source") is None  # WebP already: its copies are its srcset
    assert [w for _, w in parse_srcset(webp.img["srcset"])][-1] == 1200


def test_only_the_first_image_loads_eagerly_and_gif_and_svg_are_left_alone(built: Path) -> None:
    body = page(built, f"{SLUG}/index.html").find(class_="post-body")
    imgs = body.find_all("img")
    assert not imgs[0].has_attr("loading")
    assert all(img["loading"] == "lazy" and img["decoding"] == "async" for img in imgs[1:3])
    gif, svg = imgs[3:]
    assert gif.parent.name != "picture" and gif["src"] == f"{SITEURL}/images/viaggio/gatto.gif"
    assert svg.parent.name != "picture" and "srcset" not in svg.attrs


def test_the_feed_carries_the_pictures_with_absolute_urls(built: Path) -> None:
    feed = (built / "feeds" / "atom.xml").read_text(encoding="utf-8")
    [entry] = [e for e in BeautifulSoup(feed, "xml").find_all("entry") if SLUG in str(e.id)]
    content = entry.find("content").string
    fragment = BeautifulSoup(content, "html.parser")
    urls = [fragment.find("img")["src"]]
    for tag in fragment.find_all(srcset=True):
        urls += [url for url, _ in parse_srcset(tag["srcset"])]
    assert len(urls) > 8 and all(url.startswith(f"{SITEURL}/images/") for url in urls)


def test_a_rebuild_draws_no_copy_again(
    make_site: BuildSite, caplog: pytest.LogCaptureFixture
) -> None:
    add_post(make_site.project)  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO, logger="condividi.images.plugin"):
        make_site()
        first = [r.getMessage() for r in caplog.records if r.name == "condividi.images.plugin"]
        caplog.clear()
        output = make_site()
        second = [r.getMessage() for r in caplog.records if r.name == "condividi.images.plugin"]
    assert "; 20 copies drawn" in first[-1], first
    assert "; 0 copies drawn" in second[-1], second
    assert len(page(output, f"{SLUG}/index.html").find_all("picture")) == 3


def test_images_can_be_turned_off(make_site: BuildSite) -> None:
    add_post(make_site.project)  # type: ignore[attr-defined]
    output = make_site(overrides={"IMAGES_ENABLED": False})
    body = page(output, f"{SLUG}/index.html").find(class_="post-body")
    assert body.find("picture") is None and body.find(srcset=True) is None
    assert not (output / "images" / "sizes").exists()


def test_a_broken_image_fails_the_build_naming_the_post_and_the_file(make_site: BuildSite) -> None:
    add_post(make_site.project)  # type: ignore[attr-defined]
    (make_site.project / "content" / "images" / "viaggio" / "porto.jpg").write_bytes(b"rotta")  # type: ignore[attr-defined]
    with pytest.raises(BuildError) as failure:
        make_site()
    assert f"articles/{SLUG}.md" in str(failure.value) and "porto.jpg" in str(failure.value)


def test_the_email_edition_shows_one_copy_of_each_photo(make_site: BuildSite) -> None:
    add_post(make_site.project)  # type: ignore[attr-defined]
    output = make_site(settings="pelicanconf.py", siteurl="http://127.0.0.1:8000")
    email = page(output, f"newsletter/anteprima/{SLUG}/index.html")
    assert email.find("picture") is None and email.find("source") is None
    assert email.find(srcset=True) is None
    photos = [img for img in email.find_all("img") if "/images/" in img["src"]]
    assert len(photos) >= 3
    jpeg = photos[0]
    assert jpeg["src"].startswith("http://127.0.0.1:8000/images/sizes/porto-1200.")
    assert jpeg["src"].endswith(".jpg")
    assert (jpeg["width"], jpeg["height"]) == ("560", "373")
