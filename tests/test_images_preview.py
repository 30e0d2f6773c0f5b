"""make serve's quick path: a saved post with a new photo shows it at once, copies included."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from bench.photos import write_photo
from condividi.images.markup import parse_srcset
from condividi.preview.pipeline import Pipeline
from tests.conftest import copy_project

POST = """Title: Una foto nuova
Date: 2026-03-02 10:00
Slug: una-foto-nuova
Category: Strategia
Summary: Salvato durante l'anteprima.

![Il molo]({static}/images/molo.jpg)
"""


def test_a_quick_build_places_the_copies_of_a_new_photo_with_its_page(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    project = copy_project(tmp_path / "site")
    output = project / "output"
    pipeline = Pipeline(project / "pelicanconf.py", output, {"CACHE_PATH": str(tmp_path / "c")})
    assert pipeline.full_build().ok

    write_photo(project / "content" / "images" / "molo.jpg", 1400, 900, seed=5)
    post = project / "content" / "articles" / "una-foto-nuova.md"
    post.write_text(POST, encoding="utf-8")
    outcome = pipeline.quick_build([post])
    assert outcome.ok and outcome.changed == ("una-foto-nuova/index.html",)

    page = BeautifulSoup(
        (output / "una-foto-nuova" / "index.html").read_text("utf-8"), "html.parser"
    )
    picture = page.find(class_="post-body").find("picture")
    urls = [url for url, _ in parse_srcset(picture.find("source")["srcset"])]
    urls += [url for url, _ in parse_srcset(picture.img["srcset"]) if "/sizes/" in url]
    assert len(urls) == 7  # WebP 480, 800, 1200, 1400; JPEG 480, 800, 1200
    missing = [url for url in urls if not (output / urlsplit(url).path.lstrip("/")).is_file()]
    assert missing == []
