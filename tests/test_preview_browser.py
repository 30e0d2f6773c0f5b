"""Live reload in real headless Chromium: a saved post updates the open page by itself, a
broken post shows its error over the page, and pages the change does not touch stay put."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import strict_csp, wait_for
from tests.preview_support import POST, POST_FILE, Preview, running_preview, save

pytestmark = pytest.mark.browser

# The dev site's comment server and signup endpoint (pelicanconf.py), which pages may contact.
LOCAL_SERVICES = ("http://127.0.0.1:8080", "http://127.0.0.1:8090")


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Preview]:
    headers = {"Content-Security-Policy": strict_csp(*LOCAL_SERVICES)}
    with running_preview(tmp_path, headers) as running:
        yield running


def _listening(page: Any, live: Preview, path: str) -> None:
    """Open ``path`` and wait until the page listens for rebuilds."""
    page.goto(live.url + path)
    assert wait_for(lambda: live.site.hub.connected >= 1, 20), "no live-reload connection"


def _open_post(page: Any, live: Preview) -> tuple[Path, str]:
    """Open the post's page, listening; return its file and text."""
    _listening(page, live, f"/{POST}/")
    post = live.articles / POST_FILE
    return post, post.read_text(encoding="utf-8")


def test_a_saved_post_updates_the_open_page_by_itself(
    page: Any, live: Preview, csp_violations: list[str], browser_problems: list[str]
) -> None:
    post, original = _open_post(page, live)
    page.evaluate("window.stillTheSamePage = true")

    save(post, original + "\nQuesta frase compare da sola nella pagina aperta.\n")
    expect(page.locator("article")).to_contain_text(
        "Questa frase compare da sola nella pagina aperta.", timeout=30_000
    )
    assert page.evaluate("window.stillTheSamePage === undefined")  # it was reloaded
    assert csp_violations == []
    # No comment server runs beside this preview: its requests fail by design.
    assert [p for p in browser_problems if LOCAL_SERVICES[0] not in p] == []


def test_a_broken_post_shows_its_error_then_the_fixed_page(
    page: Any, live: Preview, csp_violations: list[str]
) -> None:
    post, original = _open_post(page, live)

    save(post, re.sub(r"(?m)^Date:.*$", "Date: il 45 del mese", original))
    alert = page.locator("#condividi-build-problems[role=alert]")
    expect(alert).to_contain_text("Il sito non è stato ricostruito", timeout=30_000)
    expect(alert).to_contain_text(POST_FILE)
    expect(page.locator("article h1")).to_be_visible()  # the last good page, under it

    save(post, original + "\nDi nuovo a posto.\n")
    expect(page.locator("article")).to_contain_text("Di nuovo a posto.", timeout=30_000)
    expect(page.locator("#condividi-build-problems")).to_have_count(0)
    assert csp_violations == []


def test_pages_the_change_does_not_touch_are_not_reloaded(page: Any, live: Preview) -> None:
    _listening(page, live, "/chi-sono/")
    page.evaluate("window.stillTheSamePage = true")
    post = live.articles / POST_FILE
    save(post, post.read_text(encoding="utf-8") + "\nUna nota in fondo.\n")
    live.wait_for_text(f"/{POST}/", "Una nota in fondo.")
    live.wait_idle()
    page.wait_for_timeout(500)
    assert page.evaluate("window.stillTheSamePage === true")
