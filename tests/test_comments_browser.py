"""Comments in Chromium: a real Isso, the fallback, no XSS, hosted services only on a click."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from condividi.build import build_site
from tests.comments_support import (
    ARTICLE,
    HOSTED,
    OTHER_ARTICLE,
    THIRD_ARTICLE,
    IssoServer,
    SiteWithIsso,
    build_project,
)
from tests.conftest import (
    BuildSite,
    RequestLog,
    StaticServer,
    copy_project,
    free_port,
    strict_csp,
)
from tests.test_comments_isso_client import isso_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.isso]

REPLY_ARTICLE = "dipendenti-ambasciatori-linkedin-e-la-voce-delle-persone"
LISTED_ARTICLE = "metriche-di-vanita-e-metriche-utili-come-misurare-i-contenuti"


@dataclass
class Live:
    """The sample site served on 127.0.0.1, its comments on a real Isso."""

    url: str
    isso: IssoServer

    def seed(self, slug: str, author: str, text: str) -> None:
        """Post a comment through Isso's API, as another reader would."""
        body = {"text": text, "author": author, "title": slug}
        self.isso.request("POST", f"/new?uri=/{slug}/", body)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    base = tmp_path_factory.mktemp("comments-live")
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    (base / "isso").mkdir()
    with IssoServer(base / "isso", (site,)) as isso:
        output = build_project(base, site, {"COMMENTS_ISSO_URL": isso.url})
        with StaticServer(output, port, csp=strict_csp(isso.url)):
            live = Live(site, isso)
            live.seed(REPLY_ARTICLE, "Marco", "Sono d'accordo a metà.")
            yield live


def page_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_posting_a_comment_shows_it_and_counts_it(
    page: Any, live: Live, request_log: RequestLog, csp_violations: list[str]
) -> None:
    errors = page_errors(page)
    page.goto(f"{live.url}/{ARTICLE}/#commenti")  # Isso's client loads near the thread
    meta = page.locator(".post-meta .comment-count")
    expect(meta).to_have_text("Nessun commento")
    expect(page.locator(".comments-nojs")).to_be_hidden()
    expect(page.locator(".comments-unavailable")).to_be_hidden()
    assert page.context.cookies() == []
    page.fill("#isso-thread .isso-postbox textarea", "Un saggio che fa pensare. Grazie!")
    page.fill("#isso-postbox-author", "Lettrice")
    page.click("#isso-thread .isso-postbox input[type=submit]")
    posted = page.locator("#isso-root .isso-comment")
    expect(posted.locator(".isso-text")).to_have_text("Un saggio che fa pensare. Grazie!")
    expect(posted.locator(".isso-author")).to_have_text("Lettrice")
    expect(meta).to_have_text("1 commento")
    expect(page.locator(".comments-status .comment-count")).to_have_text("1 commento")
    assert live.isso.counts(f"/{ARTICLE}/") == [1]
    page.reload()
    expect(meta).to_have_text("1 commento")
    assert request_log.off_loopback() == []
    assert csp_violations == []
    assert errors == []


def test_isso_under_the_site_origin_needs_no_csp_exception(
    page: Any, tmp_path: Path, request_log: RequestLog, csp_violations: list[str]
) -> None:
    # publishconf.py's default: Isso behind the site's own proxy at /isso, so the strict CSP
    # ('self' only) already allows it.
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    (tmp_path / "isso").mkdir()
    with IssoServer(tmp_path / "isso", (site,)) as isso:
        output = build_project(tmp_path, site)
        with SiteWithIsso(output, port, isso.url):
            page.goto(f"{site}/{ARTICLE}/#commenti")
            expect(page.locator(".post-meta .comment-count")).to_have_text("Nessun commento")
            page.fill("#isso-thread .isso-postbox textarea", "Commento dietro il proxy.")
            page.click("#isso-thread .isso-postbox input[type=submit]")
            expect(page.locator("#isso-root .isso-text")).to_have_text("Commento dietro il proxy.")
            expect(page.locator(".post-meta .comment-count")).to_have_text("1 commento")
        assert isso.counts(f"/{ARTICLE}/") == [1]
    assert any(url == f"{site}/isso/js/embed.min.js" for url in request_log.urls)
    assert request_log.off_loopback() == []
    assert csp_violations == []


