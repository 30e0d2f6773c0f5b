"""An article with three photos and its read-next list, in headless Chromium and the Nu HTML
Checker: a phone downloads a small WebP copy, later photos wait, nothing is inaccessible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from condividi.services import free_port
from tests.conftest import RequestLog, StaticServer, published_copy, wait_for
from tests.test_html_validity import vnu_errors
from tests.test_images_build import SLUG, add_post

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    port = free_port()
    _, output = published_copy(tmp_path_factory.mktemp("photos"), port, add_post)
    with StaticServer(output, port) as server:
        yield server


def test_a_phone_downloads_a_small_webp_and_the_later_photos_wait(
    browser: Any, photo_site: StaticServer
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 667}, device_scale_factor=2)
    page = context.new_page()
    images: list[str] = []
    page.on("request", lambda r: images.append(r.url) if r.resource_type == "image" else None)
    page.goto(f"{photo_site.url}/{SLUG}/", wait_until="load")
    first = page.eval_on_selector(".post-body picture img", "img => img.currentSrc")
    # 335 CSS pixels wide at 2 device pixels each: the 800 px WebP copy, not the 2000 px JPEG.
    assert "/images/sizes/porto-800." in first and first.endswith(".webp")
    assert not any("porto.jpg" in url for url in images)
    assert not any("/piazza" in url for url in images), "a photo far below loaded at once"
    page.eval_on_selector_all(".post-body img", "imgs => imgs.forEach(img => img.scrollIntoView())")
    assert wait_for(
        lambda: page.eval_on_selector_all(
            ".post-body picture img", "imgs => imgs.every(i => i.complete && i.naturalWidth > 0)"
        )
    )
    boxes = page.eval_on_selector_all(
        ".post-body picture img",
        "imgs => imgs.map(i => [i.getBoundingClientRect().width, i.naturalWidth])",
    )
    assert all(0 < shown <= 375 and natural <= 2 * 375 * 1.5 for shown, natural in boxes), boxes
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_article_with_photos_and_read_next_has_no_accessibility_violation(
    page: Any, photo_site: StaticServer, request_log: RequestLog, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{photo_site.url}/{SLUG}/")
    assert page.locator(".read-next li").count() >= 1
    violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
    assert request_log.off_loopback() == []


@pytest.mark.vnu
def test_the_article_with_photos_and_read_next_is_valid_html(photo_site: StaticServer) -> None:
    page = Path(photo_site.directory) / SLUG / "index.html"
    assert "<picture>" in page.read_text(encoding="utf-8")
    assert vnu_errors([page]) == []
