"""The sample site in headless Chromium: accessibility, privacy, a strict CSP."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import RequestLog, StaticServer

pytestmark = pytest.mark.browser

ARTICLE = "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"
PAGES = [
    "/",
    ARTICLE,
    "/chi-sono/",
    "/newsletter/",
    "/en/why-we-left-the-share-button-scripts-behind/",
]


def describe(violations: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']]}" for v in violations
    )


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations(page: Any, served_site: StaticServer, path: str, scheme: str):
    page.emulate_media(color_scheme=scheme)
    page.goto(served_site.url + path)
    results = Axe().run(page)
    violations = results.response["violations"]
    assert not violations, describe(violations)


def test_article_loads_nothing_from_other_hosts(
    page: Any, served_site: StaticServer, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.goto(served_site.url + ARTICLE, wait_until="networkidle")
    assert request_log.urls, "the page made no request at all"
    assert request_log.off_loopback() == []
    assert csp_violations == []
    assert page.context.cookies() == []


def test_article_is_readable_on_a_phone(page: Any, served_site: StaticServer) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(served_site.url + ARTICLE)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


# A newcomer's first look: every kind of page, in both languages, the feed page included.
FIRST_LOOK = [
    *PAGES,
    "/iscriviti/",
    "/en/subscribe/",
    "/archivio/",
    "/categoria/strategia/",
    "/tag/newsletter/",
]


@pytest.mark.parametrize("path", FIRST_LOOK)
def test_pages_open_without_a_browser_warning_or_error(
    page: Any,
    served_site: StaticServer,
    csp_violations: list[str],
    browser_problems: list[str],
    path: str,
) -> None:
    response = page.goto(served_site.url + path, wait_until="networkidle")
    assert response is not None and response.status == 200
    assert browser_problems == []
    assert csp_violations == []
