"""The <img> → <picture> rewrite and its email counterpart, without a build."""

from __future__ import annotations

from bs4 import BeautifulSoup

from condividi.images.markup import (
    Candidate,
    Responsive,
    email_image,
    parse_attributes,
    parse_srcset,
    pick_width,
    rewrite_images,
)

SIZES = "(min-width: 42rem) 632px, calc(100vw - 2.5rem)"
PHOTO = Responsive(
    fallback=(
        Candidate("/s/a-480.jpg", 480, 320),
        Candidate("/s/a-800.jpg", 800, 533),
        Candidate("/s/a-1600.jpg", 1600, 1067),
    ),
    fallback_type="image/jpeg",
    webp=(Candidate("/s/a-480.webp", 480, 320), Candidate("/s/a-1600.webp", 1600, 1067)),
)


def known(src: str) -> Responsive | None:
    return PHOTO if src.endswith("a.jpg") else None


def pictures(html: str) -> list:
    return BeautifulSoup(html, "html.parser").find_all("picture")


def test_an_image_becomes_a_picture_with_webp_first_and_its_own_format_as_fallback() -> None:
    html = rewrite_images(
        '<p><img alt="Il porto &amp; la nave" src="{static}/a.jpg"></p>', known, SIZES
    )
    [picture] = pictures(html)
    source, img = picture.find("source"), picture.find("img")
    assert picture.contents == [source, img]
    assert source["type"] == "image/webp"
    assert source["srcset"] == "/s/a-480.webp 480w, /s/a-1600.webp 1600w"
    assert img["srcset"] == "/s/a-480.jpg 480w, /s/a-800.jpg 800w, /s/a-1600.jpg 1600w"
    assert source["sizes"] == img["sizes"] == SIZES
    assert img["src"] == "/s/a-1600.jpg"
    assert (img["width"], img["height"]) == ("1600", "1067")
    assert img["alt"] == "Il porto & la nave"
    assert html.startswith("<p><picture>") and html.endswith("</picture></p>")


def test_the_first_image_loads_at_once_and_the_later_ones_lazily() -> None:
    html = rewrite_images(
        '<img src="a.jpg" alt="1"><p>testo</p><img src="b.gif" alt="2"><img src="a.jpg" alt="3">',
        known,
        SIZES,
        eager=1,
    )
    soup = BeautifulSoup(html, "html.parser")
    first, gif, third = soup.find_all("img")
    assert not first.has_attr("loading") and not first.has_attr("decoding")
    assert gif.attrs == {"src": "b.gif", "alt": "2"}  # not resizable: untouched
    assert (third["loading"], third["decoding"]) == ("lazy", "async")


def test_eager_counts_every_image_so_a_gif_at_the_top_is_the_first_screen() -> None:
    html = rewrite_images('<img src="b.gif" alt=""><img src="a.jpg" alt="">', known, SIZES, 1)
    assert BeautifulSoup(html, "html.parser").find("picture").img["loading"] == "lazy"


def test_the_authors_width_and_height_are_kept_and_a_missing_one_follows_the_proportions() -> None:
    both = rewrite_images('<img src="a.jpg" alt="" width="960" height="480">', known, SIZES)
    assert pictures(both)[0].img["width"] == "960" and pictures(both)[0].img["height"] == "480"
    width_only = rewrite_images('<img src="a.jpg" alt="" width="800">', known, SIZES)
    assert pictures(width_only)[0].img["height"] == "534"


def test_images_already_responsive_in_comments_or_unknown_are_left_as_they_are() -> None:
    html = (
        "<!-- <img src='a.jpg'> -->"
        '<picture><source srcset="x.avif" type="image/avif"><img src="a.jpg" alt=""></picture>'
        '<img src="a.jpg" srcset="a.jpg 1x, a2.jpg 2x" alt="">'
        '<img src="https://altrove.example/a.gif" alt="">'
    )
    assert rewrite_images(html, known, SIZES) == html


def test_an_undescribed_image_gets_an_empty_alt_and_xhtml_slashes_go() -> None:
    html = rewrite_images('<img src="a.jpg" />', known, SIZES)
    img = pictures(html)[0].img
    assert img["alt"] == "" and "/>" not in html


def test_attributes_with_quotes_and_gt_signs_survive() -> None:
    html = rewrite_images("""<img alt='a > b "c"' title="t" class=wide src=a.jpg>""", known, SIZES)
    img = pictures(html)[0].img
    assert (img["alt"], img["title"], img["class"]) == ('a > b "c"', "t", ["wide"])


def test_a_webp_image_has_no_separate_source() -> None:
    own = Responsive((Candidate("/a-480.webp", 480, 320),), "image/webp")
    html = rewrite_images('<img src="a.webp" alt="">', lambda src: own, SIZES)
    assert pictures(html)[0].find("source") is None


def test_parse_attributes() -> None:
    assert parse_attributes(' src="a&amp;b.jpg" alt hidden=x ALT="y"') == {
        "src": "a&b.jpg",
        "alt": None,
        "hidden": "x",
    }


def test_pick_width_takes_the_narrowest_wide_enough_else_the_widest() -> None:
    candidates = parse_srcset("a.jpg 480w, b.jpg 1200w, c.jpg 1600w, d.jpg 2x")
    assert candidates == [("a.jpg", 480), ("b.jpg", 1200), ("c.jpg", 1600)]
    assert pick_width(candidates, 1120) == ("b.jpg", 1200)
    assert pick_width(candidates, 2000) == ("c.jpg", 1600)
    assert pick_width([], 10) is None


def test_an_email_shows_one_copy_in_the_original_format_without_srcset() -> None:
    html = rewrite_images('<p><img src="a.jpg" alt="x"></p><img src="a.jpg" alt="y">', known, SIZES)
    soup = BeautifulSoup(html, "html.parser")
    email_image(soup, 1120)
    assert soup.find("picture") is None and soup.find("source") is None
    first, second = soup.find_all("img")
    assert first.attrs == {"src": "/s/a-1600.jpg", "alt": "x", "width": "1600", "height": "1067"}
    assert "srcset" not in second.attrs and "sizes" not in second.attrs
    assert second["loading"] == "lazy"  # the edition's own clean-up drops it


def test_an_email_keeps_a_density_srcset_some_clients_use() -> None:
    soup = BeautifulSoup('<img src="a.jpg" srcset="a2.jpg 2x" alt="">', "html.parser")
    email_image(soup, 1120)
    assert soup.img["srcset"] == "a2.jpg 2x" and soup.img["src"] == "a.jpg"
