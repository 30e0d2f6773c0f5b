"""Thread ids come from the slug and language; `Comments: off` turns a post's comments off."""

from __future__ import annotations

import pytest

from condividi.comments.threads import comments_enabled, thread_id
from condividi.config import ConfigError


def test_thread_id_is_the_slug_path() -> None:
    assert thread_id("la-newsletter", "it", "it") == "/la-newsletter/"


def test_a_translation_has_its_own_thread() -> None:
    assert thread_id("la-newsletter", "en", "it") == "/en/la-newsletter/"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, True), ("on", True), ("Yes", True), ("off", False), (" OFF ", False), ("no", False)],
)
def test_comments_front_matter(value: str | None, expected: bool) -> None:
    assert comments_enabled(value, "articles/post.md") is expected


def test_unknown_value_names_the_file_and_the_value() -> None:
    with pytest.raises(ConfigError, match=r"articles/post\.md: Comments: 'maybe'"):
        comments_enabled("maybe", "articles/post.md")


def test_a_page_takes_no_comments_unless_it_says_so() -> None:
    assert comments_enabled(None, "pages/chi-sono.md", default=False) is False
    assert comments_enabled("on", "pages/chi-sono.md", default=False) is True
    assert comments_enabled("off", "articles/post.md") is False
