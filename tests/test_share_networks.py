"""Share URLs: each network's format, UTM tags, and values that round-trip and stay escaped."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from condividi.share.metadata import Sharing, article_meta
from condividi.share.networks import (
    DEFAULT_NETWORKS,
    NETWORKS,
    TOOTPICK,
    ShareTarget,
    share_links,
    threads_topic,
    unknown_networks,
    with_utm,
)
from tests.share_support import template_env

URL = "https://blog.example.org/perche-le-aziende/"
TARGET = ShareTarget(
    url=URL,
    title="Perché l'azienda & i follower",
    summary="Una riflessione.",
    tags=("follower", "social media"),
    image="https://blog.example.org/cards/perche-le-aziende.png",
    via="condividi",
)


def params(link_url: str, *, fragment: bool = False) -> dict[str, str]:
    """Decode the query (or the fragment) of a share URL into one value per name."""
    parts = urlsplit(link_url)
    raw = parts.fragment if fragment else parts.query
    return {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}


def expected_params(network: str, target: ShareTarget) -> dict[str, str]:
    """What each network's URL must carry, decoded (the documented formats, pelican.md §4)."""
    text_and_url = f"{target.title}\n\n{target.url}" if target.title else target.url
    table = {
        "facebook": {"u": target.url},
        "x": {"text": target.title, "url": target.url, "via": target.via},
        "linkedin": {"url": target.url},
        "whatsapp": {"text": f"{target.title} {target.url}" if target.title else target.url},
        "telegram": {"url": target.url, "text": target.title},
        "bluesky": {"text": text_and_url},
        "threads": {"text": target.title, "url": target.url, "tag": threads_topic(target.tags)},
        "mastodon": {"text": text_and_url},
        "reddit": {"url": target.url, "title": target.title},
        "pinterest": {"url": target.url, "media": target.image, "description": target.title},
        "hackernews": {"u": target.url, "t": target.title},
        "email": {
            "subject": target.title,
            "body": f"{target.summary}\r\n\r\n{target.url}" if target.summary else target.url,
        },
    }
    return {name: value for name, value in table[network].items() if value}


ENDPOINTS = {
    "facebook": "https://www.facebook.com/sharer/sharer.php?",
    "x": "https://x.com/intent/tweet?",
    "linkedin": "https://www.linkedin.com/sharing/share-offsite/?",
    "whatsapp": "https://api.whatsapp.com/send?",
    "telegram": "https://t.me/share/url?",
    "bluesky": "https://bsky.app/intent/compose?",
    "threads": "https://www.threads.com/intent/post?",
    "mastodon": "https://tootpick.org/#",
    "reddit": "https://www.reddit.com/submit?",
    "pinterest": "https://www.pinterest.com/pin/create/button/?",
    "hackernews": "https://news.ycombinator.com/submitlink?",
    "email": "mailto:?",
}


def test_every_network_uses_its_current_endpoint() -> None:
    links = {link.network: link for link in share_links(TARGET, NETWORKS)}
    assert set(links) == set(ENDPOINTS)
    for network, prefix in ENDPOINTS.items():
        assert links[network].url.startswith(prefix), network
        decoded = params(links[network].url, fragment=network == "mastodon")
        assert decoded == expected_params(network, TARGET), network


def test_dead_formats_are_not_used() -> None:
    urls = " ".join(link.url for link in share_links(TARGET, NETWORKS))
    assert "shareArticle" not in urls
    assert "toot.kytta.dev" not in urls
    assert "threads.net" not in urls


def test_values_are_percent_encoded_with_20_for_spaces() -> None:
    telegram = share_links(TARGET, ["telegram"])[0].url
    assert "Perch%C3%A9%20l%27azienda%20%26%20i%20follower" in telegram
    assert "+" not in telegram
    email = share_links(TARGET, ["email"])[0].url
    assert "%0D%0A%0D%0A" in email  # RFC 6068 line breaks


def test_links_follow_the_configured_order_and_email_stays_in_the_tab() -> None:
    links = share_links(TARGET, ["email", "mastodon", "x"])
    assert [link.network for link in links] == ["email", "mastodon", "x"]
    assert [link.new_tab for link in links] == [False, True, True]


def test_mastodon_can_use_a_self_hosted_tootpick() -> None:
    link = share_links(TARGET, ["mastodon"], mastodon_page="https://blog.example.org/toot/")[0]
    assert link.url.startswith("https://blog.example.org/toot/#text=")
    assert TOOTPICK.startswith("https://tootpick.org")


