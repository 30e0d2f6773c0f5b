"""The subscribe page and the feed addresses in Chromium: copy buttons, no JavaScript needed,
nothing loaded from elsewhere, accessible; a feed opened directly is plain XML, no XSLT."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.conftest import RequestLog, StaticServer

pytestmark = pytest.mark.browser

ARTICLE = "/crisi-di-reputazione-sui-social-le-prime-24-ore/"


def test_the_rss_link_of_an_article_leads_to_the_subscribe_page(
    page: Any, served_site: StaticServer, request_log: RequestLog, browser_problems: list[str]
) -> None:
    errors = browser_problems
    page.goto(served_site.url + ARTICLE)
    page.locator("aside.thanks a.rss-link").click()
    expect(page).to_have_url(served_site.url + "/iscriviti/")
    expect(page.locator("h1")).to_have_text("Iscriviti")
    expect(page.locator("html")).to_have_attribute("lang", "it")
    page.get_by_role("link", name="Feed RSS", exact=True).click()  # the footer's: the same page
    expect(page).to_have_url(served_site.url + "/iscriviti/")
    page.wait_for_load_state("networkidle")
    assert request_log.off_loopback() == []
    assert errors == []


@pytest.mark.parametrize(
    ("path", "label", "feed", "copy", "copied"),
    [
        ("/iscriviti/", "Feed RSS", "/feeds/rss.xml", "Copia", "Indirizzo copiato"),
        ("/iscriviti/", "Feed Atom", "/feeds/atom.xml", "Copia", "Indirizzo copiato"),
        ("/en/subscribe/", "Atom feed", "/feeds/atom.xml", "Copy", "Address copied"),
        (
            "/categoria/strategia/",
            "Feed RSS di questa categoria",
            "/feeds/categoria/strategia.rss.xml",
            "Copia",
            "Indirizzo copiato",
        ),
    ],
)
def test_a_copy_button_puts_the_feed_address_on_the_clipboard(
    page: Any,
    served_site: StaticServer,
    request_log: RequestLog,
    csp_violations: list[str],
    browser_problems: list[str],
    path: str,
    label: str,
    feed: str,
    copy: str,
    copied: str,
) -> None:
    errors = browser_problems
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served_site.url)
    page.goto(served_site.url + path)
    expect(page.get_by_label(label, exact=True)).to_have_value(served_site.url + feed)
    page.get_by_role("button", name=f"{copy} {label}", exact=True).click()
    expect(page.get_by_role("status").filter(has_text=copied)).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == served_site.url + feed
    page.wait_for_load_state("networkidle")
    assert request_log.off_loopback() == []
    assert errors == [] and csp_violations == []


def test_without_javascript_the_addresses_are_there_to_select_and_the_form_works(
    browser: Any, served_site: StaticServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served_site.url + "/iscriviti/")
        rss = page.get_by_label("Feed RSS", exact=True)
        expect(rss).to_have_value(served_site.url + "/feeds/rss.xml")
        expect(rss).not_to_be_editable()
        rss.click()
        rss.select_text()  # a reader selects it to copy it by hand
        assert page.evaluate("getSelection().toString() || document.activeElement.value") == (
            served_site.url + "/feeds/rss.xml"
        )
        expect(page.locator("button[data-copy]").first).to_be_hidden()
        form = page.locator("main form.newsletter-form")
        expect(form).to_have_attribute("method", "post")
        expect(form.get_by_role("button", name="Iscriviti")).to_be_visible()
        expect(page.locator("main ul.archive li")).to_have_count(6)
    finally:
        context.close()


def test_a_feed_opened_directly_is_plain_xml_without_a_browser_warning(
    page: Any, served_site: StaticServer, request_log: RequestLog, browser_problems: list[str]
) -> None:
    # Chromium's own XML viewer styles the tree inline, which the strict CSP reports: only
    # exceptions and failed requests count here.
    errors = browser_problems
    response = page.goto(served_site.url + "/feeds/rss.xml")
    assert response.ok
    assert response.body().startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<rss')
    # Chromium's XSLT deprecation banner appeared only over a feed that named a stylesheet.
    assert page.locator("xslt-warning-banner").count() == 0
    assert request_log.off_loopback() == []
    assert [e for e in errors if "Content Security Policy" not in e] == []


@pytest.mark.parametrize("path", ["/iscriviti/", "/en/subscribe/", "/categoria/strategia/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_subscribe_page_and_a_list_with_its_feed_are_accessible(
    page: Any, served_site: StaticServer, scheme: str, path: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(served_site.url + path)
    expect(page.locator("button[data-copy]").first).to_be_visible()  # feeds.js has run
    results = Axe().run(page)
    violations = results.response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
