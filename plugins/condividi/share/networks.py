"""Share links: one pure function per network, from what is shared to the network's share URL.

Every value is percent-encoded with ``quote(value, safe="")`` (a space is ``%20``, never ``+``;
``&``, ``#``, ``=`` and newlines are encoded), so nothing in a title or URL can start a new
parameter. The URLs returned are plain text: the template escapes them for the HTML attribute.
Formats: reference/pelican.md §4 (LinkedIn's ``shareArticle`` and ``toot.kytta.dev`` are dead).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

# Mastodon has no instance-free share endpoint. Tootpick reads the text from the URL
# *fragment*, which browsers never send, so the post never reaches tootpick.org; it is one
# static HTML file that a site can also host itself. Share₂Fedi gets the text in the query
# string on a hosted server, and its author asks sites to self-host it (a Node build).
TOOTPICK = "https://tootpick.org/"


@dataclass(frozen=True)
class ShareTarget:
    """What a reader shares: plain-text values (no HTML), URLs absolute.

    ``via`` is the site's X account (without ``@``) and ``image`` the social image's URL.
    """

    url: str
    title: str
    summary: str = ""
    tags: tuple[str, ...] = ()
    image: str = ""
    via: str = ""


@dataclass(frozen=True)
class ShareLink:
    """One link of the share bar: the network's name (also its icon's), its label and URL."""

    network: str
    label: str
    url: str
    new_tab: bool = True


@lru_cache(maxsize=256)  # each post's URL and title are encoded once, not once per network
def _q(value: str) -> str:
    return quote(value, safe="")


def _query(*pairs: tuple[str, str]) -> str:
    """Join ``name=value`` pairs, percent-encoding each value and leaving out empty ones."""
    return "&".join(f"{name}={_q(value)}" for name, value in pairs if value)


def _text_with_url(target: ShareTarget) -> str:
    return f"{target.title}\n\n{target.url}" if target.title else target.url


def facebook(target: ShareTarget) -> str:
    """Return Facebook's share URL (``sharer.php``: it reads title and image from Open Graph)."""
    return "https://www.facebook.com/sharer/sharer.php?" + _query(("u", target.url))


def x(target: ShareTarget) -> str:
    """Return X's post intent URL with the title as text, the URL and the site's account."""
    return "https://x.com/intent/tweet?" + _query(
        ("text", target.title), ("url", target.url), ("via", target.via)
    )


def linkedin(target: ShareTarget) -> str:
    """Return LinkedIn's ``share-offsite`` URL (it reads only ``url``; the rest is Open Graph)."""
    return "https://www.linkedin.com/sharing/share-offsite/?" + _query(("url", target.url))


def whatsapp(target: ShareTarget) -> str:
    """Return WhatsApp's ``api.whatsapp.com/send`` URL with title and URL as the message."""
    text = f"{target.title} {target.url}" if target.title else target.url
    return "https://api.whatsapp.com/send?" + _query(("text", text))


def telegram(target: ShareTarget) -> str:
    """Return Telegram's share URL with the URL and the title as text."""
    return "https://t.me/share/url?" + _query(("url", target.url), ("text", target.title))


def bluesky(target: ShareTarget) -> str:
    """Return Bluesky's compose intent; it has only ``text``, so the URL goes inside it."""
    return "https://bsky.app/intent/compose?" + _query(("text", _text_with_url(target)))


_TOPIC_FORBIDDEN = re.compile(r"[.&\r\n]+")


def threads_topic(tags: Iterable[str]) -> str:
    """Return the first tag usable as a Threads topic (no ``.``, ``&``, newline; ≤ 50 chars)."""
    for tag in tags:
        topic = " ".join(_TOPIC_FORBIDDEN.sub(" ", tag).split())
        if topic:
            return topic[:50].strip()
    return ""


def threads(target: ShareTarget) -> str:
    """Return Threads' post intent with text, URL and the first tag as its topic."""
    return "https://www.threads.com/intent/post?" + _query(
        ("text", target.title), ("url", target.url), ("tag", threads_topic(target.tags))
    )


def reddit(target: ShareTarget) -> str:
    """Return Reddit's submit URL with the URL and title."""
    return "https://www.reddit.com/submit?" + _query(("url", target.url), ("title", target.title))


