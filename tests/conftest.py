"""Shared fixtures: building sites into tmp_path, serving them on 127.0.0.1, Chromium."""

from __future__ import annotations

import functools
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from condividi.build import build_site
from condividi.headers.hosts import headers_for, parse_headers_file
from condividi.services import free_port

# Provider contract servers and the real Mailman Core, shared with the delivery-ledger tests;
# the sample site with a WordPress redirect map, shared by the old-address tests.
pytest_plugins = ["tests.providers_support", "tests.mailman_support", "tests.redirects_support"]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"


# What a careful static host would send: no inline script or style, nothing third party.
STRICT_CSP = (
    "default-src 'self'; script-src 'self' {extra}; style-src 'self' {extra}; "
    "img-src 'self' data: {extra}; connect-src 'self' {extra}; form-action 'self' {extra}; "
    "frame-src {extra_or_none}; object-src 'none'; base-uri 'self'"
)


def strict_csp(*extra_origins: str) -> str:
    """Return a strict Content-Security-Policy allowing only 'self' and ``extra_origins``."""
    extra = " ".join(extra_origins)
    return " ".join(STRICT_CSP.format(extra=extra, extra_or_none=extra or "'none'").split())


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves a folder with a strict CSP header, without logging every request.

    With ``host_rules`` (a parsed ``_headers`` file) it sends what Netlify or Cloudflare Pages
    would send for each path instead: the CSP the site publishes, and its caching.
    """

    csp: str = strict_csp()
    host_rules: list[tuple[str, dict[str, str]]] | None = None

    def end_headers(self) -> None:
        if self.host_rules is None:
            self.send_header("Content-Security-Policy", self.csp)
        else:
            for name, value in headers_for(urlsplit(self.path).path, self.host_rules).items():
                self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class StaticServer:
    """A static HTTP server for one folder on 127.0.0.1, running in a thread."""

    def __init__(
        self,
        directory: Path,
        port: int = 0,
        csp: str | None = None,
        host_headers: bool = False,
    ) -> None:
        self.directory = directory
        attributes: dict[str, Any] = {"csp": csp or strict_csp()}
        if host_headers:
            # The headers the site publishes for static hosts (condividi.headers).
            text = (directory / "_headers").read_text(encoding="utf-8")
            attributes["host_rules"] = parse_headers_file(text)
        handler_class = type("Handler", (QuietHandler,), attributes)
        handler = functools.partial(handler_class, directory=str(directory))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = int(self.httpd.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll ``condition`` every 20 ms until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def process_alive(pid: int) -> bool:
    """Tell whether a process with ``pid`` exists (a zombie not yet reaped counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def copy_project(destination: Path) -> Path:
    """Copy the site's sources (settings, content, theme, plugins) into ``destination``."""
    for name in ("pelicanconf.py", "publishconf.py"):
        shutil.copy2(ROOT / name, destination / name)
    for name in ("content", "theme", "plugins"):
        shutil.copytree(
            ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    return destination


BuildSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> BuildSite:
    """Return a function that builds a copy of the sample site inside ``tmp_path``.

    Call it as ``make_site(settings="publishconf.py", siteurl=..., **overrides)``; it returns
    the output folder. Edit ``tmp_path / "site" / "content"`` first to change the content.
    """
    project = tmp_path / "site"
    project.mkdir()
    copy_project(project)

    def build(
        settings: str = "publishconf.py",
        siteurl: str = "https://blog.example.org",
        overrides: Mapping[str, Any] | None = None,
    ) -> Path:
        return build_site(
            project / settings,
            project / "output",
            {
                "SITEURL": siteurl,
                "PATH": str(project / "content"),
                "CACHE_PATH": str(tmp_path / "cache"),
                **(overrides or {}),
            },
        )

    build.project = project  # type: ignore[attr-defined]
    return build


def published_copy(
    base: Path, port: int, prepare: Callable[[Path], None] | None = None
) -> tuple[Path, Path]:
    """Copy the sample site into ``base`` and build it with publishconf.py for a server on
    ``port`` of 127.0.0.1; ``prepare`` may edit the copy (its project folder) first.

    SITEURL is that server's origin, so every absolute link stays on 127.0.0.1. Returns the
    copy's project folder and its output folder.
    """
    project = copy_project(base)
    if prepare is not None:
        prepare(project)
    output = build_site(
        project / "publishconf.py",
        project / "output",
        {
            "SITEURL": f"http://127.0.0.1:{port}",
            "PATH": str(project / "content"),
            "CACHE_PATH": str(base / "cache"),
        },
    )
    return project, output


@pytest.fixture(scope="session")
def served_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaticServer]:
    """The sample site, built with publishconf.py and served on 127.0.0.1 (one per session)
    with the headers of its own ``_headers`` file, its CSP among them."""
    port = free_port()
    _, output = published_copy(tmp_path_factory.mktemp("served"), port)
    with StaticServer(output, port, host_headers=True) as server:
        yield server


@pytest.fixture(scope="session")
def sample_output(served_site: StaticServer) -> Path:
    """The output folder of the served sample site."""
    return served_site.directory


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's Chromium (Playwright never downloads a browser here)."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


class RequestLog:
    """Records every request a Playwright page makes, to check where it went."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, request: Any) -> None:
        self.urls.append(request.url)

    def off_loopback(self) -> list[str]:
        """Return the requests whose host is not 127.0.0.1 (data: URLs excepted)."""
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in ("data", "blob", "about")
            and urlsplit(url).hostname != "127.0.0.1"
        ]


@pytest.fixture
def request_log(page: Any) -> RequestLog:
    """Attach a :class:`RequestLog` to the Playwright ``page``."""
    log = RequestLog()
    page.on("request", log)
    return log


@pytest.fixture
def browser_problems(page: Any) -> list[str]:
    """Collect what a reader's browser would flag on the Playwright ``page``: uncaught
    exceptions, console warnings and errors, and answers of 400 or more.

    Requests to a comment server's ``/isso/`` are left out: the static sites the tests serve
    run none, so the comment counts on list pages fail by design.
    """
    problems: list[str] = []

    def on_console(message: Any) -> None:
        if message.type in ("warning", "error") and "/isso/" not in message.location["url"]:
            problems.append(f"{message.type}: {message.text} ({message.location['url']})")

    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    page.on("console", on_console)
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and "/isso/" not in r.url
            else None
        ),
    )
    return problems


@pytest.fixture
def csp_violations(page: Any) -> list[str]:
    """Collect the console messages in which Chromium reports a CSP violation."""
    messages: list[str] = []

    def on_console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            messages.append(message.text)

    page.on("console", on_console)
    return messages
