"""Signing up in Chromium, end to end, with the local provider and a real SMTP sink.

The sample site (its form pointing at the endpoint) is served with a strict CSP that allows
the endpoint's origin in ``form-action`` and ``connect-src``; the real signup endpoint runs
under werkzeug; the confirmation email reaches an aiosmtpd sink; its link is followed.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from condividi.build import build_site
from condividi.newsletter.signup import create_app
from tests.conftest import RequestLog, StaticServer, copy_project, free_port, strict_csp
from tests.newsletter_support import SmtpSink, links, make_config

pytestmark = pytest.mark.browser

ARTICLE = "/perche-le-aziende-dovrebbero-smettere-di-inseguire-i-follower/"


@dataclass
class Stack:
    """The running pieces: the site, the endpoint, the SMTP sink and the subscribers' database."""

    site: StaticServer
    endpoint: str
    sink: SmtpSink
    database: Path

    def status(self, email: str) -> str | None:
        with sqlite3.connect(self.database) as db:
            row = db.execute("SELECT status FROM subscribers WHERE email = ?", (email,)).fetchone()
        return row[0] if row else None


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    base = tmp_path_factory.mktemp("signup-e2e")
    site_port, endpoint_port = free_port(), free_port()
    site_url = f"http://127.0.0.1:{site_port}"
    endpoint = f"http://127.0.0.1:{endpoint_port}"
    project = copy_project(base)
    output = build_site(
        project / "publishconf.py",
        project / "output",
        {
            "SITEURL": site_url,
            "PATH": str(project / "content"),
            "CACHE_PATH": str(base / "cache"),
            "NEWSLETTER_SIGNUP_URL": f"{endpoint}/subscribe",
        },
    )
    with SmtpSink() as sink:
        config = make_config(
            base,
            signup_url=f"{endpoint}/subscribe",
            smtp_host=sink.host,
            smtp_port=sink.port,
            rate_limit=100,
        )
        server = make_server(
            "127.0.0.1", endpoint_port, create_app(config, site_url), threaded=True
        )
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with StaticServer(output, site_port, csp=strict_csp(endpoint)) as site:
                yield Stack(site, endpoint, sink, Path(config.local_db))
        finally:
            server.shutdown()
            server.server_close()


def fill_and_submit(page: Any, email: str, consent: bool = True) -> None:
    page.fill("#nl-email", email)
    if consent:
        page.check("#nl-consent")
    page.click(".newsletter-form button[type=submit]")


def test_signup_with_javascript_then_the_emailed_link_confirms(
    page: Any, stack: Stack, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.goto(stack.site.url + ARTICLE)
    fill_and_submit(page, "lettrice.js@example.org")
    status = page.locator("#nl-status")
    status.filter(has_text="Ci siamo quasi").wait_for()
    assert page.url == stack.site.url + ARTICLE  # answered inline, no page change
    assert page.input_value("#nl-email") == ""
    assert stack.status("lettrice.js@example.org") == "pending"

    mail = stack.sink.message_to("lettrice.js@example.org")
    confirm = links(mail)["confirm"]
    assert confirm.startswith(stack.endpoint + "/confirm/")
    page.goto(confirm)
    assert page.url == stack.site.url + "/newsletter/confermata/"
    assert "confermata" in page.locator("h1").inner_text()
    assert stack.status("lettrice.js@example.org") == "confirmed"
    assert csp_violations == []
    assert request_log.off_loopback() == []


def test_signup_without_javascript_lands_on_check_your_inbox(browser: Any, stack: Stack) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(stack.site.url + "/newsletter/")
        fill_and_submit(page, "lettore.nojs@example.org")
        page.wait_for_url(stack.site.url + "/newsletter/controlla/")
        assert stack.status("lettore.nojs@example.org") == "pending"

        found = links(stack.sink.message_to("lettore.nojs@example.org"))
        page.goto(found["confirm"])
        assert page.url == stack.site.url + "/newsletter/confermata/"
        assert stack.status("lettore.nojs@example.org") == "confirmed"

        page.goto(found["unsubscribe"])
        assert page.url == stack.site.url + "/newsletter/disiscritto/"
        assert stack.status("lettore.nojs@example.org") == "unsubscribed"
    finally:
        context.close()


def test_bad_address_without_javascript_lands_on_the_error_page(browser: Any, stack: Stack) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(stack.site.url + ARTICLE)
        fill_and_submit(page, "a@b")  # valid for the browser, not for the endpoint
        page.wait_for_url(stack.site.url + "/newsletter/errore/?reason=invalid-email")
    finally:
        context.close()
    assert stack.status("a@b") is None


def test_errors_are_announced_next_to_the_field(page: Any, stack: Stack) -> None:
    before = len(stack.sink.messages)
    page.goto(stack.site.url + ARTICLE)
    error = page.locator("#nl-error")
    email = page.locator("#nl-email")

    page.click(".newsletter-form button[type=submit]")
    error.filter(has_text="Scrivi il tuo indirizzo").wait_for()
    assert email.get_attribute("aria-invalid") == "true"
    assert email.get_attribute("aria-describedby") == "nl-error"
    assert page.evaluate("document.activeElement.id") == "nl-email"

    fill_and_submit(page, "lettrice@example.org", consent=False)
    error.filter(has_text="spunta la casella").wait_for()
    assert page.locator("#nl-consent").get_attribute("aria-invalid") == "true"
    assert email.get_attribute("aria-invalid") is None

    fill_and_submit(page, "a@b")  # the browser accepts it; the endpoint answers 400
    error.filter(has_text="non sembra corretto").wait_for()
    assert error.get_attribute("role") == "alert"
    assert email.get_attribute("aria-invalid") == "true"
    assert stack.status("a@b") is None
    assert len(stack.sink.messages) == before  # nothing reached the provider

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = Axe().run(page).response["violations"]
        assert violations == [], [v["id"] for v in violations]


def test_error_page_says_why(page: Any, stack: Stack) -> None:
    page.goto(stack.site.url + "/newsletter/errore/?reason=expired")
    page.locator("#nl-error").filter(has_text="è scaduto").wait_for()
