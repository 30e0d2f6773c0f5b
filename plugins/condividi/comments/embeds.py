"""The hosted comment services' documented embeds, described as data for click-to-load.

Each embed is what the service's own snippet would do (reference: pelican.md §3.2-3.5), split
into an inert container rendered into the page, and the scripts (plus, for Disqus and
Remark42, the page-level configuration object) that ``comments.js`` adds only after the reader
clicks "Show comments". Nothing in the page itself contacts the service.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from condividi.comments.config import CommentsConfig, origin_of

NAMES = {
    "giscus": "giscus (GitHub Discussions)",
    "disqus": "Disqus",
    "remark42": "Remark42",
    "cusdis": "Cusdis",
}


@dataclass(frozen=True)
class Script:
    """A script the embed loads: its address and its attributes (``data-*``, ``type``...)."""

    src: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Embed:
    """A hosted service's embed for one post.

    ``container`` holds the attributes of the element the service fills (rendered into the
    page), ``scripts`` are loaded in order after the click, ``settings`` is the configuration
    object the service reads from ``window`` (Disqus, Remark42), ``link`` is where a reader
    without JavaScript can find the discussion, if the service has such a page.
    """

    provider: str
    container: dict[str, str]
    scripts: tuple[Script, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    link: str = ""

    @property
    def name(self) -> str:
        """The service's name, for the reader."""
        return NAMES[self.provider]

    @property
    def hosts(self) -> tuple[str, ...]:
        """The host names the embed's scripts come from, in order, without repeats."""
        return tuple(dict.fromkeys(urlsplit(script.src).hostname or "" for script in self.scripts))

    @property
    def origins(self) -> tuple[str, ...]:
        """The origins the page's Content-Security-Policy must allow for this embed."""
        return tuple(dict.fromkeys(origin_of(script.src) for script in self.scripts))

    def to_json(self) -> str:
        """Return what ``comments.js`` needs after the click, as JSON (escape it for HTML)."""
        return json.dumps(
            {
                "provider": self.provider,
                "settings": self.settings,
                "scripts": [{"src": s.src, "attrs": s.attrs} for s in self.scripts],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class Post:
    """What an embed needs to know about a post."""

    thread: str
    url: str
    title: str
    lang: str
    siteurl: str


def build_embed(config: CommentsConfig, post: Post) -> Embed | None:
    """Return the hosted service's embed for ``post``, or ``None`` for Isso and "none"."""
    builder = _BUILDERS.get(config.provider)
    return builder(config, post) if builder else None


def _giscus(config: CommentsConfig, post: Post) -> Embed:
    # The "specific" mapping keys the discussion on our stable thread id, not on the URL.
    attrs = {
        "data-repo": config.giscus_repo,
        "data-repo-id": config.giscus_repo_id,
        "data-category": config.giscus_category,
        "data-category-id": config.giscus_category_id,
        "data-mapping": "specific",
        "data-term": post.thread,
        "data-strict": "0",
        "data-reactions-enabled": "1",
        "data-emit-metadata": "0",
        "data-input-position": "bottom",
        "data-theme": "preferred_color_scheme",
        "data-lang": post.lang,
        "crossorigin": "anonymous",
    }
    return Embed(
        provider="giscus",
        container={"class": "giscus"},
        scripts=(Script("https://giscus.app/client.js", attrs),),
        link=f"https://github.com/{config.giscus_repo}/discussions",
    )


def _disqus(config: CommentsConfig, post: Post) -> Embed:
    return Embed(
        provider="disqus",
        container={"id": "disqus_thread"},
        scripts=(Script(f"https://{config.disqus_shortname}.disqus.com/embed.js"),),
        settings={
            "url": post.url,
            "identifier": post.thread,
            "title": post.title,
            "language": post.lang,
        },
    )


def _remark42(config: CommentsConfig, post: Post) -> Embed:
    host = config.remark42_host.rstrip("/")
    # Remark42 keys a thread on its URL: give it the stable thread address, not the page's.
    return Embed(
        provider="remark42",
        container={"id": "remark42"},
        scripts=(Script(f"{host}/web/embed.mjs", {"type": "module"}),),
        settings={
            "host": host,
            "site_id": config.remark42_site_id,
            "components": ["embed"],
            "url": post.siteurl.rstrip("/") + post.thread,
            "page_title": post.title,
            "locale": post.lang,
        },
    )


def _cusdis(config: CommentsConfig, post: Post) -> Embed:
    host = config.cusdis_host.rstrip("/")
    return Embed(
        provider="cusdis",
        container={
            "id": "cusdis_thread",
            "data-host": host,
            "data-app-id": config.cusdis_app_id,
            "data-page-id": post.thread,
            "data-page-url": post.url,
            "data-page-title": post.title,
            "data-theme": "auto",
        },
        # The language file sets window.CUSDIS_LOCALE, read when the widget starts.
        scripts=(
            Script(f"{host}/js/widget/lang/{post.lang}.js"),
            Script(f"{host}/js/cusdis.es.js"),
        ),
    )


_BUILDERS = {"giscus": _giscus, "disqus": _disqus, "remark42": _remark42, "cusdis": _cusdis}
