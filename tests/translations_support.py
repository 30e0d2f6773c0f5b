"""The sample site with one essay translated into English, a post kept out of the sitemap and
the redirect map, published once (publishconf.py) for the sitemap and translation tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import published_copy
from tests.redirects_support import MAP

SITEURL_PORT = 8000
SITEURL = f"http://127.0.0.1:{SITEURL_PORT}"
ITALIAN = "perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"
ENGLISH = "en/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"
UNLISTED = "una-nota-da-non-indicizzare/"

TRANSLATION = """\
Title: Why companies should stop chasing followers
Slug: perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower
Date: 2026-03-10 10:30
Modified: 2026-03-12 08:00
Category: Strategia
Tags: follower, strategia
Lang: en
Summary: The English translation of the essay on followers.

Almost every engagement I start with a company begins the same way.
"""

UNLISTED_POST = """\
Title: Una nota da non indicizzare
Date: 2026-05-01 10:00
Category: Strategia
Lang: it
Sitemap: no

Una nota di servizio.
"""


@dataclass
class TranslatedSite:
    """The built copy of the sample site: its project folder and output folder."""

    project: Path
    output: Path


@pytest.fixture(scope="session")
def translated_site(tmp_path_factory: pytest.TempPathFactory) -> TranslatedSite:
    """The sample site plus :data:`TRANSLATION`, :data:`UNLISTED_POST` and the redirect map."""

    def prepare(project: Path) -> None:
        articles = project / "content" / "articles"
        (articles / "perche-le-aziende-follower.en.md").write_text(TRANSLATION, "utf-8")
        (articles / "una-nota-da-non-indicizzare.md").write_text(UNLISTED_POST, "utf-8")
        (project / "content" / "redirects.txt").write_text(MAP, encoding="utf-8")

    project, output = published_copy(tmp_path_factory.mktemp("translated"), SITEURL_PORT, prepare)
    return TranslatedSite(project, output)
