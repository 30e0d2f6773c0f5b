"""Search in headless Chromium on the sample site, under the strict CSP search needs."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import RequestLog
from tests.search_support import SEARCH_CSP

pytest_plugins = ["tests.search_support"]


pytestmark = pytest.mark.browser

ARTICLE = "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"
ENGLISH_ARTICLE = "/en/why-we-left-the-share-button-scripts-behind/"
# The posts and the page saying "inseguire", "insegue", "inseguirli" or "inseguono" (all
# stemmed "insegu"); none says "inseguivano", which the tests type.
WORD = "inseguivano"
CHASING = {
    "/chi-sono/",
    "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/",
    "/la-newsletter-il-canale-che-nessun-algoritmo-puo-toglierti/",
    "/metriche-di-vanita-e-metriche-utili-come-misurare-i-contenuti/",
}


def result_links(page: Any, scope: str) -> set[str]:
    return set(
        page.eval_on_selector_all(f"{scope} .search-result a", "els => els.map(e => e.pathname)")
    )


def wait_for_status(page: Any, selector: str, query: str) -> None:
    """Wait until the status line under ``selector`` speaks of ``query`` (its results shown)."""
    page.wait_for_function(
        "([s, q]) => document.querySelector(s).textContent.includes(q)", arg=[selector, query]
    )


def test_the_csp_of_these_tests_only_adds_webassembly() -> None:
    assert "'wasm-unsafe-eval'" in SEARCH_CSP and "'unsafe-eval'" not in SEARCH_CSP
    assert "'unsafe-inline'" not in SEARCH_CSP


def test_an_italian_word_form_finds_the_italian_posts_as_one_types(
    page: Any, search_site: Any, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.goto(search_site.url + "/cerca/")
    page.get_by_label("Cerca tra i saggi").press_sequentially(WORD, delay=30)
    page.wait_for_selector("#search-results .search-result")
    wait_for_status(page, "#search-status", WORD)
    assert result_links(page, "#search-results") == CHASING
    assert page.locator("#search-status").inner_text() == f"4 risultati per “{WORD}”"
    marked = page.eval_on_selector_all("#search-results mark", "els => els.map(e => e.textContent)")
    assert marked and {word.strip(",.;:").lower() for word in marked} <= {
        "inseguire",
        "insegue",
        "inseguirli",
        "inseguono",
    }
    dates = page.eval_on_selector_all("#search-results time", "els => els.map(e => e.textContent)")
    assert "9 mar 2026" in dates
    assert page.url.endswith("/cerca/?q=" + WORD)
    assert page.locator("#search-archive").is_hidden()
    # The English search page takes the query along, and finds nothing English in it.
    assert (
        page.get_by_role("link", name="Cerca tra gli articoli in inglese")
        .get_attribute("href")
        .endswith("/en/search/?q=" + WORD)
    )
    assert request_log.off_loopback() == [] and csp_violations == []


def test_an_english_word_form_finds_the_english_post(
    page: Any, search_site: Any, csp_violations: list[str], browser_problems: list[str]
) -> None:
    page.goto(search_site.url + "/en/search/?q=shares")
    page.wait_for_selector("#search-results .search-result")
    assert result_links(page, "#search-results") == {ENGLISH_ARTICLE}
    assert page.get_by_label("Search the essays").input_value() == "shares"
    assert page.locator("#search-status").inner_text().startswith("1 result for “shares”")
    # An Italian word finds no Italian post here: each language has its own index.
    page.get_by_label("Search the essays").fill(WORD)
    wait_for_status(page, "#search-status", WORD)
    assert all(link.startswith("/en/") for link in result_links(page, "#search-results"))
    page.get_by_label("Search the essays").fill("zzzqqq")
    wait_for_status(page, "#search-status", "zzzqqq")
    assert page.locator("#search-status").inner_text() == "Nothing found for “zzzqqq”."
    assert result_links(page, "#search-results") == set()
    assert csp_violations == [] and browser_problems == []


@pytest.mark.parametrize(
    ("path", "word", "expected", "status"),
    [
        (ARTICLE, WORD, CHASING, f"4 risultati per “{WORD}”"),
        (ENGLISH_ARTICLE, "shares", {ENGLISH_ARTICLE}, "1 result for “shares”"),
    ],
)
def test_the_header_field_searches_the_pages_language_and_loads_on_focus(
    page: Any,
    search_site: Any,
    request_log: RequestLog,
    csp_violations: list[str],
    browser_problems: list[str],
    path: str,
    word: str,
    expected: set[str],
    status: str,
) -> None:
    page.goto(search_site.url + path, wait_until="networkidle")
    assert [url for url in request_log.urls if "/pagefind/" in url or "search.css" in url] == []
    field = page.locator("#site-search-q")
    field.focus()
    field.press_sequentially(word, delay=30)
    page.wait_for_selector("#site-search-panel .search-result")
    wait_for_status(page, "#site-search-panel .search-status", word)
    assert result_links(page, "#site-search-panel") == expected
    assert page.locator("#site-search-panel .search-status").inner_text() == status
    # Keyboard: Tab reaches the first result, Escape closes the panel and returns to the field.
    page.keyboard.press("Tab")  # the form's button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.search-result') !== null")
    page.keyboard.press("Escape")
    assert page.locator("#site-search-panel").is_hidden()
    assert page.evaluate("document.activeElement.id") == "site-search-q"
    # Enter opens the search page of the page's language with the query.
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=" + word)
    page.wait_for_selector("#search-results .search-result")
    assert result_links(page, "#search-results") == expected
    assert request_log.off_loopback() == [] and csp_violations == [] and browser_problems == []


@pytest.mark.parametrize("path", ["/cerca/", "/en/search/"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_search_pages_and_results_have_no_accessibility_violations(
    page: Any, search_site: Any, path: str, scheme: str
) -> None:
    page.emulate_media(color_scheme=scheme)
    word = WORD if path == "/cerca/" else "shares"
    page.goto(f"{search_site.url}{path}?q={word}")
    page.wait_for_selector("#search-results .search-result mark")
    violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_header_results_have_no_accessibility_violations(page: Any, search_site: Any) -> None:
    page.goto(search_site.url + ARTICLE)
    page.locator("#site-search-q").fill(WORD)
    page.wait_for_selector("#site-search-panel .search-result")
    violations = Axe().run(page).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_without_javascript_the_search_page_lists_the_archive_by_year(
    browser: Any, search_site: Any
) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(search_site.url + ARTICLE)
        page.locator("#site-search-q").fill(WORD)
        page.locator("#site-search-q").press("Enter")
        page.wait_for_url("**/cerca/?q=" + WORD)
        assert page.get_by_role("heading", name="Tutti i saggi, anno per anno").is_visible()
        assert page.get_by_text("La ricerca ha bisogno di JavaScript").is_visible()
        assert page.get_by_role("heading", name="2026").is_visible()
        links = set(
            page.eval_on_selector_all(".search-archive a", "els => els.map(e => e.pathname)")
        )
        assert links >= CHASING - {"/chi-sono/"} and ENGLISH_ARTICLE not in links
        page.goto(search_site.url + ENGLISH_ARTICLE)
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/en/search/?q=")
        assert page.get_by_role("heading", name="All the essays, by year").is_visible()
        english = set(
            page.eval_on_selector_all(".search-archive a", "els => els.map(e => e.pathname)")
        )
        assert english == {ENGLISH_ARTICLE}
    finally:
        context.close()
