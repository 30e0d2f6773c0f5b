"""The preview's web server over real HTTP: building page, 404, live-reload script and events.

The site's state is set by hand here (no build runs); the preview tests build for real.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from condividi.preview.rebuilder import Status
from condividi.preview.server import SCRIPT_TAG, EventHub, PreviewServer, inject_reload
from tests.conftest import strict_csp, wait_for
from tests.preview_support import fetch

PAGE = b"<!DOCTYPE html><html><head><title>Saggio</title></head><body><p>Ciao</p></body></html>"
NOT_FOUND = b"<!DOCTYPE html><html><body><h1>Pagina non trovata</h1></body></html>"


class Site:
    """A PreviewServer on an output folder, with a status the test sets."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.state = Status(ready=True, busy=False, problems=(), builds=1)
        self.hub = EventHub()
        self.server = PreviewServer(
            output, 0, lambda: self.state, self.hub, {"Content-Security-Policy": strict_csp()}
        )
        self.url = self.server.url.rstrip("/")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    output = tmp_path / "output"
    (output / "saggio").mkdir(parents=True)
    (output / "saggio" / "index.html").write_bytes(PAGE)
    (output / "404.html").write_bytes(NOT_FOUND)
    (output / "feeds").mkdir()
    (output / "feeds" / "atom.xml").write_bytes(b"<feed></feed>")
    (output / "vuota").mkdir()
    running = Site(output)
    running.thread.start()
    try:
        yield running
    finally:
        running.hub.close()
        running.server.shutdown()
        running.server.server_close()


def test_the_script_goes_before_the_last_body_end() -> None:
    assert inject_reload(PAGE) == PAGE.replace(b"</body>", SCRIPT_TAG + b"</body>")
    twice = b"<body><pre>&lt;/body&gt; </body></BODY >"
    assert inject_reload(twice) == b"<body><pre>&lt;/body&gt; </body>" + SCRIPT_TAG + b"</BODY >"
    assert inject_reload(b"<p>frammento</p>") == b"<p>frammento</p>" + SCRIPT_TAG


def test_pages_get_the_reload_script_and_files_on_disk_stay_as_built(site: Site) -> None:
    reply = fetch(site.url + "/saggio/")
    assert reply.status == 200
    assert reply.headers["Content-Type"] == "text/html; charset=utf-8"
    assert reply.body == inject_reload(PAGE)
    assert reply.headers["Content-Security-Policy"] == strict_csp()
    assert (site.output / "saggio" / "index.html").read_bytes() == PAGE
    feed = fetch(site.url + "/feeds/atom.xml")
    assert feed.status == 200 and feed.body == b"<feed></feed>"  # not HTML: untouched
    script = fetch(site.url + "/__condividi/reload.js")
    assert script.status == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert b"EventSource" in script.body


def test_a_folder_without_its_slash_is_redirected(site: Site) -> None:
    with socket.create_connection(("127.0.0.1", site.server.server_address[1])) as sock:
        sock.sendall(b"GET /saggio HTTP/1.0\r\n\r\n")
        head = sock.recv(4096)
    assert head.startswith(b"HTTP/1.0 301")
    assert b"Location: /saggio/\r\n" in head


@pytest.mark.parametrize("path", ["/non-esiste/", "/non-esiste", "/vuota/", "/../etc/passwd"])
def test_a_missing_path_gets_the_site_404_page(site: Site, path: str) -> None:
    reply = fetch(site.url + path)
    assert reply.status == 404
    assert reply.body == inject_reload(NOT_FOUND)
    head = fetch(site.url + path, method="HEAD")
    assert head.status == 404 and head.body == b""
    assert head.headers["Content-Length"] == str(len(inject_reload(NOT_FOUND)))


def test_a_missing_path_without_a_404_page_still_gets_an_answer(site: Site) -> None:
    (site.output / "404.html").unlink()
    reply = fetch(site.url + "/non-esiste/")
    assert reply.status == 404 and b"404" in reply.body


def test_before_the_first_build_every_page_says_it_is_building(site: Site) -> None:
    site.state = Status(ready=False, busy=True, problems=(), builds=0)
    for path in ("/", "/saggio/", "/non-esiste/"):
        reply = fetch(site.url + path)
        assert reply.status == 503
        assert reply.headers["Retry-After"] == "1"
        assert '<meta http-equiv="refresh" content="1">' in reply.text
        assert "Building the site" in reply.text
        assert "<script" not in reply.text and "style=" not in reply.text
    status = fetch(site.url + "/__condividi/status")
    assert status.status == 200 and b'"ready": false' in status.body


def test_a_failed_first_build_shows_its_problems_and_keeps_refreshing(site: Site) -> None:
    problem = "Could not process articles/rotto.md: Date: '2026-13-45' <is not a date>"
    site.state = Status(ready=False, busy=False, problems=(problem,), builds=0)
    reply = fetch(site.url + "/saggio/")
    assert reply.status == 500
    assert "articles/rotto.md" in reply.text and "&lt;is not a date&gt;" in reply.text
    assert 'http-equiv="refresh"' in reply.text


def test_events_reach_a_connected_browser(site: Site) -> None:
    received: list[bytes] = []
    with socket.create_connection(("127.0.0.1", site.server.server_address[1])) as sock:
        sock.sendall(b"GET /__condividi/events HTTP/1.0\r\n\r\n")
        sock.settimeout(10)

        def read_until(marker: bytes) -> bool:
            while marker not in b"".join(received):
                received.append(sock.recv(4096))
            return True

        read_until(b"event: hello")
        assert b"Content-Type: text/event-stream" in b"".join(received)
        assert wait_for(lambda: site.hub.connected == 1, 5)
        site.hub.reload(("saggio/index.html",))
        read_until(b"event: reload")
        assert b'data: {"all": false, "paths": ["saggio/index.html"]}' in b"".join(received)
        site.hub.publish("problem", {"problems": ["rotto.md: manca il titolo"]})
        read_until(b"event: problem")
        site.hub.close()
        while chunk := sock.recv(4096):  # the server ends the stream
            received.append(chunk)
