"""Each hosted service's embed follows its documented snippet, keyed on our thread id."""

from __future__ import annotations

import json

import pytest

from condividi.comments.config import comments_config
from condividi.comments.embeds import Post, build_embed
from tests.comments_support import HOSTED

POST = Post(
    thread="/la-newsletter/",
    url="https://blog.example.org/2026/la-newsletter/",
    title="La newsletter",
    lang="it",
    siteurl="https://blog.example.org",
)


def embed_for(provider: str):  # type: ignore[no-untyped-def]
    settings = {"SITEURL": POST.siteurl, "COMMENTS_PROVIDER": provider, **HOSTED.get(provider, {})}
    return build_embed(comments_config(settings), POST)


@pytest.mark.parametrize("provider", ["isso", "none"])
def test_isso_and_none_have_no_hosted_embed(provider: str) -> None:
    assert embed_for(provider) is None


def test_giscus_maps_the_discussion_to_the_thread_id() -> None:
    embed = embed_for("giscus")
    (script,) = embed.scripts
    assert script.src == "https://giscus.app/client.js"
    assert script.attrs["data-repo"] == "giulia/blog"
    assert script.attrs["data-category-id"] == "DIC_kwDOexample"
    assert script.attrs["data-mapping"] == "specific"
    assert script.attrs["data-term"] == "/la-newsletter/"
    assert script.attrs["data-lang"] == "it"
    assert embed.container == {"class": "giscus"}
    assert embed.link == "https://github.com/giulia/blog/discussions"
    assert embed.origins == ("https://giscus.app",)


def test_disqus_identifies_the_page_by_thread_id() -> None:
    embed = embed_for("disqus")
    assert [s.src for s in embed.scripts] == ["https://condividi-blog.disqus.com/embed.js"]
    assert embed.settings == {
        "url": POST.url,
        "identifier": "/la-newsletter/",
        "title": "La newsletter",
        "language": "it",
    }
    assert embed.container == {"id": "disqus_thread"}


def test_remark42_keys_the_thread_on_a_stable_address() -> None:
    embed = embed_for("remark42")
    (script,) = embed.scripts
    assert script.src == "https://remark.example.org/web/embed.mjs"
    assert script.attrs == {"type": "module"}
    assert embed.settings["url"] == "https://blog.example.org/la-newsletter/"
    assert embed.settings["site_id"] == "remark"
    assert embed.settings["components"] == ["embed"]
    assert embed.hosts == ("remark.example.org",)


def test_cusdis_loads_its_language_then_the_widget() -> None:
    embed = embed_for("cusdis")
    assert [s.src for s in embed.scripts] == [
        "https://cusdis.com/js/widget/lang/it.js",
        "https://cusdis.com/js/cusdis.es.js",
    ]
    assert embed.container["id"] == "cusdis_thread"
    assert embed.container["data-page-id"] == "/la-newsletter/"
    assert embed.container["data-app-id"] == "0f1e2d3c"
    assert embed.origins == ("https://cusdis.com",)


@pytest.mark.parametrize("provider", sorted(HOSTED))
def test_the_json_for_comments_js_round_trips(provider: str) -> None:
    embed = embed_for(provider)
    data = json.loads(embed.to_json())
    assert data["provider"] == provider
    assert [s["src"] for s in data["scripts"]] == [s.src for s in embed.scripts]
    assert data["settings"] == embed.settings
