"""Old addresses in headless Chromium, on a static server with no redirects and a strict CSP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import RequestLog
from tests.redirects_support import ENGLISH, ESSAY, RedirectedSite

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/2013/05/perche-le-aziende/", ESSAY),  # the HTML page at the old path
        ("/2014/01/perch%C3%A9-no/", ENGLISH),
        ("/vecchio.html", "/chi-sono/"),
        ("/?p=123", ESSAY),  # the home page's script
        ("/?utm_source=x&page_id=7", "/chi-sono/"),
        ("/?cat=3", "/categoria/social-media/"),
    ],
)
def test_an_old_address_lands_on_the_new_page(
    page: Any,
    redirected_site: RedirectedSite,
    request_log: RequestLog,
    csp_violations: list[str],
    old: str,
    new: str,
) -> None:
    origin = redirected_site.server.url
    page.goto(origin + old)
    page.wait_for_url(origin + new)
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.is_visible()
    assert request_log.off_loopback() == []
    assert csp_violations == []
    assert page.context.cookies() == []


def test_the_home_page_fetches_no_map_without_an_old_query(
    page: Any, redirected_site: RedirectedSite, request_log: RequestLog
) -> None:
    origin = redirected_site.server.url
    for address in ("/", "/?utm_source=newsletter", "/?p=999"):
        page.goto(origin + address, wait_until="networkidle")
        assert page.url == origin + address
    fetched = [url for url in request_log.urls if url.endswith("shortlinks.json")]
    assert fetched == [origin + "/redirects/shortlinks.json"]  # for /?p=999 only