def test_unknown_networks_are_reported() -> None:
    assert unknown_networks(["facebook", "myspace", "x", "Friendster"]) == [
        "myspace",
        "Friendster",
    ]
    assert unknown_networks(DEFAULT_NETWORKS) == []
    assert DEFAULT_NETWORKS[-1] == "email" and len(DEFAULT_NETWORKS) < len(NETWORKS)
    with pytest.raises(KeyError):
        share_links(TARGET, ["myspace"])


def test_threads_topic_drops_what_threads_refuses() -> None:
    assert threads_topic(["..", "R&D. news"]) == "R D news"
    assert threads_topic(["x" * 80]) == "x" * 50
    assert threads_topic([]) == ""


def test_utm_tags_each_network_but_not_the_target() -> None:
    links = share_links(TARGET, ["facebook", "email"], utm_campaign="autunno 2026")
    facebook_url = params(links[0].url)["u"]
    assert params(facebook_url) == {
        "utm_source": "facebook",
        "utm_medium": "social",
        "utm_campaign": "autunno 2026",
    }
    assert facebook_url.startswith(URL + "?")
    email_url = params(links[1].url)["body"].rsplit("\r\n", 1)[-1]
    assert params(email_url)["utm_medium"] == "email"
    assert TARGET.url == URL


def test_with_utm_keeps_the_query_and_fragment() -> None:
    tagged = with_utm("https://a.example/p/?lang=it&utm_source=old#note", "x", "social", "c")
    parts = urlsplit(tagged)
    assert parts.fragment == "note"
    assert parse_qs(parts.query) == {
        "lang": ["it"],
        "utm_source": ["x"],
        "utm_medium": ["social"],
        "utm_campaign": ["c"],
    }


# --- Property tests: hostile titles and URLs, through the builders and the real template ---

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80)
HOSTILE = st.one_of(
    TEXT,
    st.sampled_from(
        [
            '"><script>alert(1)</script>',
            "' onmouseover='x",
            "Perché & più? 🚀 <b>",
            "a\r\nb\nc",
            "&amp; &#x27; %20 %0A +",
            "",
        ]
    ),
)
URLS = st.builds(lambda tail: "https://blog.example.org/" + tail, HOSTILE)
TAGS = st.lists(HOSTILE, max_size=3).map(tuple)


ENV = template_env()


def render_bar(target: ShareTarget) -> BeautifulSoup:
    links = share_links(target, NETWORKS)
    meta = article_meta(
        canonical=target.url,
        title=target.title,
        description=target.summary,
        siteurl="https://blog.example.org",
        site_name="Condividi",
        lang="it",
        published="2026-03-09T10:30:00+01:00",
        tags=target.tags,
    )
    article = SimpleNamespace(sharing=Sharing(target.url, target.title, meta, links))
    html = ENV.get_template("partials/share.html").render(article=article, SITEURL="")
    return BeautifulSoup(html, "html.parser")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(url=URLS, title=HOSTILE, summary=HOSTILE, tags=TAGS)
def test_any_title_and_url_round_trip_through_every_network(
    url: str, title: str, summary: str, tags: tuple[str, ...]
) -> None:
    target = ShareTarget(url=url, title=title, summary=summary, tags=tags, image=url + ".png")
    for link in share_links(target, NETWORKS):
        assert params(link.url, fragment=link.network == "mastodon") == expected_params(
            link.network, target
        ), link.network
        # Nothing raw that could end the attribute or the URL: only the endpoint's own
        # "?", "&", "=" and "#" separators, and percent escapes.
        tail = link.url.removeprefix(ENDPOINTS[link.network])
        assert not set(tail) & set(" \"'<>\r\n\t+")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(url=URLS, title=HOSTILE, summary=HOSTILE, tags=TAGS)
def test_rendered_bar_never_breaks_out_of_its_attributes(
    url: str, title: str, summary: str, tags: tuple[str, ...]
) -> None:
    target = ShareTarget(url=url, title=title, summary=summary, tags=tags)
    soup = render_bar(target)
    anchors = soup.select("a")
    links = share_links(target, NETWORKS)
    assert [a["href"] for a in anchors] == [link.url for link in links]
    for anchor, link in zip(anchors, links, strict=True):
        new_tab = {"target", "rel", "aria-describedby"} if link.new_tab else set()
        assert set(anchor.attrs) == {"class", "href"} | new_tab
    assert soup.find("script") is None
    assert {tag.name for tag in soup.find_all(True)} <= {
        "section", "h2", "ul", "li", "a", "svg", "use", "span", "p", "button",
    }  # fmt: skip
    # The title and URL reach the bar only inside the links (share.js reads the head's).
    bar = soup.select_one("section[data-share]")
    assert set(bar.attrs) == {
        "class",
        "aria-labelledby",
        "data-share",
        "data-copied",
        "data-copy-failed",
    }
