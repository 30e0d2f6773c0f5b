"""Isso's client in the page's language: the settings and texts the build gives it."""

from __future__ import annotations

import gettext
import json
import re
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import pytest

from condividi import i18n
from condividi.comments.isso_client import (
    ISSO_TEXTS,
    client_attributes,
    client_path,
    client_script,
)
from tests.comments_support import client_settings
from tests.conftest import ROOT

LOCALEDIR = str(ROOT / "theme" / "translations")


@cache
def isso_catalogue(lang: str) -> dict[str, str]:
    """Return the texts of the installed Isso client's catalogue for ``lang`` (its i18n/*.js)."""
    spec = find_spec("isso")
    assert spec and spec.submodule_search_locations
    source = Path(spec.submodule_search_locations[0], "js", "app", "i18n", f"{lang}.js")
    text = source.read_text(encoding="utf-8")
    return json.loads(text[text.index("{") : text.rindex("}") + 1])


def test_the_italian_client_gets_italian_texts_where_isso_has_none_or_wrong_ones() -> None:
    attributes = client_attributes("/isso", "it", i18n.load_catalogue(LOCALEDIR, "it"))
    assert attributes["data-isso"] == "/isso"
    assert attributes["data-isso-lang"] == "it"
    assert attributes["data-isso-avatar"] == attributes["data-isso-vote"] == "false"
    assert attributes["data-isso-postbox-author-placeholder-text-it"] == "Mario Rossi"
    assert attributes["data-isso-postbox-email-placeholder-text-it"] == "mario.rossi@esempio.it"
    assert attributes["data-isso-comment-cancel-text-it"] == "Annulla"  # Isso: "Cancella"
    assert attributes["data-isso-date-hour-text-it"] == "un'ora fa\n{{ n }} ore fa"


def test_english_and_untranslated_languages_keep_isso_s_own_texts() -> None:
    base = {"data-isso", "data-isso-lang", "data-isso-avatar", "data-isso-vote"}
    english = client_attributes("/isso", "en", i18n.load_catalogue(LOCALEDIR, "en"))
    assert set(english) == base
    french = client_attributes("/isso", "fr", gettext.NullTranslations())
    assert set(french) == base and french["data-isso-lang"] == "fr"


def test_every_text_of_isso_s_english_catalogue_exists_in_italian() -> None:
    """Isso falls back to English for a text its Italian lacks: with ours, none is missing."""
    attributes = client_attributes("/isso", "it", i18n.load_catalogue(LOCALEDIR, "it"))
    ours = {
        name.removeprefix("data-isso-").removesuffix("-text-it"): text
        for name, text in attributes.items()
        if name.endswith("-text-it")
    }
    english, italian = isso_catalogue("en"), isso_catalogue("it")
    missing = [key for key in english if key not in ours and key not in italian]
    assert missing == []
    # The ids of ISSO_TEXTS are Isso's own English texts: an Isso upgrade that rewords one
    # shows up here.
    assert {key: english[key] for key in ISSO_TEXTS} == dict(ISSO_TEXTS)


def test_the_script_sets_the_attributes_then_loads_isso(tmp_path: Path) -> None:
    attributes = {"data-isso": "https://commenti.example.org", "data-isso-x-text-it": "</script>"}
    script = client_script(attributes)
    assert "<" not in script  # nothing a page could read as the end of a script
    data = re.search(r"document\.currentScript,(\{.*\})\);", script)
    assert data and json.loads(data.group(1)) == attributes
    assert '"/js/embed.min.js"' in script


def test_one_script_per_language_under_the_theme_s_static_folder() -> None:
    assert client_path("theme", "it") == "theme/js/isso-it.js"
    assert client_path("/static/", "en") == "static/js/isso-en.js"


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_build_writes_the_script_each_post_language_needs(
    sample_output: Path, lang: str
) -> None:
    data = client_settings(sample_output, lang)
    assert data["data-isso"] == "/isso" and data["data-isso-lang"] == lang
    assert ("data-isso-postbox-author-placeholder-text-it" in data) == (lang == "it")