def test_isso_client_waits_until_the_reader_nears_the_comments(
    page: Any, live: Live, request_log: RequestLog, csp_violations: list[str]
) -> None:
    page.set_viewport_size({"width": 412, "height": 823})  # a phone, as Lighthouse's
    page.goto(f"{live.url}/{REPLY_ARTICLE}/", wait_until="networkidle")
    expect(page.locator(".post-meta .comment-count")).to_have_text("1 commento")
    client = f"{live.isso.url}/js/embed.min.js"
    assert client not in request_log.urls, "Isso's client loaded before the reader got near"
    assert page.locator("#isso-root").count() == 0
    page.locator(".thanks").scroll_into_view_if_needed()
    expect(page.locator("#isso-root .isso-comment .isso-author")).to_have_text("Marco")
    assert request_log.urls.count(client) == 1
    assert csp_violations == []


def test_replying_to_a_comment(page: Any, live: Live) -> None:
    page.goto(f"{live.url}/{REPLY_ARTICLE}/#commenti")
    marco = page.locator("#isso-root > .isso-comment").first
    expect(marco.locator(".isso-author")).to_have_text("Marco")
    marco.locator(".isso-comment-footer .isso-reply").first.click()
    reply_box = marco.locator(".isso-text-wrapper > .isso-postbox")
    reply_box.locator("textarea").fill("Quale metà, Marco?")
    reply_box.locator("input[type=submit]").click()
    reply = marco.locator(".isso-follow-up .isso-comment .isso-text")
    expect(reply).to_have_text("Quale metà, Marco?")
    expect(page.locator(".post-meta .comment-count")).to_have_text("2 commenti")
    thread = live.isso.thread(f"/{REPLY_ARTICLE}/")
    assert [r["text"] for r in thread["replies"][0]["replies"]] == ["<p>Quale metà, Marco?</p>"]


# Every string Isso's client may put in a thread: its texts, its form's placeholders, labels,
# button values and tooltips; hidden elements included (they show on a click).
THREAD_STRINGS = """
[...document.querySelectorAll('#isso-thread, #isso-thread *')].flatMap(e => [
  ...[...e.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()),
  ...['placeholder', 'value', 'title', 'aria-label'].map(a => e.getAttribute(a) || ''),
]).filter(text => text && !/^[-\\s\\d|•]*$/.test(text))
"""


def english_texts() -> set[str]:
    """Isso's own English texts, one line each, without the ones holding a number."""
    catalogue = isso_catalogue("en")
    return {line for text in catalogue.values() for line in text.split("\n") if "{{" not in line}


def test_the_comment_form_and_thread_speak_the_page_s_language(page: Any, live: Live) -> None:
    errors = page_errors(page)
    page.goto(f"{live.url}/{REPLY_ARTICLE}/#commenti")
    expect(page.locator("#isso-root .isso-comment .isso-author").first).to_have_text("Marco")
    form = page.locator("#isso-thread .isso-postbox").first
    expect(form.locator("#isso-postbox-author")).to_have_attribute("placeholder", "Mario Rossi")
    expect(form.locator("#isso-postbox-email")).to_have_attribute(
        "placeholder", "mario.rossi@esempio.it"
    )
    expect(form.locator("#isso-postbox-website")).to_have_attribute(
        "placeholder", "https://esempio.it"
    )
    expect(form.locator("label[for=isso-postbox-author]")).to_have_text("Nome (opzionale)")
    expect(form.locator("input[type=submit]")).to_have_value("Invia")
    expect(form.locator("textarea")).to_have_attribute(
        "placeholder", "Scrivi un commento qui (minimo 3 caratteri)"
    )
    italian = page.evaluate(THREAD_STRINGS)
    assert "Rispondi" in italian and "Anteprima" in italian
    assert sorted(set(italian) & english_texts()) == []
    assert not [text for text in italian if "John Doe" in text or "example.com" in text]

    page.goto(f"{live.url}/en/why-we-left-the-share-button-scripts-behind/#commenti")
    form = page.locator("#isso-thread .isso-postbox").first
    expect(form.locator("input[type=submit]")).to_have_value("Submit")
    expect(form.locator("#isso-postbox-author")).to_have_attribute("placeholder", "John Doe")
    english = page.evaluate(THREAD_STRINGS)
    assert "Name (optional)" in english and "Preview" in english
    assert "Invia" not in english and "Anteprima" not in english
    assert errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_comment_form_and_thread_are_accessible(page: Any, live: Live, scheme: str) -> None:
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live.url}/{REPLY_ARTICLE}/#commenti")
    expect(page.locator("#isso-root .isso-comment").first).to_be_visible()
    expect(page.locator("#isso-thread .isso-postbox textarea")).to_be_visible()
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def test_lists_show_each_posts_count(page: Any, live: Live) -> None:
    live.seed(THIRD_ARTICLE, "Anna", "Utilissimo.")
    live.seed(THIRD_ARTICLE, "Bruno", "Lo giro al mio capo.")
    live.seed(LISTED_ARTICLE, "Carla", "Finalmente.")
    page.goto(f"{live.url}/")

    def count_of(slug: str) -> Any:
        return page.locator(f".summary .comment-count[href$='/{slug}/#commenti']")

    expect(count_of(THIRD_ARTICLE)).to_have_text("2 commenti")
    expect(count_of(LISTED_ARTICLE)).to_have_text("1 commento")
    # An English post listed on an Italian page gets the page's words.
    expect(count_of("why-we-left-the-share-button-scripts-behind")).to_have_text("Nessun commento")


