"""WordPress shortcodes become plain HTML; unknown ones stay as text and are counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from condividi.migrate.shortcodes import MediaContext, expand_shortcodes, parse_attributes
from condividi.migrate.wxr import read_export

DATA = Path(__file__).parent / "data" / "wordpress"
UPLOADS = "https://giulia.example.org/wp-content/uploads/2024/03"


@pytest.fixture(scope="module")
def context() -> MediaContext:
    export = read_export(DATA / "blog-1.2.xml")
    return MediaContext({item.id: item for item in export.attachments}, post_id=101)


def expand(text: str, context: MediaContext | None = None) -> tuple[str, dict, list]:
    html, report = expand_shortcodes(text, context or MediaContext({}))
    return html, dict(report.left), report.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('ids="1,2" size=large', {"ids": "1,2", "size": "large"}),
        ("Align='left' width=300", {"align": "left", "width": "300"}),
        ('"positional" bare', {"0": "positional", "1": "bare"}),
        ("caption=&quot;Con virgolette&quot;", {"caption": "Con virgolette"}),
        ("", {}),
    ],
)
def test_attributes_are_read_like_wordpress(text: str, expected: dict) -> None:
    assert parse_attributes(text) == expected


def test_caption_becomes_a_figure() -> None:
    html, left, _ = expand(
        '[caption id="attachment_1" align="alignleft" width="300"]'
        '<a href="/big.jpg"><img src="/small.jpg" alt="x" /></a> La didascalia[/caption]'
    )
    assert html == (
        '<figure><a href="/big.jpg"><img src="/small.jpg" alt="x" /></a>'
        "<figcaption>La didascalia</figcaption></figure>"
    )
    assert left == {}


def test_the_older_caption_attribute_is_escaped() -> None:
    html, _, _ = expand('[caption caption="A <b> & B"]<img src="/a.jpg">[/caption]')
    assert html == '<figure><img src="/a.jpg"><figcaption>A &lt;b&gt; &amp; B</figcaption></figure>'


def test_gallery_lists_its_images_in_order(context: MediaContext) -> None:
    html, _, problems = expand('[gallery ids="202,201,999"]', context)
    assert html.index("grafico.png") < html.index("foto.jpg")
    assert html.startswith('<div class="gallery"><figure>')
    assert 'alt="Una foto di prova"' in html and "<figcaption>La foto del primo giorno" in html
    assert problems == ["[gallery] image 999 is not in the export"]


def test_gallery_without_ids_shows_the_posts_own_images(context: MediaContext) -> None:
    html, _, _ = expand("[gallery]", context)
    assert "foto.jpg" in html and "grafico.png" not in html  # 202 belongs to post 102


def test_embed_is_a_plain_link() -> None:
    html, _, _ = expand("[embed width=500]https://vimeo.com/123[/embed]")
    assert html == '<p><a href="https://vimeo.com/123">https://vimeo.com/123</a></p>'
    assert "<iframe" not in html


def test_audio_has_its_sources_and_a_link() -> None:
    html, _, _ = expand(f'[audio mp3="{UPLOADS}/a.mp3" ogg="{UPLOADS}/a.ogg" autoplay="on"]')
    assert html.startswith('<audio controls preload="none">')
    assert f'<source src="{UPLOADS}/a.mp3" type="audio/mpeg">' in html
    assert f'<source src="{UPLOADS}/a.ogg" type="audio/ogg">' in html
    assert f'<a href="{UPLOADS}/a.mp3">' in html and "autoplay" not in html


def test_video_keeps_size_and_poster() -> None:
    html, _, _ = expand(
        f'[video mp4="{UPLOADS}/c.mp4" poster="{UPLOADS}/p.jpg" width="640" height="360"][/video]'
    )
    assert html.startswith(
        f'<video controls preload="none" width="640" height="360" poster="{UPLOADS}/p.jpg">'
    )
    assert f'<source src="{UPLOADS}/c.mp4" type="video/mp4">' in html


def test_a_hosted_video_is_a_link() -> None:
    html, _, _ = expand('[video src="https://www.youtube.com/watch?v=abc"]')
    assert html == (
        '<p><a href="https://www.youtube.com/watch?v=abc">https://www.youtube.com/watch?v=abc</a></p>'
    )


def test_escaped_shortcodes_are_text() -> None:
    html, left, _ = expand("Scrivi [[caption]] o [[gallery ids=1]].")
    assert html == "Scrivi [caption] o [gallery ids=1]."
    assert left == {}


def test_unknown_shortcodes_stay_and_are_counted() -> None:
    html, left, _ = expand(
        '[contact-form-7 id="5"] [su_button]Clic[/su_button] [sic] [1] [tweet /] [[x y=1]]'
    )
    assert html.startswith('[contact-form-7 id="5"] [su_button]Clic[/su_button]')
    assert left == {"contact-form-7": 1, "su_button": 1, "tweet": 1}
