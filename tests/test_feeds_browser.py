"""A feed opened in Chromium becomes a readable, accessible page that loads nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import RequestLog, StaticServer

pytestmark = pytest.mark.browser

FEEDS = ["/feeds/rss.xml", "/feeds/atom.xml", "/feeds/categoria/strategia.rss.xml"]


@pytest.mark.parametrize("path", FEEDS)
def test_a_feed_opens_as_a_page_that_explains_how_to_subscribe(
    page: Any, served_site: StaticServer, request_log: RequestLog, path: str
) -> None:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    # Not "networkidle": Chromium never reports the stylesheet's fetch as finished, because the
    # transformed page replaces the document that started it.
    page.goto(served_site.url + path, wait_until="load")
    page.locator(".feed-entries").wait_for()
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.locator("h1").inner_text().startswith("Condividi")
    assert page.locator("code.feed-url").inner_text() == served_site.url + path
    newsletter = page.get_by_role("link", name="iscriviti alla newsletter")
    assert newsletter.get_attribute("href") == served_site.url + "/newsletter/"
    assert page.locator(".feed-entries li a").count() >= 1
    assert request_log.off_loopback() == []
    assert failed == []
    # Ours has no script and no inline style; Chromium adds its own XSLT deprecation banner
    # (an <xslt-warning-banner> with inline styles, which the strict CSP blocks), so the page's
    # own elements are checked rather than the console.
    assert page.evaluate("document.scripts.length") == 0
    styled = (
        "[...document.querySelectorAll('[style]')].filter(e => !e.closest('xslt-warning-banner'))"
    )
    assert page.evaluate(f"{styled}.length") == 0


@pytest.mark.parametrize("path", ["/feeds/rss.xml", "/categoria/strategia/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_feed_page_and_a_list_with_its_feed_link_are_accessible(
    page: Any, served_site: StaticServer, scheme: str, path: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(served_site.url + path)
    page.locator(".feed-entries, .list-feed").first.wait_for()
    # Chromium's own XSLT deprecation banner sits outside any landmark; the page is ours.
    results = Axe().run(page, context={"exclude": [["xslt-warning-banner"]]})
    violations = results.response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
