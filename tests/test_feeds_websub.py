"""WebSub publishing against a local hub on 127.0.0.1: accepted, refused, retried, unreachable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from condividi.cli import main
from condividi.feeds.config import FeedsConfig
from condividi.feeds.websub import WebSubError, hub_session, ping, published_feeds
from tests.conftest import BuildSite, free_port
from tests.feeds_support import feed_files, parse


class LocalHub:
    """A WebSub hub's publish endpoint: records each POST and answers from a script.

    ``replies`` is a list of ``(status, body)`` used in turn; the last one repeats.
    """

    def __init__(self) -> None:
        self.requests: list[dict[str, object]] = []
        self.replies: list[tuple[int, str]] = [(204, "")]
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                hub.requests.append(
                    {
                        "path": self.path,
                        "type": self.headers.get("Content-Type"),
                        "form": parse_qs(body),
                    }
                )
                status, text = hub.replies[0] if len(hub.replies) == 1 else hub.replies.pop(0)
                payload = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                if status == 503:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/publish"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def published(self) -> list[str]:
        """Return the ``hub.url`` of every publish request received, in order."""
        return [
            form["hub.url"][0]
            for form in (r["form"] for r in self.requests)
            if form.get("hub.mode") == ["publish"]  # type: ignore[union-attr]
        ]


@pytest.fixture
def hub() -> Iterator[LocalHub]:
    local = LocalHub()
    local.thread.start()
    yield local
    local.server.shutdown()
    local.server.server_close()


FEEDS = ["https://blog.example.org/feeds/rss.xml", "https://blog.example.org/feeds/atom.xml"]


def test_each_feed_is_published_as_a_form_post(hub: LocalHub) -> None:
    ping(hub.url, FEEDS)
    assert hub.published() == FEEDS
    assert {r["type"] for r in hub.requests} == {"application/x-www-form-urlencoded"}
    assert {r["path"] for r in hub.requests} == {"/publish"}


def test_a_refusal_names_the_feed_the_status_and_the_hub_reply(hub: LocalHub) -> None:
    hub.replies = [(204, ""), (400, "hub.url https://blog.example.org/feeds/atom.xml not allowed")]
    with pytest.raises(WebSubError) as raised:
        ping(hub.url, FEEDS)
    message = str(raised.value)
    assert "did not accept 1 of 2" in message
    assert "feeds/atom.xml: HTTP 400 Bad Request: hub.url" in message and "not allowed" in message
    assert "feeds/rss.xml" not in message
    assert hub.published() == FEEDS  # the refusal of one feed does not stop the others


def test_an_overloaded_hub_is_retried(hub: LocalHub) -> None:
    hub.replies = [(503, "busy"), (202, "")]
    ping(hub.url, FEEDS[:1])
    assert hub.published() == FEEDS[:1] * 2


def test_a_hub_that_stays_down_is_reported(hub: LocalHub) -> None:
    hub.replies = [(503, "maintenance")]
    with pytest.raises(WebSubError, match="HTTP 503 Service Unavailable: maintenance"):
        ping(hub.url, FEEDS[:1], session=hub_session(retries=1))
    assert len(hub.requests) == 2


def test_an_unreachable_hub_is_reported() -> None:
    url = f"http://127.0.0.1:{free_port()}/"
    with pytest.raises(WebSubError, match="could not reach the hub"):
        ping(url, FEEDS[:1], session=hub_session(retries=0), timeout=(2.0, 2.0))


def write_hub_setting(project: Path, hub_url: str) -> None:
    # publishconf.py, not pelicanconf.py: its "from pelicanconf import *" is served from
    # sys.modules, so a copy's pelicanconf.py edited in this process would not be read again.
    with (project / "publishconf.py").open("a", encoding="utf-8") as settings:
        settings.write(f"\nFEEDS_WEBSUB_HUB = {hub_url!r}\n")


def test_published_feeds_are_read_from_the_build(make_site: BuildSite, hub: LocalHub) -> None:
    write_hub_setting(make_site.project, hub.url)  # type: ignore[attr-defined]
    output = make_site()
    config = FeedsConfig(siteurl="https://blog.example.org", websub_hub=hub.url)
    urls = published_feeds(output, config)
    assert urls[:2] == [
        "https://blog.example.org/feeds/atom.xml",
        "https://blog.example.org/feeds/rss.xml",
    ]
    assert len(urls) == len(feed_files(output))
    assert "https://blog.example.org/feeds/categoria/strategia.rss.xml" in urls
    assert "https://blog.example.org/feeds/tag/linkedin.atom.xml" in urls
    for path in feed_files(output):
        root = parse(path).getroot()
        hubs = root.xpath("(. | channel)/*[local-name()='link'][@rel='hub']/@href")
        assert hubs == [hub.url], path

    other = FeedsConfig(siteurl="https://blog.example.org", websub_hub="https://other.example/")
    with pytest.raises(WebSubError, match="do not name the hub"):
        published_feeds(output, other)
    with pytest.raises(WebSubError, match="no feed found"):
        published_feeds(output / "nowhere", config)


def test_ping_command_end_to_end(
    make_site: BuildSite, hub: LocalHub, capsys: pytest.CaptureFixture[str]
) -> None:
    project: Path = make_site.project  # type: ignore[attr-defined]
    write_hub_setting(project, hub.url)
    output = make_site()
    args = ["ping", "--settings", str(project / "publishconf.py"), "--output", str(output)]
    assert main(args) == 0
    assert len(hub.published()) == len(feed_files(output))
    assert f"the hub {hub.url} accepted" in capsys.readouterr().out

    hub.replies = [(403, "Forbidden: topic not on this hub's allow list")]
    assert main(args) == 1
    error = capsys.readouterr().err
    assert "HTTP 403 Forbidden: Forbidden: topic not on this hub's allow list" in error
    assert "feeds/atom.xml" in error


def test_ping_command_without_a_hub(make_site: BuildSite, capsys: pytest.CaptureFixture) -> None:
    project: Path = make_site.project  # type: ignore[attr-defined]
    args = ["ping", "--settings", str(project / "publishconf.py"), "--output", "output"]
    assert main(args) == 1
    assert "set FEEDS_WEBSUB_HUB" in capsys.readouterr().err