def pinterest(target: ShareTarget) -> str:
    """Return Pinterest's pin URL with the page, its social image and the title."""
    return "https://www.pinterest.com/pin/create/button/?" + _query(
        ("url", target.url), ("media", target.image), ("description", target.title)
    )


def hackernews(target: ShareTarget) -> str:
    """Return Hacker News' submit URL with the URL and title."""
    return "https://news.ycombinator.com/submitlink?" + _query(
        ("u", target.url), ("t", target.title)
    )


def email(target: ShareTarget) -> str:
    """Return a ``mailto:`` link without recipient: title as subject, summary and URL as body.

    Line breaks are CRLF (``%0D%0A``), as RFC 6068 asks.
    """
    body = f"{target.summary}\r\n\r\n{target.url}" if target.summary else target.url
    return "mailto:?" + _query(("subject", target.title), ("body", body))


def mastodon(target: ShareTarget, share_page: str = TOOTPICK) -> str:
    """Return a Tootpick link (``share_page#text=...``): the reader picks an instance there.

    ``share_page`` is tootpick.org or a copy of Tootpick the site hosts itself.
    """
    return f"{share_page}#" + _query(("text", _text_with_url(target)))


@dataclass(frozen=True)
class Network:
    """A network the share bar knows: its label, URL builder and whether it opens a tab."""

    name: str
    label: str
    build: Callable[[ShareTarget], str]
    new_tab: bool = True


NETWORKS: dict[str, Network] = {
    network.name: network
    for network in (
        Network("facebook", "Facebook", facebook),
        Network("x", "X", x),
        Network("linkedin", "LinkedIn", linkedin),
        Network("whatsapp", "WhatsApp", whatsapp),
        Network("telegram", "Telegram", telegram),
        Network("bluesky", "Bluesky", bluesky),
        Network("threads", "Threads", threads),
        Network("mastodon", "Mastodon", mastodon),
        Network("reddit", "Reddit", reddit),
        Network("pinterest", "Pinterest", pinterest),
        Network("hackernews", "Hacker News", hackernews),
        Network("email", "Email", email, new_tab=False),
    )
}
# The share bar's default: where Italian readers pass an essay on, by how many use each
# (messaging first: WhatsApp and Telegram; Facebook; LinkedIn for professional essays; X) and
# email. Every network above is one SHARE_NETWORKS away; the "Share…" button (the system share
# sheet, on phones) and "Copy link" reach the rest. Six links keep an article page within its
# weight budget (docs/benchmarks.md).
DEFAULT_NETWORKS: tuple[str, ...] = ("facebook", "x", "linkedin", "whatsapp", "telegram", "email")


def unknown_networks(names: Iterable[str]) -> list[str]:
    """Return the names in ``names`` that are not networks the share bar knows."""
    return [name for name in names if name not in NETWORKS]


def utm_medium(network: str) -> str:
    """Return the ``utm_medium`` of a network: ``email`` for email, ``social`` otherwise."""
    return "email" if network == "email" else "social"


def with_utm(url: str, source: str, medium: str, campaign: str) -> str:
    """Return ``url`` with ``utm_source``, ``utm_medium`` and ``utm_campaign`` added.

    Keeps any query the URL already has (replacing earlier ``utm_*`` values) and its fragment.
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k[:4] != "utm_"]
    query += [("utm_source", source), ("utm_medium", medium), ("utm_campaign", campaign)]
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def share_links(
    target: ShareTarget,
    networks: Iterable[str] = DEFAULT_NETWORKS,
    *,
    utm_campaign: str = "",
    mastodon_page: str = TOOTPICK,
) -> tuple[ShareLink, ...]:
    """Return the share bar's links for ``target``, one per name in ``networks``, in order.

    With ``utm_campaign`` set, each network gets its own copy of the URL tagged with
    ``utm_source=<network>`` (the target's URL itself is left as it was). Raises ``KeyError``
    for an unknown network name (settings are checked before this runs).
    """
    links = []
    for name in networks:
        network = NETWORKS[name]
        build = partial(mastodon, share_page=mastodon_page) if name == "mastodon" else network.build
        shared = target
        if utm_campaign:
            tagged = with_utm(target.url, name, utm_medium(name), utm_campaign)
            shared = replace(target, url=tagged)
        links.append(ShareLink(name, network.label, build(shared), network.new_tab))
    return tuple(links)
