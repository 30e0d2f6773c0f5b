"""The benchmark's corpus generator: deterministic, shaped like our essays, read by Pelican."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup

from bench import corpus
from tests.conftest import BuildSite


def files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("articles/*.md"))}


def body_of(source: str) -> str:
    return source.split("\n\n", 1)[1]


def prose_words(source: str) -> int:
    html = markdown.markdown(body_of(source))
    return len(BeautifulSoup(html, "html.parser").get_text(" ").split())


def test_same_seed_same_corpus_other_seed_other_corpus(tmp_path: Path) -> None:
    corpus.write_corpus(tmp_path / "a", 6, seed=3)
    corpus.write_corpus(tmp_path / "b", 6, seed=3)
    corpus.write_corpus(tmp_path / "c", 6, seed=4)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert set(files(tmp_path / "a").values()).isdisjoint(files(tmp_path / "c").values())


def test_a_small_corpus_is_the_beginning_of_a_larger_one(tmp_path: Path) -> None:
    small = corpus.write_corpus(tmp_path / "small", 5)
    large = corpus.write_corpus(tmp_path / "large", 12)
    assert [p.slug for p in small] == [p.slug for p in large[:5]]
    large_files = files(tmp_path / "large")
    for name, text in files(tmp_path / "small").items():
        assert large_files[name] == text


def test_categories_and_tags_are_all_used(tmp_path: Path) -> None:
    posts = corpus.write_corpus(tmp_path, 40)
    assert len(corpus.CATEGORIES) == 8 and len(set(corpus.TAGS)) == 40
    assert Counter(p.category for p in posts) == dict.fromkeys(corpus.CATEGORIES, 5)
    assert {tag for p in posts for tag in p.tags} == set(corpus.TAGS)
    for post in posts:
        assert 3 <= len(post.tags) <= 5 and len(set(post.tags)) == len(post.tags)
    assert len({p.slug for p in posts}) == 40
    dates = [p.date for p in posts]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == 40


def test_posts_are_about_900_words_of_italian_essay(tmp_path: Path) -> None:
    posts = corpus.write_corpus(tmp_path, 12)
    for post in posts:
        source = post.path.read_text(encoding="utf-8")
        assert corpus.WORDS_MIN <= post.words <= corpus.WORDS_MAX + 40, post.path
        assert 820 <= prose_words(source) <= 1000, post.path
        body = body_of(source)
        assert len(re.findall(r"^## ", body, re.M)) >= 4
        assert re.search(r"^> .+\n>\n> — ", body, re.M)
        assert re.search(r"^(-|1\.) .+;$", body, re.M)
        assert "](https://www.example.com/" in body
        assert ("]({filename}/articles/" in body) == (post.index > 0)
        assert re.search(r"[àèéìòù]", body)


def test_front_matter_has_every_field_of_our_essays(tmp_path: Path) -> None:
    post = corpus.write_corpus(tmp_path, 1)[0]
    head = post.path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    fields = dict(line.split(": ", 1) for line in head.splitlines())
    assert list(fields) == ["Title", "Date", "Category", "Tags", "Summary", "Lang", "Author"]
    assert fields["Title"] == post.title and fields["Lang"] == "it"
    assert fields["Date"] == f"{post.date:%Y-%m-%d %H:%M}"
    assert fields["Tags"].split(", ") == list(post.tags)
    assert post.path.name == f"{post.date:%Y-%m-%d}-{post.slug}.md"


def test_count_out_of_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="count 0 is out of range"):
        corpus.write_corpus(tmp_path, 0)
    with pytest.raises(ValueError, match="out of range"):
        corpus.write_corpus(tmp_path, len(corpus.titles()) + 1)


def test_pelican_reads_the_corpus(make_site: BuildSite) -> None:
    articles = make_site.project / "content" / "articles"  # type: ignore[attr-defined]
    for old in articles.glob("*.md"):
        old.unlink()
    posts = corpus.write_corpus(articles.parent, 5)
    output = make_site()
    for post in posts:
        page = BeautifulSoup(
            (output / post.slug / "index.html").read_text(encoding="utf-8"), "html.parser"
        )
        assert page.find("h1").get_text(strip=True) == post.title
        assert page.select_one(".post-meta time")["datetime"].startswith(f"{post.date:%Y-%m-%d}")
        assert [a.get_text() for a in page.select(".tags a[rel=tag]")] == list(post.tags)
        body = page.select_one(".post-body")
        assert body.find("blockquote") and body.find(["ul", "ol"]) and body.find("h2")
        assert "{filename}" not in str(body)
        internal = [a["href"] for a in body.find_all("a") if "example.org" in a["href"]]
        assert len(internal) == (1 if post.index else 0)
        for href in internal:
            slug = href.removeprefix("https://blog.example.org/").strip("/")
            assert (output / slug / "index.html").is_file()
    categories = {p.category for p in posts}
    assert len(list((output / "categoria").glob("*/index.html"))) >= len(categories)