def test_html_in_a_comment_is_shown_as_text(page: Any, live: Live) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    errors = page_errors(page)
    payload = '<script>window.__xss = 1; alert("script")</script> <img src=x onerror="alert(1)">'
    page.goto(f"{live.url}/{OTHER_ARTICLE}/#commenti")
    page.fill("#isso-thread .isso-postbox textarea", payload)
    page.fill("#isso-postbox-author", '<img src=x onerror="alert(2)">')
    page.click("#isso-thread .isso-postbox input[type=submit]")
    comment = page.locator("#isso-root .isso-comment")
    expect(comment.locator(".isso-text")).to_contain_text(
        '<script>window.__xss = 1; alert("script")'
    )
    expect(comment.locator(".isso-text")).to_contain_text('<img src=x onerror="alert(1)">')
    for _ in range(2):  # as posted, then as Isso serves it to the next reader
        expect(comment.locator(".isso-author")).to_have_text('<img src=x onerror="alert(2)">')
        root = page.locator("#isso-root")
        assert root.locator("script, img, [onerror]").count() == 0
        assert page.evaluate("window.__xss") is None
        page.reload()
        expect(page.locator(".post-meta .comment-count")).to_have_text("1 commento")
    assert dialogs == []
    assert errors == []


def test_server_down_shows_the_fallback(
    page: Any, make_site: BuildSite, request_log: RequestLog
) -> None:
    errors = page_errors(page)
    port, dead = free_port(), f"http://127.0.0.1:{free_port()}"
    output = make_site(siteurl=f"http://127.0.0.1:{port}", overrides={"COMMENTS_ISSO_URL": dead})
    with StaticServer(output, port, csp=strict_csp(dead)) as server:
        page.goto(f"{server.url}/{ARTICLE}/")
        expect(page.locator(".comments-unavailable")).to_be_visible()
        expect(page.locator(".comments-nojs")).to_be_hidden()
        expect(page.locator("#commenti h2")).to_have_text("Commenti")
        expect(page.locator(".post-meta .comment-count")).to_have_text("Lascia un commento")
        expect(page.locator(".comments-status")).to_have_text("Lascia un commento")
        assert page.locator("h1").is_visible()
    assert any(url.startswith(dead) for url in request_log.urls), "the page never tried Isso"
    assert errors == []


def test_without_javascript_the_page_explains(browser: Any, live: Live) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        log = RequestLog()
        page.on("request", log)
        page.goto(f"{live.url}/{REPLY_ARTICLE}/")
        expect(page.locator(".post-meta .comment-count")).to_have_text("Lascia un commento")
        expect(page.locator("#commenti h2")).to_have_text("Commenti")
        expect(page.locator(".comments-nojs")).to_have_text(
            "Per leggere e scrivere i commenti serve JavaScript."
        )
        expect(page.locator(".comments-unavailable")).to_be_hidden()
        assert not [url for url in log.urls if url.startswith(live.isso.url)]
    finally:
        context.close()


