"""A post and its translation linked both ways: the versions and link texts (unit), and the
built pages' hreflang alternates, "Read in English" / "Leggi in italiano" and the lists."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from bs4 import BeautifulSoup

from condividi.theme import localedir
from condividi.translations import (
    LanguageVersion,
    default_version,
    language_name,
    language_versions,
    read_in,
)
from tests.conftest import ROOT
from tests.test_html_validity import vnu_errors
from tests.translations_support import (  # noqa: F401 (a fixture)
    ENGLISH,
    ITALIAN,
    SITEURL,
    TranslatedSite,
    translated_site,
)

LOCALEDIR = localedir({"THEME": str(ROOT / "theme")})


def soup(output: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((output / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def alternates(page: BeautifulSoup) -> set[tuple[str, str]]:
    return {
        (link["hreflang"], link["href"])
        for link in page.select("head link[rel=alternate][hreflang]")
    }


# Unit


def test_versions_are_every_language_sorted_with_absolute_urls() -> None:
    italian = SimpleNamespace(lang="it", url="saggio/", title="Saggio", translations=[])
    english = SimpleNamespace(lang="en", url="en/saggio/", title="Essay", translations=[italian])
    italian.translations = [english]
    versions = language_versions(italian, "https://blog.example.org/")
    assert versions == (
        LanguageVersion("en", "https://blog.example.org/en/saggio/", "Essay"),
        LanguageVersion("it", "https://blog.example.org/saggio/", "Saggio"),
    )
    assert language_versions(english, "https://blog.example.org") == versions
    assert default_version(versions, "it") == versions[1]
    assert default_version(versions, "fr") == versions[0]
    assert default_version((), "it") is None
    assert language_versions(SimpleNamespace(translations=[]), "https://e.org") == ()


def test_the_link_text_is_in_the_language_it_leads_to() -> None:
    assert read_in("en", LOCALEDIR) == "Read in English"
    assert read_in("it", LOCALEDIR) == "Leggi in italiano"
    assert language_name("de") == "Deutsch"
    assert language_name("zz-not-a-language!") == "zz-not-a-language!"


# Build: the sample site with one essay translated into English.


@pytest.mark.parametrize("path", [ITALIAN, ENGLISH])
def test_both_versions_carry_the_same_alternates_with_x_default(
    translated_site: TranslatedSite,  # noqa: F811
    path: str,
) -> None:
    assert alternates(soup(translated_site.output, path)) == {
        ("it", f"{SITEURL}/{ITALIAN}"),
        ("en", f"{SITEURL}/{ENGLISH}"),
        ("x-default", f"{SITEURL}/{ITALIAN}"),
    }


def test_each_version_links_to_the_other_in_its_language(
    translated_site: TranslatedSite,  # noqa: F811
) -> None:
    italian = soup(translated_site.output, ITALIAN).select("p.translations a")
    english = soup(translated_site.output, ENGLISH).select("p.translations a")
    assert [(a.get_text(), a["href"], a["lang"], a["hreflang"]) for a in italian] == [
        ("Read in English", f"/{ENGLISH}", "en", "en")
    ]
    assert [(a.get_text(), a["href"], a["lang"], a["hreflang"]) for a in english] == [
        ("Leggi in italiano", f"/{ITALIAN}", "it", "it")
    ]


def test_a_page_without_a_translation_has_neither(translated_site: TranslatedSite) -> None:  # noqa: F811
    for path in ("crisi-di-reputazione-sui-social-le-prime-24-ore/", "chi-sono/"):
        page = soup(translated_site.output, path)
        assert alternates(page) == set() and page.select("p.translations") == [], path


@pytest.mark.parametrize("path", ["", "archivio/", "categoria/strategia/", "tag/privacy/"])
def test_italian_lists_show_no_translation_and_mark_other_languages(
    translated_site: TranslatedSite,  # noqa: F811
    path: str,
) -> None:
    page = soup(translated_site.output, path)
    assert "Why companies should stop chasing followers" not in page.get_text()
    assert page.html["lang"] == "it"
    english = page.find_all(string=lambda text: "Why we left" in text)
    assert english, path
    for text in english:
        assert text.find_parent(attrs={"lang": True})["lang"] == "en", (path, text.parent)


@pytest.mark.vnu
def test_translated_pages_are_valid_html(translated_site: TranslatedSite) -> None:  # noqa: F811
    output = translated_site.output
    assert vnu_errors([output / ITALIAN / "index.html", output / ENGLISH / "index.html"]) == []
