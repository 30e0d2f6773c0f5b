"""The share bar in headless Chromium: copy link, the native Share… button, no JS, privacy."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from condividi.share.networks import DEFAULT_NETWORKS
from tests.conftest import RequestLog, StaticServer
from tests.test_browser import describe

pytestmark = pytest.mark.browser

ARTICLE = "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"
ENGLISH = "/en/why-we-left-the-share-button-scripts-behind/"
FAKE_SHARE = (
    "window.__shared = []; navigator.share = async (data) => { window.__shared.push(data); };"
)


def canonical(page: Any) -> str:
    return page.locator("link[rel=canonical]").get_attribute("href")


def test_copy_link_puts_the_canonical_url_on_the_clipboard(
    page: Any, served_site: StaticServer, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.url)
    page.goto(served_site.url + ARTICLE, wait_until="networkidle")
    button = page.get_by_role("button", name="Copia il link")
    assert button.is_visible()
    button.click()
    status = page.locator(".share [role=status]")
    status.filter(has_text="Link copiato negli appunti").wait_for(state="visible")
    assert status.get_attribute("aria-live") == "polite"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == canonical(page) == served_site.url + ARTICLE
    assert request_log.off_loopback() == []
    assert csp_violations == []
    assert page.context.cookies() == []


def test_share_button_stays_hidden_without_navigator_share(
    page: Any, served_site: StaticServer
) -> None:
    page.goto(served_site.url + ARTICLE, wait_until="networkidle")
    assert page.evaluate("typeof navigator.share") == "undefined"
    assert page.locator("[data-share-copy]").is_visible()  # the script did run
    assert page.locator("[data-share-native]").is_hidden()


def test_share_button_passes_title_and_url_to_navigator_share(
    page: Any, served_site: StaticServer, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.context.add_init_script(FAKE_SHARE)
    page.goto(served_site.url + ENGLISH, wait_until="networkidle")
    button = page.get_by_role("button", name="Share…")
    assert button.is_visible()
    button.click()
    page.wait_for_function("window.__shared.length === 1")
    shared = page.evaluate("window.__shared")
    assert shared == [
        {"title": "Why we left the share-button scripts behind", "url": canonical(page)}
    ]
    assert canonical(page) == served_site.url + ENGLISH
    assert request_log.off_loopback() == []
    assert csp_violations == []


def test_without_javascript_the_links_work_and_the_buttons_stay_hidden(
    browser: Any, served_site: StaticServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_site.url + ARTICLE)
        links = page.locator(".share-links a")
        assert links.count() == len(DEFAULT_NETWORKS)
        for index in range(links.count()):
            assert links.nth(index).is_visible()
        assert page.locator(".share button").first.is_hidden()
        assert page.locator(".share button").last.is_hidden()
        facebook = page.get_by_role("link", name="Facebook", exact=True)
        assert facebook.get_attribute("href").startswith("https://www.facebook.com/sharer/")
        expect(facebook).to_have_accessible_description("Si apre in una nuova scheda")
        expect(page.get_by_role("link", name="Email", exact=True)).to_have_accessible_description(
            ""
        )
    finally:
        context.close()


def assert_icons_drawn(page: Any) -> None:
    """Check that every shown icon of the share bar draws its sprite symbol: the shapes' box is
    within the icon's 1.1rem (18 px) square and not empty."""
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.share :not([hidden]) > svg use'), (use) => {
            const box = use.getBBox();
            return [use.getAttribute('href'), Math.round(box.width), Math.round(box.height)];
        })"""
    )
    assert len(sizes) == page.locator(".share-links a").count() + 1  # and "Copy link"
    for href, width, height in sizes:
        assert 8 <= width <= 18 and 8 <= height <= 18, (href, width, height)
    # The same check on a symbol the sprite lacks finds nothing drawn: the check can fail.
    missing = page.evaluate(
        """() => {
            const use = document.querySelector('.share use').cloneNode();
            use.setAttribute('href', use.getAttribute('href').split('#')[0] + '#myspace');
            document.querySelector('.share svg').appendChild(use);
            return use.getBBox().width;
        }"""
    )
    assert missing == 0


def test_the_icons_come_from_the_sprite_under_the_strict_csp(
    page: Any, served_site: StaticServer, csp_violations: list[str]
) -> None:
    responses: list[Any] = []
    page.on("response", lambda response: responses.append(response))
    page.goto(served_site.url + ARTICLE, wait_until="networkidle")
    page.locator(".share").scroll_into_view_if_needed()
    sprite = [r for r in responses if r.url.split("#")[0].endswith("/theme/icons/share.svg")]
    assert [r.status for r in sprite] == [200], "one request for the whole sprite"
    assert sprite[0].headers["content-type"] == "image/svg+xml"
    assert_icons_drawn(page)
    assert csp_violations == []


def test_the_page_contacts_no_network_until_a_link_is_clicked(
    page: Any, served_site: StaticServer, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.context.add_init_script(FAKE_SHARE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.url)
    page.goto(served_site.url + ARTICLE, wait_until="networkidle")
    page.locator(".share").scroll_into_view_if_needed()
    for link in page.locator(".share-links a").all():
        link.hover()
        link.focus()
    page.get_by_role("button", name="Copia il link").click()
    page.get_by_role("button", name="Condividi…").click()
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/theme/js/site.js") for url in request_log.urls)
    assert request_log.off_loopback() == []
    assert csp_violations == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_revealed_buttons_and_status_pass_axe(
    page: Any, served_site: StaticServer, scheme: str
) -> None:
    page.context.add_init_script(FAKE_SHARE)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.url)
    page.emulate_media(color_scheme=scheme)
    page.goto(served_site.url + ARTICLE, wait_until="networkidle")
    page.get_by_role("button", name="Copia il link").click()
    page.locator(".share-status").filter(has_text="Link copiato").wait_for(state="visible")
    assert page.locator("[data-share-native]").is_visible()
    violations = Axe().run(page, context=".share").response["violations"]
    assert not violations, describe(violations)