EXPECTED = {
    "giscus": ["https://giscus.app/client.js"],
    "disqus": ["https://condividi-blog.disqus.com/embed.js"],
    "remark42": ["https://remark.example.org/web/embed.mjs"],
    "cusdis": ["https://cusdis.com/js/widget/lang/it.js", "https://cusdis.com/js/cusdis.es.js"],
}
SET_UP = {
    "disqus": "typeof window.disqus_config === 'function'",
    "remark42": "window.remark_config.url.endsWith('/" + ARTICLE + "/')",
}


@pytest.mark.parametrize("provider", sorted(HOSTED))
def test_hosted_service_loads_only_after_the_click(
    page: Any, make_site: BuildSite, request_log: RequestLog, provider: str
) -> None:
    port = free_port()
    output = make_site(
        siteurl=f"http://127.0.0.1:{port}",
        overrides={"COMMENTS_PROVIDER": provider, **HOSTED[provider]},
    )
    html = (output / ARTICLE / "index.html").read_text(encoding="utf-8")
    origins = {f"{urlsplit(u).scheme}://{urlsplit(u).netloc}" for u in EXPECTED[provider]}
    assert all(origin in html for origin in origins)
    intercepted: list[str] = []

    def answer_offline(route: Any) -> None:
        # Nothing may really leave 127.0.0.1: third-party requests get an empty script.
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
            return
        intercepted.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/javascript",
            body="",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    page.route("**/*", answer_offline)
    with StaticServer(output, port, csp=strict_csp(*sorted(origins))) as server:
        page.goto(f"{server.url}/{ARTICLE}/", wait_until="networkidle")
        assert request_log.off_loopback() == []
        assert intercepted == []
        assert page.context.cookies() == []
        assert Axe().run(page).response["violations"] == []
        show = page.get_by_role("button", name="Mostra i commenti")
        expect(show).to_be_visible()
        expect(page.locator(".comments-nojs")).to_be_hidden()
        with page.expect_response(EXPECTED[provider][-1]):
            show.click()
        assert intercepted == EXPECTED[provider]
        assert request_log.off_loopback() == EXPECTED[provider]
        if provider in SET_UP:
            assert page.evaluate(SET_UP[provider]) is True
        container = page.locator("#commenti .comments-embed")
        scripts = container.locator("script").evaluate_all("els => els.map(e => e.src)")
        assert scripts == EXPECTED[provider]
        if provider == "giscus":
            term = container.locator("script").get_attribute("data-term")
            assert term == f"/{ARTICLE}/"


def test_a_page_with_comments_on_shows_its_thread_and_count(
    page: Any, tmp_path: Path, request_log: RequestLog, csp_violations: list[str]
) -> None:
    port = free_port()
    site = f"http://127.0.0.1:{port}"
    (tmp_path / "isso").mkdir()
    project = copy_project(tmp_path)
    about = project / "content" / "pages" / "chi-sono.md"
    text = about.read_text(encoding="utf-8")
    about.write_text(text.replace("Lang: it\n", "Lang: it\nComments: on\n", 1), encoding="utf-8")
    with IssoServer(tmp_path / "isso", (site,)) as isso:
        body = {"text": "Piacere, Giulia!", "author": "Sara", "title": "Chi sono"}
        isso.request("POST", "/new?uri=/chi-sono/", body)
        output = build_site(
            project / "publishconf.py",
            project / "output",
            {
                "SITEURL": site,
                "PATH": str(project / "content"),
                "CACHE_PATH": str(tmp_path / "cache"),
                "COMMENTS_ISSO_URL": isso.url,
            },
        )
        with StaticServer(output, port, csp=strict_csp(isso.url)):
            errors = page_errors(page)
            page.goto(f"{site}/chi-sono/#commenti")
            expect(page.locator(".comments-status .comment-count")).to_have_text("1 commento")
            expect(page.locator("#isso-root .isso-text")).to_have_text("Piacere, Giulia!")
            expect(page.locator(".comments-nojs")).to_be_hidden()
            page.fill("#isso-thread .isso-postbox textarea", "Anche per me.")
            page.click("#isso-thread .isso-postbox input[type=submit]")
            expect(page.locator(".comments-status .comment-count")).to_have_text("2 commenti")
        assert isso.counts("/chi-sono/") == [2]
    assert request_log.off_loopback() == []
    assert csp_violations == []
    assert errors == []
