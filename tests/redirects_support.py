"""The sample site with a WordPress redirect map, built once with publishconf.py and served.

Shared by the build, validator, browser and nginx tests of the old addresses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from condividi.services import free_port
from tests.conftest import StaticServer, published_copy

ESSAY = "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"
ENGLISH = "/en/why-we-left-the-share-button-scripts-behind/"
LONG_OLD_PATH = "/2013/05/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower-e-i-like/"

# Old WordPress addresses of the sample site, as the importer (or the author) writes them.
MAP = f"""\
# Il vecchio blog WordPress
/2013/05/perche-le-aziende/   {ESSAY}
/?p=123   /2013/05/perche-le-aziende/
/?page_id=7   /chi-sono/
/?cat=3   /categoria/social-media/   302
/2014/01/perché-no/   {ENGLISH}   308
/index.php?p=5   /chi-sono/   302
/vecchio.html   /chi-sono/   307
{LONG_OLD_PATH}   {ESSAY}
/category/social/   /categoria/social-media/
/feed/   /feeds/atom.xml
/comments/feed/   /feeds/atom.xml   302
"""


@dataclass
class RedirectedSite:
    """A built copy of the sample site with :data:`MAP`, and the server serving its output."""

    project: Path
    output: Path
    server: StaticServer


@pytest.fixture(scope="session")
def redirected_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedirectedSite]:
    """The sample site with :data:`MAP`, published (publishconf.py) for the server's origin."""

    def add_map(project: Path) -> None:
        (project / "content" / "redirects.txt").write_text(MAP, encoding="utf-8")

    port = free_port()
    project, output = published_copy(tmp_path_factory.mktemp("redirected"), port, add_map)
    with StaticServer(output, port) as server:
        yield RedirectedSite(project, output, server)
