"""The share bar's icon sprite and the ``<svg><use>`` that shows one of its symbols."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from condividi.share.icons import icon, icon_names, sprite, sprite_url
from condividi.share.networks import NETWORKS

SVG = "{http://www.w3.org/2000/svg}"


def test_the_sprite_is_svg_with_one_symbol_per_icon() -> None:
    root = ET.fromstring(sprite())
    assert root.tag == f"{SVG}svg"
    symbols = root.findall(f"{SVG}symbol")
    assert [symbol.get("id") for symbol in symbols] == list(icon_names())
    assert set(icon_names()) == {*NETWORKS, "link", "share"}
    for symbol in symbols:
        assert symbol.get("viewBox") == "0 0 24 24"
        assert "currentColor" in (symbol.get("fill"), symbol.get("stroke"))
        assert len(symbol) >= 1  # something to draw


def test_an_icon_points_into_the_sprite_and_is_hidden_from_assistive_technology() -> None:
    markup = icon("mastodon", "/theme/icons/share.svg")
    assert markup == '<svg aria-hidden="true"><use href="/theme/icons/share.svg#mastodon"/></svg>'
    with pytest.raises(KeyError):
        icon("myspace", "/theme/icons/share.svg")


@pytest.mark.parametrize(
    ("siteurl", "static_dir", "expected"),
    [
        ("https://blog.example.org", "theme", "/theme/icons/share.svg"),
        ("https://example.org/blog/", "theme", "/blog/theme/icons/share.svg"),
        ("http://127.0.0.1:8000", "/static/", "/static/icons/share.svg"),
        ("", "theme", "/theme/icons/share.svg"),
    ],
)
def test_the_sprite_url_is_a_same_origin_path(siteurl: str, static_dir: str, expected: str) -> None:
    assert sprite_url(siteurl, static_dir) == expected
