"""Read next: related posts from shared tags, category and words, pure and in a built site."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from condividi.config import ConfigError
from condividi.readnext.config import readnext_config
from condividi.readnext.similarity import PostText, plain_summary, related_posts, words
from tests.conftest import BuildSite


def post(key: str, title: str, tags: tuple[str, ...] = (), category: str = "", **extra) -> PostText:
    fields = {"lang": "it", "summary": "", "timestamp": 0.0, "candidate": True, **extra}
    return PostText(key=key, title=title, tags=tags, category=category, **fields)


def test_words_drop_stop_words_numbers_and_short_ones() -> None:
    assert words("Perché la Newsletter batte l'algoritmo nel 2026, e più!") == [
        "newsletter",
        "batte",
        "algoritmo",
    ]


def test_shared_tags_count_more_than_a_shared_category_and_unrelated_posts_are_left_out() -> None:
    posts = [
        post("a", "Newsletter e fiducia", ("newsletter", "fiducia"), "Strategia"),
        post("b", "Misurare i lettori", ("newsletter", "fiducia"), "Metriche"),
        post("c", "Un altro saggio", ("linkedin",), "Strategia"),
        post("d", "Giardinaggio", ("piante",), "Casa"),
    ]
    related = related_posts(posts, 3)
    assert related["a"] == ("b", "c")
    assert related["d"] == ()


def test_words_of_the_title_and_summary_relate_posts_without_tags() -> None:
    posts = [
        post("a", "La crisi di reputazione sui social", summary="Le prime ventiquattro ore."),
        post("b", "Gestire una crisi di reputazione", summary="Cosa dire nelle prime ore."),
        post("c", "Metriche di vanità", summary="Numeri che lusingano."),
    ]
    assert related_posts(posts, 1)["a"] == ("b",)


def test_only_the_same_language_and_only_published_posts_are_suggested() -> None:
    posts = [
        post("it", "Newsletter", ("newsletter",)),
        post("en", "Newsletter", ("newsletter",), lang="en"),
        post("draft", "Newsletter", ("newsletter",), candidate=False),
        post("it2", "Newsletter", ("newsletter",)),
    ]
    related = related_posts(posts, 3)
    assert related["it"] == ("it2",)
    assert related["en"] == ()
    assert related["draft"] == ("it", "it2")  # a draft gets suggestions, and is never one


def test_ties_go_to_the_newer_post_then_to_the_key() -> None:
    posts = [
        post("old", "Newsletter", ("x",), timestamp=1.0),
        post("new", "Newsletter", ("x",), timestamp=2.0),
        post("b-same", "Newsletter", ("x",), timestamp=2.0),
        post("self", "Newsletter", ("x",), timestamp=0.0),
    ]
    assert related_posts(posts, 3)["self"] == ("b-same", "new", "old")


def test_the_answer_is_the_same_whatever_the_order_of_the_posts() -> None:
    rng = random.Random(7)
    vocabulary = [
        "newsletter",
        "fiducia",
        "algoritmo",
        "lettori",
        "metriche",
        "reputazione",
        "crisi",
        "social",
    ]
    posts = [
        post(
            f"p{n:03d}",
            " ".join(rng.sample(vocabulary, 3)),
            tuple(rng.sample(vocabulary, 2)),
            rng.choice(["A", "B", "C"]),
            timestamp=float(rng.randrange(5)),
        )
        for n in range(200)
    ]
    first = related_posts(posts, 3)
    shuffled = posts[:]
    rng.shuffle(shuffled)
    assert related_posts(shuffled, 3) == first
    assert all(len(keys) == 3 and key not in keys for key, keys in first.items())


def test_plain_summary_prefers_the_front_matter() -> None:
    assert plain_summary({"summary": "<p>Breve.</p>"}, "<p>Lungo</p>") == "Breve."
    assert plain_summary({}, "<p>uno <b>due</b> tre</p>", 2) == "uno due"


def test_config_defaults_and_errors() -> None:
    assert readnext_config({}).enabled and readnext_config({}).count == 3
    with pytest.raises(ConfigError, match="READNEXT_COUNT"):
        readnext_config({"READNEXT_COUNT": 0})
    with pytest.raises(ConfigError, match="READNEXT_ENABLED"):
        readnext_config({"READNEXT_ENABLED": "no"})


ARTICLE = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower"


def read_next(output: Path, path: str) -> BeautifulSoup | None:
    page = BeautifulSoup((output / path).read_text(encoding="utf-8"), "html.parser")
    return page.find("aside", class_="read-next")


def test_each_article_lists_related_posts_before_the_comments(make_site: BuildSite) -> None:
    output = make_site()
    page = BeautifulSoup(
        (output / ARTICLE / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    aside = page.find("aside", class_="read-next")
    assert aside.h2.get_text() == "Leggi anche"
    items = aside.find_all("li")
    assert 1 <= len(items) <= 3
    for item in items:
        link = item.a["href"]
        assert link.startswith("/") and link != f"/{ARTICLE}/"
        assert (output / link.strip("/") / "index.html").is_file()
        assert item.time["datetime"] and item.p.get_text().strip()
    comments = page.find(id="commenti") or page.find(class_="comments")
    assert comments is not None
    assert aside.sourceline < comments.sourceline
    english = [
        p for p in output.glob("en/*/index.html") if read_next(output, str(p.relative_to(output)))
    ]
    for path in english:
        aside = read_next(output, str(path.relative_to(output)))
        assert aside.h2.get_text() == "Read next"
        assert all(item.a["href"].startswith("/en/") for item in aside.find_all("li"))
    second = make_site()
    assert read_next(second, f"{ARTICLE}/index.html") == read_next(output, f"{ARTICLE}/index.html")


def test_read_next_can_be_turned_off(make_site: BuildSite) -> None:
    output = make_site(overrides={"READNEXT_ENABLED": False})
    assert read_next(output, f"{ARTICLE}/index.html") is None
